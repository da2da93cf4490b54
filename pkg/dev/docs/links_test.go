// Package docs checks the repository's documentation: README.md, the front
// door, and docs/, where the rest lives.
package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/emulator"
)

var (
	fence    = regexp.MustCompile("(?s)```.*?```")
	code     = regexp.MustCompile("`[^`\n]*`")
	link     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)
	heading  = regexp.MustCompile(`(?m)^#{1,6}\s+(.*?)\s*$`)
	notSlug  = regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
	external = regexp.MustCompile(`^[a-z]+:`)
)

// Every relative link in README.md and docs/ names a file that exists and,
// with a #fragment, a heading of that file (as GitHub makes its anchors), so
// a reader moved from one document to another lands where they were sent.
func TestRelativeLinksResolve(t *testing.T) {
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "README.md")}
	err = filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		text := code.ReplaceAllString(fence.ReplaceAllString(read(t, f), ""), "")
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			url := m[1]
			if external.MatchString(url) {
				continue
			}
			checked++
			path, fragment, _ := strings.Cut(url, "#")
			target := f
			if path != "" {
				target = filepath.Join(filepath.Dir(f), path)
			}
			rel, _ := filepath.Rel(root, f)
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s links to %s: no such file", rel, url)
				continue
			}
			if fragment != "" && strings.HasSuffix(target, ".md") && !anchors(t, target)[fragment] {
				t.Errorf("%s links to %s: no such heading", rel, url)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d relative links found: the check is not reading the documents", checked)
	}
}

// anchors are the fragments GitHub gives a document's headings: lower case,
// punctuation dropped, spaces as hyphens, repeats numbered.
func anchors(t *testing.T, path string) map[string]bool {
	out := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(fence.ReplaceAllString(read(t, path), ""), -1) {
		slug := strings.ReplaceAll(notSlug.ReplaceAllString(strings.ToLower(m[1]), ""), " ", "-")
		s := slug
		for i := 1; out[s]; i++ {
			s = slug + "-" + strconv.Itoa(i)
		}
		out[s] = true
	}
	return out
}

func read(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
