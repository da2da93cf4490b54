package grants

// Stories shared only with consent (issue 24, item 5): an officer marks a
// passage of a partner's reply as a story to share; the partner's lead
// contact is asked by email whether it may be shared, where, and with what
// name. Only a reply saying yes (ReadStoryAnswer, recognised the way a
// plain yes accepts an agreement), or a consent an officer records with a
// note, makes it shareable; a later no withdraws it. Each answer is kept
// on the story, oldest first: the history of its consent.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/partnership-grants/backend/pkg/outbox"
)

// StoryStatus is where a story's consent stands.
type StoryStatus string

const (
	// StoryAsked: the partner was asked (or is about to be); no clear
	// answer yet. An unclear answer leaves it asked, for the officer.
	StoryAsked StoryStatus = "asked"
	// StoryConsented: the partner said yes; the story may be shared.
	StoryConsented StoryStatus = "consented"
	// StoryDeclined: the partner said no before ever saying yes.
	StoryDeclined StoryStatus = "declined"
	// StoryWithdrawn: the partner said yes, then no.
	StoryWithdrawn StoryStatus = "withdrawn"
)

// The names a story may be shared with, most private first.
const (
	StoryAnonymous    = "anonymous"
	StoryFirstNames   = "firstNames"
	StoryOrganisation = "organisation"
)

// StoryNames are the names a story may be shared with, most private first.
var StoryNames = []string{StoryAnonymous, StoryFirstNames, StoryOrganisation}

// The places a story may be shared.
const (
	StoryOnWebsite      = "website"
	StoryInAnnualReport = "annualReport"
	StoryOnSocialMedia  = "socialMedia"
)

// StoryPlaces are the places the partner is asked about, in that order.
var StoryPlaces = []string{StoryOnWebsite, StoryInAnnualReport, StoryOnSocialMedia}

// How a story's answer came.
const (
	StoryByReply   = "reply"
	StoryByOfficer = "officer"
)

// The answers a story's consent can be.
const (
	StoryYes     = "yes"
	StoryNo      = "no"
	StoryUnclear = "unclear"
)

// Bounds of a story.
const (
	MaxStoryPassage = 2000
	MaxStories      = 99
	// MaxStoryWords bounds the partner's words kept with an answer.
	MaxStoryWords = 1000
)

// Story is a passage of a partner's reply to a check-in, marked to share,
// with its consent.
type Story struct {
	Number   int         `json:"number"`
	CheckIn  int         `json:"checkIn"`
	Passage  string      `json:"passage"`
	MarkedBy string      `json:"markedBy"`
	MarkedAt time.Time   `json:"markedAt"`
	Status   StoryStatus `json:"status"`
	// Answers are the partner's replies and the officers' records about
	// the story's consent, oldest first.
	Answers []StoryAnswer `json:"answers"`
}

// StoryAnswer is one answer about a story's consent: a reply from the
// partner (How "reply") or an officer's record of one given another way
// (How "officer", with a note).
type StoryAnswer struct {
	At  time.Time `json:"at"`
	How string    `json:"how"`
	// By is who answered: the contact's name, or the partner's lead
	// contact for an officer's record (RecordedBy the officer).
	By         string `json:"by"`
	RecordedBy string `json:"recordedBy,omitempty"`
	MessageID  string `json:"messageId,omitempty"`
	Words      string `json:"words,omitempty"`
	Note       string `json:"note,omitempty"`
	// Answer is yes, no or unclear; Name and Where are what a yes allows
	// (the most private name when it names none; every place asked about
	// when it names none).
	Answer string   `json:"answer"`
	Name   string   `json:"name,omitempty"`
	Where  []string `json:"where,omitempty"`
}

// StoryConsent is the yes story s is shared under: its latest answer, when
// the story is consented.
func StoryConsent(s Story) *StoryAnswer {
	if s.Status != StoryConsented || len(s.Answers) == 0 {
		return nil
	}
	c := s.Answers[len(s.Answers)-1]
	return &c
}

// FindStory is the agreement's story n, or nil.
func FindStory(a *Agreement, n int) *Story {
	for i := range a.Stories {
		if a.Stories[i].Number == n {
			return &a.Stories[i]
		}
	}
	return nil
}

