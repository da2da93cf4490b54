package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
)

// sesView is one stack's window on an aws-ses-v2-local that several stacks
// share (Options.SESEndpoint, as a test binary's stacks do): it passes every
// request through, notes the IDs of the messages this stack sent, and
// answers GET /store with those messages only. Each stack then reads its own
// mail, as if the emulator were its own, without starting one.
type sesView struct {
	upstream string
	proxy    *httputil.ReverseProxy
	mu       sync.Mutex
	sent     map[string]bool
}

// messageIDs finds the MessageId of an SES answer: v2's JSON or v1's XML.
var messageIDs = regexp.MustCompile(`(?:"MessageId"\s*:\s*"|<MessageId>)([^"<]+)`)

func newSESView(upstream string) (*sesView, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	v := &sesView{upstream: upstream, sent: map[string]bool{}}
	v.proxy = httputil.NewSingleHostReverseProxy(u)
	v.proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method != http.MethodPost {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, m := range messageIDs.FindAllSubmatch(body, -1) {
			v.sent[string(m[1])] = true
		}
		return nil
	}
	return v, nil
}

func (v *sesView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/store" {
		v.proxy.ServeHTTP(w, r)
		return
	}
	all, err := emulator.SESMessages(r.Context(), v.upstream)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	since := int64(0)
	if s := r.URL.Query().Get("since"); s != "" {
		if err := json.Unmarshal([]byte(s), &since); err != nil {
			http.Error(w, "Bad since query param", http.StatusBadRequest)
			return
		}
	}
	mine := []emulator.SESMessage{}
	v.mu.Lock()
	for _, m := range all {
		if v.sent[m.MessageID] && m.At >= since {
			mine = append(mine, m)
		}
	}
	v.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"emails": mine})
}

// startSES is the stack's SES: its own emulator on SESPort, or, given a
// shared one, this stack's view of it served there.
func startSES(ctx context.Context, opts Options) (*emulator.Process, string, error) {
	if opts.SESEndpoint == "" {
		return emulator.StartSES(ctx, opts.SESPort)
	}
	view, err := newSESView(opts.SESEndpoint)
	if err != nil {
		return nil, "", err
	}
	endpoint, err := servePort(ctx, opts.SESPort, view)
	return nil, endpoint, err
}
