package stack

import (
	"context"
	"log/slog"
	"os"
	"sync"

	"github.com/partnership-grants/backend/pkg/logs"
)

// The functions log through slog's default logger, as they do in Lambda,
// and the stacks of this test binary run side by side in one process: so
// the default is set once, before any test, to testLogs, which prints
// warnings to stderr and gives the lines, at debug, to each capture open
// (captured.capture). A line logged under a stack's own context (its start:
// the seed, the schedules' loop; a test's walks and direct calls, under
// stackContext) goes to that stack's capture only; one whose context came
// from elsewhere (a request through a gateway, an SMTP session) cannot be
// told apart and goes to every capture: a name or address in any of them
// is as much a finding, and each test's programme and agreement IDs keep
// its counts apart.
var testLogs = &logRoute{warn: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})}

// stackContext is a context of st's own, for a test's calls into it (its
// walks, handlers called directly): the lines they log go to st's capture
// only.
func stackContext(st *Stack) context.Context {
	tag, _ := stackLogTags.Load(st)
	return context.WithValue(context.Background(), logTagKey{}, tag.(*logTag))
}

// logTag marks the context a stack was started with (startStackWith). Not
// of size zero: pointers to those may all be equal.
type logTag struct{ _ byte }

type logTagKey struct{}

// stackLogTags is each started stack's logTag.
var stackLogTags sync.Map // *Stack → *logTag

func withLogTag(ctx context.Context) (context.Context, *logTag) {
	tag := new(logTag)
	return context.WithValue(ctx, logTagKey{}, tag), tag
}

type logRoute struct {
	warn  slog.Handler
	mu    sync.Mutex
	sinks map[*captured]sink
}

type sink struct {
	h   slog.Handler
	tag *logTag
}

func (r *logRoute) open(c *captured, st *Stack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sinks == nil {
		r.sinks = map[*captured]sink{}
	}
	tag, _ := stackLogTags.Load(st)
	r.sinks[c] = sink{logs.NewHandler(c, slog.LevelDebug), tag.(*logTag)}
}

func (r *logRoute) close(c *captured) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sinks, c)
}

// handlers are where a line logged under ctx goes.
func (r *logRoute) handlers(ctx context.Context) []slog.Handler {
	tag, _ := ctx.Value(logTagKey{}).(*logTag)
	r.mu.Lock()
	defer r.mu.Unlock()
	hs := []slog.Handler{r.warn}
	for _, s := range r.sinks {
		if tag == nil || tag == s.tag {
			hs = append(hs, s.h)
		}
	}
	return hs
}

// routed is the default handler: the route with the attributes and groups
// loggers derived from it added, applied to each handler as a line is
// written (a capture may open after the logger was derived).
type routed struct {
	r    *logRoute
	with []func(slog.Handler) slog.Handler
}

func (h routed) Enabled(ctx context.Context, l slog.Level) bool {
	for _, s := range h.r.handlers(ctx) {
		if s.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (h routed) Handle(ctx context.Context, rec slog.Record) error {
	for _, s := range h.r.handlers(ctx) {
		for _, w := range h.with {
			s = w(s)
		}
		if s.Enabled(ctx, rec.Level) {
			_ = s.Handle(ctx, rec.Clone())
		}
	}
	return nil
}

func (h routed) derive(w func(slog.Handler) slog.Handler) routed {
	return routed{r: h.r, with: append(append([]func(slog.Handler) slog.Handler(nil), h.with...), w)}
}

func (h routed) WithAttrs(as []slog.Attr) slog.Handler {
	return h.derive(func(s slog.Handler) slog.Handler { return s.WithAttrs(as) })
}

func (h routed) WithGroup(name string) slog.Handler {
	return h.derive(func(s slog.Handler) slog.Handler { return s.WithGroup(name) })
}
