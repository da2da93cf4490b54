package chromium

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
)

// Browser starts headless Chromium, driven over the DevTools protocol
// (chromedp), for a test that uses pages as a person does: it follows
// links, fills in forms and presses buttons. The context is its one tab;
// every action should run under a timeout derived from it.
func Browser(t testing.TB) context.Context {
	t.Helper()
	Need(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600), chromedp.NoFirstRun, chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("hide-scrollbars", true))
	alloc, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, stop := chromedp.NewContext(alloc)
	t.Cleanup(func() { stop(); stopAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Do runs steps in the tab, failing the test (with what was asked and
// where the tab was) if they do not finish within a minute.
func Do(t testing.TB, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	Get(t, tab, what, chromedp.Steps(steps...))
}

// Get runs one action in the tab and returns its value, as Do fails.
func Get[T any](t testing.TB, tab context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		url, _ := chromedp.Run(tab, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, url, err)
	}
	return v
}

// HTML is the tab's page as it now stands. It is read by script, not by
// the DevTools DOM's node ids: those of a document just replaced can be
// stale for a moment after a navigation ("No node with given id found").
func HTML(t testing.TB, tab context.Context) string {
	t.Helper()
	return Get(t, tab, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
}

// Violation is an accessibility rule a page breaks, as axe-core reports it.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s, at %v", v.ID, v.Impact, v.Help, v.Nodes)
}

// Serious runs axe-core (npm's, pinned in package.json) on the tab's page
// and returns its serious and critical violations. The script is evaluated
// over the DevTools protocol, which the page's Content Security Policy does
// not govern, so the page needs no exception for it.
func Serious(t testing.TB, tab context.Context) []Violation {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v (run npm ci)", err)
	}
	Do(t, tab, "load axe-core", chromedp.Evaluate[chromedp.Void](string(script)))
	raw := Get(t, tab, "run axe-core", chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	var all []Violation
	if err := json.Unmarshal([]byte(raw), &all); err != nil {
		t.Fatalf("axe-core's answer: %v", err)
	}
	var serious []Violation
	for _, v := range all {
		if v.Impact == "serious" || v.Impact == "critical" {
			serious = append(serious, v)
		} else {
			t.Logf("axe-core, %s: %s", v.Impact, v)
		}
	}
	return serious
}

// Capture is a full-page screenshot of the tab.
func Capture(t testing.TB, tab context.Context) []byte {
	t.Helper()
	return Get(t, tab, "screenshot", chromedp.FullScreenshot(100))
}

// KeepPage saves a full-page screenshot of the tab as testdata/<name> for
// people to look at, under UPDATE_SCREENSHOTS=1 (make screenshots), and
// otherwise takes none: make test asserts nothing of the picture.
func KeepPage(t testing.TB, tab context.Context, name string) {
	t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		Keep(t, name, Capture(t, tab))
	}
}

// Person is a new tab of browser in a browser context of its own: its own
// cookies, as a second person on another machine would have.
func Person(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	tab, stop := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(stop)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tab
}

// Submit presses the button and waits for the page the form leads to,
// returning its HTTP status.
func Submit(t testing.TB, tab context.Context, what, button string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	// The button must be on the page as it now stands: a click on a node
	// of a document still being replaced fails ("no node with given id").
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body")), chromedp.WaitVisible(chromedp.CSS(button))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		url, _ := chromedp.Run(tab, chromedp.Location())
		t.Fatalf("%s (at %s): %v", what, url, err)
	}
	return resp.Status
}
