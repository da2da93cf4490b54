package mailer

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// KindHeldDigest is the officers' daily digest of held messages.
const KindHeldDigest = "held-digest"

// heldPageOf is the web app's Held messages page.
func heldPageOf(appURL string) appPage { return appPageOf(appURL, "quarantine", "Held messages") }

// heldLine is how many held messages name one programme's agreements.
type heldLine struct {
	Programme string // empty: naming no agreement
	Count     int
}

type heldDigestView struct {
	Day   string
	Count int
	Lines []heldLine
	Page  appPage
}

// HeldDigest tells the officers, in one email a day, how many messages sent
// to the reply domain are held for a person (counts by programme code, ""
// for those naming no agreement) and where to see them. It carries nothing
// of the messages themselves: anyone can write to the reply domain, so a
// sender, a subject or a word of theirs put here would be theirs to choose
// in an email from us to our own staff.
func HeldDigest(day grants.Date, counts map[string]int, to []string, appURL string) (Email, error) {
	v := heldDigestView{Day: day.Long(), Page: heldPageOf(appURL)}
	for p, n := range counts {
		if n > 0 {
			v.Count += n
			v.Lines = append(v.Lines, heldLine{Programme: p, Count: n})
		}
	}
	// Those naming no agreement last; programmes by most held, then by code.
	slices.SortFunc(v.Lines, func(x, y heldLine) int {
		last := func(l heldLine) int {
			if l.Programme == "" {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(last(x), last(y)), cmp.Compare(y.Count, x.Count), cmp.Compare(x.Programme, y.Programme))
	})
	what := "messages"
	if v.Count == 1 {
		what = "message"
	}
	subject := "Held messages: " + strconv.Itoa(v.Count) + " " + what + " held for a person – " + day.Long()
	return render(tmplHeldDigest, subject, to, nil, map[string]string{"kind": KindHeldDigest}, v)
}
