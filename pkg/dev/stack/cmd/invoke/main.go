// Command invoke is make invoke: it builds one function's bootstrap as sam
// build does, runs it under the AWS Lambda Runtime Interface Emulator with
// the environment template.yaml gives that function, resolved for the
// local stack, posts an event to it and prints the function's answer: what
// sam local invoke does, without Docker.
//
//	invoke -fn AgreementsFunction [-event events/agreements-get.json]
//
// The AWS calls go to make run's stack when one is running (its emulators
// and table, on the documented ports); otherwise the command starts that
// stack itself (the same data directory, .local) for the one invocation.
// The answer goes to stdout; the emulator's START, END and REPORT lines
// and the function's log lines to stderr. It exits 1 if the function
// failed (its error document is printed as Lambda returns it).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
	"github.com/partnership-grants/backend/pkg/dev/rie"
	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
	"github.com/partnership-grants/backend/pkg/dev/stack"
	"github.com/partnership-grants/backend/pkg/logs"
)

func main() {
	fnID := flag.String("fn", "", "the function's logical ID in template.yaml, e.g. AgreementsFunction")
	eventPath := flag.String("event", "", "the event file (default: {}; - reads stdin)")
	flag.Parse()
	failed, err := run(*fnID, *eventPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "invoke:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

func run(id, eventPath string) (failed bool, err error) {
	slog.SetDefault(slog.New(logs.NewConsoleHandler(os.Stderr, slog.LevelWarn)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := emulator.RepoRoot()
	if err != nil {
		return false, err
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return false, err
	}
	fn, err := tpl.Function(id)
	if err != nil {
		return false, fmt.Errorf("FN=%q: %w; one of: %s", id, err, strings.Join(tpl.Functions(), ", "))
	}
	event := []byte("{}")
	switch eventPath {
	case "":
	case "-":
		event, err = io.ReadAll(os.Stdin)
	default:
		event, err = os.ReadFile(eventPath)
	}
	if err != nil {
		return false, err
	}

	goarch := rie.GOARCH(fn)
	if goarch != fn.GOARCH() {
		fmt.Fprintf(os.Stderr, "invoke: building %s for %s (template: %s), which this machine runs; the flags are sam build's\n", id, goarch, fn.Architecture)
	}
	bootstrap, err := rie.Build(ctx, root, fn, goarch, filepath.Join(root, ".local", "build", "invoke", id))
	if err != nil {
		return false, err
	}
	emu, err := rie.Path(ctx, root)
	if err != nil {
		return false, err
	}

	opts := stack.DefaultOptions(root)
	var env map[string]string
	if running(ctx, opts) {
		fmt.Fprintf(os.Stderr, "invoke: using make run's stack (%s)\n", opts.APIAddr)
		if env, err = stack.FunctionEnvironment(opts, id); err != nil {
			return false, err
		}
	} else {
		fmt.Fprintln(os.Stderr, "invoke: starting the local stack (make run's, on its ports and data) for this invocation")
		opts.PublishGrantsData = id == "GrantsDataFunction" || os.Getenv("PUBLISH_GRANTS_DATA") == "true"
		st, err := stack.Start(ctx, opts)
		if err != nil {
			return false, err
		}
		defer st.Stop()
		if env, err = st.FunctionEnvironment(id); err != nil {
			return false, err
		}
	}

	if err := stack.PrepareInvoke(ctx, env, id, eventPath, event); err != nil {
		return false, err
	}
	e, err := rie.Start(ctx, emu, bootstrap, fn, env, os.Stderr)
	if err != nil {
		return false, err
	}
	defer e.Close()
	ictx, cancel := context.WithTimeout(ctx, time.Duration(fn.Timeout+10)*time.Second)
	defer cancel()
	resp, err := e.Invoke(ictx, event)
	if err != nil {
		return false, err
	}
	os.Stdout.Write(resp.Body)
	fmt.Println()
	if resp.Error != "" {
		fmt.Fprintf(os.Stderr, "invoke: %s failed: %s\n", id, resp.Error)
		return true, nil
	}
	return false, nil
}

// running says whether make run's stack answers on its control address.
func running(ctx context.Context, opts stack.Options) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+opts.ControlAddr+"/clock", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