// StoryFound reports whether passage is words of text: the same words in
// the same order, spaces and case aside.
func StoryFound(passage, text string) bool {
	p := strings.ToLower(strings.Join(strings.Fields(passage), " "))
	return p != "" && strings.Contains(strings.ToLower(strings.Join(strings.Fields(text), " ")), p)
}

// CleanPassage is a passage as kept: trimmed, with its line breaks.
func CleanPassage(s string) string { return strings.TrimSpace(s) }

// CheckStoryPassage checks a passage to mark as a story: required and
// bounded.
func CheckStoryPassage(passage string, checkIn int) error {
	var f fieldErrors
	if checkIn < 1 {
		f.add("checkIn", "must be the check-in whose reply the story is from, 1 or more")
	}
	passage = CleanPassage(passage)
	if passage == "" {
		f.add("passage", "is required: the words of the partner's reply to share")
	} else {
		checkText(&f, "passage", passage, MaxStoryPassage, true)
	}
	return f.err()
}

// MarkStory marks passage of the partner's reply to check-in n as a story
// to share, numbered after the agreement's others, and asks the partner's
// consent by email (the outbox key returned). The caller checks the
// passage is in the reply. The same passage of the same check-in marked
// again is the story already marked: ErrNoChange.
func MarkStory(a *Agreement, checkIn int, passage string, now time.Time, actor string) (Story, Effects, error) {
	if err := CheckStoryPassage(passage, checkIn); err != nil {
		return Story{}, Effects{}, err
	}
	passage = CleanPassage(passage)
	if a.Status == AgreementDraft {
		return Story{}, Effects{}, conflict("agreement_draft", "Agreement %s is a draft: it has no replies to share.", a.Reference)
	}
	for _, s := range a.Stories {
		if s.CheckIn == checkIn && strings.EqualFold(strings.Join(strings.Fields(s.Passage), " "), strings.Join(strings.Fields(passage), " ")) {
			return s, Effects{}, ErrNoChange
		}
	}
	if len(a.Stories) >= MaxStories {
		return Story{}, Effects{}, conflict("too_many_stories", "Agreement %s has %d stories, the most one agreement can have.", a.Reference, MaxStories)
	}
	n := 1
	for _, s := range a.Stories {
		n = max(n, s.Number+1)
	}
	s := Story{Number: n, CheckIn: checkIn, Passage: passage, MarkedBy: actor, MarkedAt: now.UTC(), Status: StoryAsked}
	a.Stories = append(slices.Clone(a.Stories), s)
	a.touch(now, actor)
	fx := Effects{At: now, Outbox: []outbox.Key{outbox.StoryKey(n)},
		Audit: []AuditEntry{{At: now.UTC(), Actor: actor, Action: "story.marked", Subject: fmt.Sprintf("story %d", n),
			Detail: fmt.Sprintf("a passage of the reply to check-in %d marked as a story; the partner's lead contact is asked by email whether it may be shared", checkIn)}}}
	return s, fx, nil
}

// StoryReply is the partner's emailed answer about story n.
type StoryReply struct {
	Story     int
	MessageID string
	From      string
	Text      string
	At        time.Time
}

// ReceiveStoryAnswer records the partner's reply about a story
// (ReadStoryAnswer): a yes consents, a no declines or withdraws, anything
// else is kept for the officer and is no consent (a consented story
// answered unclearly goes back to asked: the most private reading). A
// message already recorded changes nothing: ErrNoChange.
func ReceiveStoryAnswer(a *Agreement, r StoryReply, actor string) ([]AuditEntry, error) {
	i := slices.IndexFunc(a.Stories, func(s Story) bool { return s.Number == r.Story })
	if i < 0 {
		return nil, notFoundStory(a, r.Story)
	}
	s := a.Stories[i]
	if r.MessageID != "" && slices.ContainsFunc(s.Answers, func(x StoryAnswer) bool { return x.MessageID == r.MessageID }) {
		return nil, ErrNoChange
	}
	words, _ := Clip(strings.TrimSpace(r.Text), MaxStoryWords)
	read := ReadStoryAnswer(words)
	ans := StoryAnswer{At: r.At.UTC(), How: StoryByReply, By: a.contactName(r.From), MessageID: r.MessageID, Words: words,
		Answer: read.Answer, Name: read.Name, Where: read.Where}
	return answerStory(a, i, ans, actor), nil
}

