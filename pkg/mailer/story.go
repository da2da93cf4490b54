package mailer

import (
	"strconv"

	"github.com/partnership-grants/backend/pkg/grants"
)

// KindStory is the "kind" tag of the email asking consent to share a story.
const KindStory = "story"

const tmplStory = "story"

// storyView is what the story consent templates see.
type storyView struct {
	Names, Programme, Reference, SignOff string
	// Story is the story asked about: its passage (bounded when marked)
	// and the check-in it came from.
	Story grants.Story
}

// StoryEmail asks the partner's lead contact whether a passage of their
// reply may be shared (issue 24, item 5): yes or no, where (the website,
// the annual report, social media) and with what name (the organisation's,
// first names, or none). The reply goes to the story's own address
// (replyTo: story+<token>), where it is read; no answer is no consent, and
// a name not said is anonymous.
func StoryEmail(a *grants.Agreement, s grants.Story, programme string, to []string, replyTo string, o grants.Officer) (Email, error) {
	v := storyView{
		Names:     joinNames(namesFor(a.Contacts, to)),
		Programme: programme,
		Reference: a.Reference,
		SignOff:   signOff(o),
		Story:     s,
	}
	if v.Programme == "" {
		v.Programme = "the partnership programme"
	}
	tags := agreementTags(KindStory, a)
	tags["story"] = strconv.Itoa(s.Number)
	e, err := render(tmplStory, "May we share your words? – "+a.Reference, to, addrs(replyTo), tags, v)
	return fromOfficer(e, err, o, false)
}
