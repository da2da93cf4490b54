package chromium

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// The widths pages are checked at (issue 26, item 13): a phone's (an
// iPhone SE or mini is 375 CSS pixels wide) and a laptop's.
const (
	Phone  = 375
	Laptop = 1280
)

// AtWidth makes the tab's viewport width CSS pixels wide (800 high), as a
// phone or a desktop browser window would be; pages loaded after it are
// laid out at that width.
func AtWidth(t testing.TB, tab context.Context, width int64) {
	t.Helper()
	Do(t, tab, "set the viewport", chromedp.EmulateViewport(width, 800))
}

// Overflow reports whether the page scrolls sideways, measured as a
// person's browser would show it: document.scrollingElement.scrollWidth
// beyond innerWidth. When it does, it lists the first elements that reach
// past the right edge (those inside a box that scrolls on its own, such
// as a wide table's, are left out: they do not move the page), to say
// what to fix; nil when the page fits.
func Overflow(t testing.TB, tab context.Context) []string {
	t.Helper()
	return Get(t, tab, "measure the page's width", chromedp.Evaluate[[]string](overflowScript))
}

const overflowScript = `(() => {
  const se = document.scrollingElement, w = innerWidth;
  if (se.scrollWidth <= w) return null;
  const out = ["scrollWidth " + se.scrollWidth + " > innerWidth " + w];
  const scrolls = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o !== "visible") return true; } return false; };
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.right <= w + 0.5 || r.width === 0 || scrolls(e)) continue;
    let name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "");
    out.push(name + " right=" + Math.round(r.right) + " width=" + Math.round(r.width) + " " + JSON.stringify((e.textContent || "").trim().slice(0, 40)));
    if (out.length > 12) break;
  }
  return out;
})()`