// RecordStoryConsent records a consent the partner gave another way (a
// call, a meeting, a letter), with the officer's note and what it allows
// (name: "" for anonymous; where: none for every place asked about).
func RecordStoryConsent(a *Agreement, n int, note, name string, where []string, now time.Time, actor string) (AuditEntry, error) {
	var f fieldErrors
	note = strings.TrimSpace(note)
	checkText(&f, "note", note, MaxReason, true)
	name = strings.TrimSpace(name)
	if name == "" {
		name = StoryAnonymous
	}
	if !slices.Contains(StoryNames, name) {
		f.add("name", "must be one of %s", strings.Join(StoryNames, ", "))
	}
	var places []string
	for _, w := range where {
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		if !slices.Contains(StoryPlaces, w) {
			f.add("where", "must be among %s", strings.Join(StoryPlaces, ", "))
			break
		}
		if !slices.Contains(places, w) {
			places = append(places, w)
		}
	}
	if err := f.err(); err != nil {
		return AuditEntry{}, err
	}
	i := slices.IndexFunc(a.Stories, func(s Story) bool { return s.Number == n })
	if i < 0 {
		return AuditEntry{}, notFoundStory(a, n)
	}
	if len(places) == 0 {
		places = slices.Clone(StoryPlaces)
	}
	ans := StoryAnswer{At: now.UTC(), How: StoryByOfficer, By: a.leadName(), RecordedBy: actor, Note: note, Answer: StoryYes, Name: name, Where: orderPlaces(places)}
	return answerStory(a, i, ans, actor)[0], nil
}

func notFoundStory(a *Agreement, n int) error {
	return &Error{Code: NotFound, Message: fmt.Sprintf("Agreement %s has no story %d.", a.Reference, n)}
}

// answerStory keeps ans on story i and moves its status.
func answerStory(a *Agreement, i int, ans StoryAnswer, actor string) []AuditEntry {
	stories := slices.Clone(a.Stories)
	s := stories[i]
	s.Answers = append(slices.Clone(s.Answers), ans)
	was := s.Status
	switch ans.Answer {
	case StoryYes:
		s.Status = StoryConsented
	case StoryNo:
		s.Status = StoryDeclined
		if was == StoryConsented || was == StoryWithdrawn || slices.ContainsFunc(s.Answers, func(x StoryAnswer) bool { return x.Answer == StoryYes }) {
			s.Status = StoryWithdrawn
		}
	default:
		s.Status = StoryAsked
	}
	stories[i] = s
	a.Stories = stories
	a.touch(ans.At, actor)
	how := "by email (SES message " + ans.MessageID + ")"
	if ans.How == StoryByOfficer {
		how = "recorded by " + ans.RecordedBy
	}
	var detail string
	switch s.Status {
	case StoryConsented:
		detail = fmt.Sprintf("%s consented to share story %d %s, as %s, on %s", ans.By, s.Number, how, StoryNameWords(ans.Name), strings.Join(StoryPlaceWords(ans.Where), ", "))
	case StoryWithdrawn:
		detail = fmt.Sprintf("%s withdrew consent to share story %d %s", ans.By, s.Number, how)
	case StoryDeclined:
		detail = fmt.Sprintf("%s declined to share story %d %s", ans.By, s.Number, how)
	default:
		detail = fmt.Sprintf("%s answered about story %d %s; the answer is not a clear yes: no consent", ans.By, s.Number, how)
	}
	return []AuditEntry{{At: ans.At, Actor: actor, Action: "story." + string(s.Status), Subject: fmt.Sprintf("story %d", s.Number), Detail: detail}}
}

// StoryNameWords says a name choice in words.
func StoryNameWords(name string) string {
	switch name {
	case StoryOrganisation:
		return "the organisation's name"
	case StoryFirstNames:
		return "first names only"
	}
	return "anonymous"
}

// StoryPlaceWords says places in words.
func StoryPlaceWords(where []string) []string {
	out := make([]string, 0, len(where))
	for _, w := range where {
		switch w {
		case StoryOnWebsite:
			out = append(out, "the website")
		case StoryInAnnualReport:
			out = append(out, "the annual report")
		case StoryOnSocialMedia:
			out = append(out, "social media")
		}
	}
	return out
}

func orderPlaces(where []string) []string {
	var out []string
	for _, p := range StoryPlaces {
		if slices.Contains(where, p) {
			out = append(out, p)
		}
	}
	return out
}

// SharedStory is a consented story as the stories list gives it: the
// story, whose it is and the consent it is shared under.
type SharedStory struct {
	AgreementID string      `json:"agreementId"`
	Reference   string      `json:"reference"`
	Partner     string      `json:"partner"`
	Number      int         `json:"number"`
	CheckIn     int         `json:"checkIn"`
	Passage     string      `json:"passage"`
	MarkedBy    string      `json:"markedBy"`
	Consent     StoryAnswer `json:"consent"`
}

// SharedStories are the consented stories of agreements, newest consent
// first.
func SharedStories(list []Agreement) []SharedStory {
	out := []SharedStory{}
	for _, a := range list {
		for _, s := range a.Stories {
			if c := StoryConsent(s); c != nil {
				out = append(out, SharedStory{AgreementID: a.ID, Reference: a.Reference, Partner: a.Partner.Name, Number: s.Number,
					CheckIn: s.CheckIn, Passage: s.Passage, MarkedBy: s.MarkedBy, Consent: *c})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y SharedStory) int { return y.Consent.At.Compare(x.Consent.At) })
	return out
}

// StoryRead is what a reply about a story says: yes, no or unclear, and,
// for a yes, the name and the places it allows.
type StoryRead struct {
	Answer string
	Name   string
	Where  []string
}

// The story's changes are functions, not methods of Agreement: the email
// templates' reflection keeps every exported method of a type in every
// function's binary, and only the functions that mark or answer stories
// need these (bootstrap budgets).

// Phrases that name a story's name choice or places. Each is matched as
// whole words; the most private name named wins.
var (
	storyAnonymousPhrases = []string{"anonymous", "anonymously", "anon", "no names", "no name", "without our name", "without our names",
		"without my name", "without naming us", "without naming anyone", "without names", "without a name", "don t name us", "do not name us",
		"don t name me", "do not name me", "don t name anyone", "not named", "unnamed", "keep it anonymous", "nameless"}
	storyFirstNamePhrases = []string{"first names only", "first name only", "first names", "first name", "christian names", "given names"}
	storyOrgPhrases       = []string{"our organisation s name", "our organization s name", "the organisation s name", "the organization s name",
		"organisation s name", "organization s name", "our organisation", "our organization", "organisation", "organization",
		"our charity s name", "our charity", "charity s name", "our group s name", "our group", "our name", "our full name", "name us", "credit us", "full names"}
	// storyPlacePhrases are StoryPlaces' phrases, in their order.
	storyPlacePhrases = [][]string{
		{"website", "websites", "web site", "web", "online", "blog", "site"},
		{"annual report", "annual review", "report", "reports"},
		{"social media", "social", "twitter", "facebook", "instagram", "linkedin", "socials"},
	}
	storyEverywhere = []string{"anywhere", "everywhere", "all of them", "all three", "all of those", "wherever you like", "wherever"}
)

// storyYesPhrases open a yes; storyNoPhrases anywhere are a no.
var (
	storyYesPhrases = []string{"yes", "yep", "yeah", "yup", "of course", "sure", "absolutely", "definitely", "certainly", "happy for you", "happy to",
		"we re happy", "we are happy", "i m happy", "i am happy", "very happy", "more than happy", "that s fine", "that is fine", "fine", "ok", "okay",
		"go ahead", "please do", "please go ahead", "you can", "you may", "feel free", "we agree", "i agree", "we consent", "i consent", "agreed",
		"delighted", "we d love", "we would love", "we d be happy", "we would be happy", "that would be lovely", "lovely", "great", "perfect", "fine by us", "fine by me"}
	storyNoPhrases = []string{"no", "nope", "no thanks", "no thank you", "please don t", "please do not", "don t use", "do not use", "not use", "don t share",
		"do not share", "not share", "not be shared", "rather not", "prefer not", "prefer you didn t", "prefer you did not", "not happy", "not comfortable",
		"not okay", "not ok", "withdraw", "withdrawing", "withdrawn", "take it down", "take down", "remove it", "remove the story", "remove our story",
		"changed our mind", "changed our minds", "changed my mind", "no longer", "decline", "don t want", "do not want", "can t agree", "cannot agree"}
	// storyDoubts make a yes something for the officer to read.
	storyDoubts = []string{"but", "however", "unless", "except", "if", "although", "though", "not", "don t", "dont", "cannot", "can t", "cant",
		"won t", "wouldn t", "shouldn t", "change", "changes", "edit", "amend", "check", "first", "question", "wrong", "concern", "concerns",
		"worried", "mistake", "correct", "before"}
)

// maxStoryAnswerWords: a consent with its name and places and a sign-off
// is short; a longer message is for a person to read.
const maxStoryAnswerWords = 60

// ReadStoryAnswer reads a partner's reply about a story the way
// IsAcceptance reads a reply to an agreement: a yes opens with a yes,
// asks nothing, raises no doubt and is short; a no is said anywhere; any
// other reply is unclear, which is no consent. The name and the places
// are found by their words (qualifiers such as "but anonymously" or "only
// on your website" are no doubt); with none named the name is anonymous,
// the most private, and the places are every one asked about.
func ReadStoryAnswer(text string) StoryRead {
	words := normalWords(text)
	joined := " " + strings.Join(words, " ") + " "
	out := StoryRead{Answer: StoryUnclear}
	// Qualifiers are found, then taken out of what is read for yes or no.
	name := ""
	take := func(phrases []string) bool {
		found := false
		for _, p := range phrases {
			for strings.Contains(joined, " "+p+" ") {
				joined = strings.Replace(joined, " "+p+" ", " § ", 1)
				found = true
			}
		}
		return found
	}
	// Words that say no without meaning it.
	take([]string{"no problem", "no problems", "no worries", "no objection", "no objections", "no issue", "no issues"})
	if take(storyAnonymousPhrases) {
		name = StoryAnonymous
	}
	if take(storyFirstNamePhrases) && name == "" {
		name = StoryFirstNames
	}
	if take(storyOrgPhrases) && name == "" {
		name = StoryOrganisation
	}
	var where []string
	if take(storyEverywhere) {
		where = slices.Clone(StoryPlaces)
	}
	for i, p := range StoryPlaces {
		if take(storyPlacePhrases[i]) && !slices.Contains(where, p) {
			where = append(where, p)
		}
	}
	// "but only §", "but §", "only §" qualify: no doubt.
	for _, glue := range []string{" but only § ", " but please § ", " but § ", " however § "} {
		joined = strings.ReplaceAll(joined, glue, " § ")
	}
	rest := strings.Fields(strings.ReplaceAll(joined, "§", " "))
	restJoined := " " + strings.Join(rest, " ") + " "
	for _, p := range storyNoPhrases {
		if strings.Contains(restJoined, " "+p+" ") {
			out.Answer = StoryNo
			return out
		}
	}
	if strings.Contains(text, "?") || len(words) == 0 || len(words) > maxStoryAnswerWords {
		return out
	}
	for _, d := range storyDoubts {
		if strings.Contains(restJoined, " "+d+" ") {
			return out
		}
	}
	// Greetings before the yes are allowed ("Hi Olu, yes").
	for len(rest) > 0 && slices.Contains([]string{"hi", "hello", "dear", "morning", "good", "afternoon", "thanks", "thank", "you", "many", "for", "asking"}, rest[0]) {
		if rest[0] == "you" && len(rest) > 1 && (rest[1] == "can" || rest[1] == "may") {
			break
		}
		rest = rest[1:]
	}
	opening := " " + strings.Join(rest, " ") + " "
	yes := false
	for _, p := range storyYesPhrases {
		if strings.HasPrefix(opening, " "+p+" ") {
			yes = true
			break
		}
	}
	// A name after the greeting: "Hi Olu, yes".
	if !yes && len(rest) > 1 {
		opening = " " + strings.Join(rest[1:], " ") + " "
		for _, p := range storyYesPhrases {
			if strings.HasPrefix(opening, " "+p+" ") {
				yes = true
				break
			}
		}
	}
	if !yes {
		return out
	}
	if name == "" {
		name = StoryAnonymous
	}
	if len(where) == 0 {
		where = slices.Clone(StoryPlaces)
	}
	return StoryRead{Answer: StoryYes, Name: name, Where: orderPlaces(where)}
}
