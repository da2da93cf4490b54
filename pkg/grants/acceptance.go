package grants

// An agreement both sides accept (issue 23, items 4 and 5): on activation
// the partner is sent the agreement in plain words and accepts it by
// replying; a later change to what they signed up to (terms, support,
// amounts, dates) is a proposal they accept the same way. The partner's
// answer, or an officer's record of one given another way, is kept on the
// agreement (PartnerAcceptance) and in its history.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/partnership-grants/backend/pkg/money"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// AcceptanceStatus is where the partner's acceptance stands.
type AcceptanceStatus string

const (
	// AcceptanceAwaiting: the agreement or a change was sent; no answer yet.
	AcceptanceAwaiting AcceptanceStatus = "awaiting"
	// AcceptanceAccepted: the partner accepted what was last sent.
	AcceptanceAccepted AcceptanceStatus = "accepted"
	// AcceptanceChangesAsked: the partner answered with anything but a
	// plain yes, read as a request for changes for the officer to take up.
	AcceptanceChangesAsked AcceptanceStatus = "changesAsked"
)

// How an acceptance was given.
const (
	AcceptedByEmail   = "email"
	AcceptedOnPaper   = "paper"
	AcceptedInMeeting = "meeting"
	AcceptedInCall    = "call"
	AcceptedOther     = "other"
)

// AcceptanceChannels are the ways an officer may record an acceptance
// given other than by replying.
var AcceptanceChannels = []string{AcceptedOnPaper, AcceptedInMeeting, AcceptedInCall, AcceptedOther}

// MaxAcceptanceWords bounds the partner's words kept on the agreement (the
// whole message stays in the mail bucket).
const MaxAcceptanceWords = 4000

// PartnerAcceptance is the partner's answer to the agreement and to the
// changes proposed since. Agreements activated before it was kept have
// none (nil): nothing was asked of their partners.
type PartnerAcceptance struct {
	Status AcceptanceStatus `json:"status"`
	// At, By, MessageID and Words are the latest answer's: when, from whom
	// (the contact's name), the received message's SES ID and what it said.
	At        time.Time `json:"at,omitzero"`
	By        string    `json:"by,omitempty"`
	MessageID string    `json:"messageId,omitempty"`
	Words     string    `json:"words,omitempty"`
	// Channel is how the acceptance came: "email" for a reply, else the
	// officer's record of it (paper, meeting, call, other) with Note, by
	// RecordedBy.
	Channel    string `json:"channel,omitempty"`
	Note       string `json:"note,omitempty"`
	RecordedBy string `json:"recordedBy,omitempty"`
	// Proposed are the changes sent and not yet accepted.
	Proposed []Change `json:"proposed"`
	// Round counts what the partner was asked to accept: 1 the agreement,
	// then one more for each change proposed (outbox.ProposalKey).
	Round int `json:"round"`
	// FirstInstalmentWaits: the programme's setting when the agreement was
	// activated; instalment 1 is not paid before the partner accepts.
	FirstInstalmentWaits bool `json:"firstInstalmentWaits,omitempty"`
}

// MarshalJSON writes proposed as a list, empty rather than null.
func (p PartnerAcceptance) MarshalJSON() ([]byte, error) {
	type plain PartnerAcceptance
	if p.Proposed == nil {
		p.Proposed = []Change{}
	}
	return json.Marshal(plain(p))
}

// Pending reports whether the partner's acceptance is still to come.
func (p *PartnerAcceptance) Pending() bool {
	return p != nil && p.Status != AcceptanceAccepted
}

// acceptanceCopy is a copy of the agreement's acceptance to change (a
// change is applied to a copy of the agreement that a failed write drops,
// so what it points to is not changed in place). An agreement asked before
// acceptance was kept, or never, gets one all the same.
func (a *Agreement) acceptanceCopy() *PartnerAcceptance {
	if a.PartnerAcceptance == nil {
		return &PartnerAcceptance{Status: AcceptanceAwaiting, Proposed: []Change{}, Round: 1}
	}
	p := *a.PartnerAcceptance
	p.Proposed = slices.Clone(p.Proposed)
	if p.Proposed == nil {
		p.Proposed = []Change{}
	}
	return &p
}

// askAcceptance sends the agreement to the partner to accept: called on
// activation, with the programme's setting for instalment 1.
func (a *Agreement) askAcceptance(firstWaits bool) outbox.Key {
	a.PartnerAcceptance = &PartnerAcceptance{Status: AcceptanceAwaiting, Proposed: []Change{}, Round: 1, FirstInstalmentWaits: firstWaits}
	return outbox.AgreementKey()
}

// ActivateForAcceptance is ActivateWith, and the agreement is sent to the
// partner to accept (its outbox key is returned with the other effects'):
// firstWaits is the programme's setting that instalment 1 waits for the
// acceptance.
func (a *Agreement) ActivateForAcceptance(now time.Time, actor string, t Timing, firstWaits bool) (Activation, []AuditEntry, outbox.Key, error) {
	r, entries, err := a.ActivateWith(now, actor, t)
	if err != nil {
		return r, entries, outbox.Key{}, err
	}
	key := a.askAcceptance(firstWaits)
	// Said in the activation's own entry: the history keeps one line for it.
	entries[0].Detail = strings.TrimPrefix(entries[0].Detail+"; the agreement is sent to the partner to accept by reply", "; ")
	return r, entries, key, nil
}

// AcceptanceReply is the partner's emailed answer to the agreement or to a
// proposed change (its reply address's token names the agreement, not a
// check-in).
type AcceptanceReply struct {
	MessageID string
	From      string
	Text      string
	At        time.Time
}

// ReceiveAcceptance records the partner's reply: a short plain yes
// (IsAcceptance) accepts the agreement and every change proposed; anything
// else is a request for changes, kept in the partner's words for the
// officer. A message already recorded (another delivery of it) changes
// nothing: ErrNoChange.
func (a *Agreement) ReceiveAcceptance(r AcceptanceReply, actor string) ([]AuditEntry, error) {
	p := a.acceptanceCopy()
	if r.MessageID != "" && p.MessageID == r.MessageID {
		return nil, ErrNoChange
	}
	words, _ := Clip(strings.TrimSpace(r.Text), MaxAcceptanceWords)
	by := a.contactName(r.From)
	entry := AuditEntry{At: r.At.UTC(), Actor: actor, Subject: "agreement", Changes: slices.Clone(p.Proposed)}
	if IsAcceptance(words) {
		what := "the agreement"
		if len(p.Proposed) > 0 {
			what = "the changes proposed"
		}
		entry.Action, entry.Detail = "acceptance.accepted", fmt.Sprintf("%s accepted %s by email (SES message %s): %q", by, what, r.MessageID, oneLineOf(words, 200))
		p.Status, p.Proposed, p.Channel, p.Note, p.RecordedBy = AcceptanceAccepted, []Change{}, AcceptedByEmail, "", ""
	} else {
		entry.Action, entry.Detail = "acceptance.changes_asked", fmt.Sprintf("%s asked for changes by email (SES message %s): %q", by, r.MessageID, oneLineOf(words, 200))
		p.Status, p.Channel, p.Note, p.RecordedBy = AcceptanceChangesAsked, AcceptedByEmail, "", ""
	}
	p.At, p.By, p.MessageID, p.Words = r.At.UTC(), by, r.MessageID, words
	a.PartnerAcceptance = p
	a.touch(r.At, actor)
	return []AuditEntry{entry}, nil
}

// RecordAcceptance records an acceptance the partner gave another way (a
// signed paper copy, in a meeting or a call), with the officer's note: it
// accepts the agreement and every change proposed.
func (a *Agreement) RecordAcceptance(channel, note string, now time.Time, actor string) (AuditEntry, error) {
	var errs fieldErrors
	channel = strings.TrimSpace(channel)
	if !slices.Contains(AcceptanceChannels, channel) {
		errs.add("channel", "must be one of %s", strings.Join(AcceptanceChannels, ", "))
	}
	note = strings.TrimSpace(note)
	checkText(&errs, "note", note, MaxReason, true)
	if err := errs.err(); err != nil {
		return AuditEntry{}, err
	}
	if a.Status != AgreementActive {
		return AuditEntry{}, conflict("agreement_not_active", "Agreement %s is %s; an acceptance is recorded for an active agreement.", a.Reference, a.Status)
	}
	p := a.acceptanceCopy()
	by := a.leadName()
	entry := AuditEntry{At: now.UTC(), Actor: actor, Action: "acceptance.recorded", Subject: "agreement", Changes: slices.Clone(p.Proposed),
		Detail: fmt.Sprintf("%s accepted by %s (recorded by %s): %s", by, channel, actor, note)}
	p.Status, p.At, p.By, p.MessageID, p.Words = AcceptanceAccepted, now.UTC(), by, "", ""
	p.Channel, p.Note, p.RecordedBy, p.Proposed = channel, note, actor, []Change{}
	a.PartnerAcceptance = p
	a.touch(now, actor)
	return entry, nil
}

// AmendAndPropose amends the agreement (Amend); if it is active and the
// amendment changed what the partner accepted (terms, support, amounts or
// dates), the changes are proposed to the partner, who is sent them to
// accept (the outbox key is in the effects). Changes that only move an
// instalment earlier or a check-in later (in the partner's favour), and
// wording the officer marks as a typo fixed (m.Typo, for terms and
// support), need no acceptance; nor do contacts or the officer.
func (a *Agreement) AmendAndPropose(m Amendment, now time.Time, actor string) (Effects, error) {
	wasActive := a.Status == AgreementActive
	e, err := a.Amend(m, now, actor)
	if err != nil {
		return Effects{}, err
	}
	fx := Audited(e)
	fx.At = now
	if !wasActive {
		return fx, nil
	}
	var proposed []Change
	for _, c := range e.Changes {
		if needsAcceptance(c, m.Typo) {
			proposed = append(proposed, c)
		}
	}
	if len(proposed) == 0 {
		return fx, nil
	}
	p := a.acceptanceCopy()
	p.Status, p.Round = AcceptanceAwaiting, p.Round+1
	p.Proposed = append(p.Proposed, proposed...)
	a.PartnerAcceptance = p
	fx.Outbox = []outbox.Key{outbox.ProposalKey(p.Round)}
	// Said in the amendment's own entry, whose changes are listed there.
	fx.Audit[0].Detail += fmt.Sprintf("; proposed to the partner, who is sent %d %s to accept by reply", len(proposed), plural(len(proposed), "change", "changes"))
	return fx, nil
}

// needsAcceptance tells whether the partner must accept a change.
func needsAcceptance(c Change, typo bool) bool {
	switch {
	case c.Field == "contacts" || c.Field == "owner":
		return false
	case c.Field == "terms" || c.Field == "support":
		return !typo
	case strings.HasSuffix(c.Field, ".dueDate") && len(c.Before) == 1 && len(c.After) == 1:
		earlier := c.After[0] < c.Before[0] // YYYY-MM-DD sorts as dates do
		if strings.HasPrefix(c.Field, "instalments[") {
			return !earlier // money sooner is in the partner's favour
		}
		return earlier // more time to report is in the partner's favour
	}
	return true
}

// FirstInstalmentWaiting reports whether instalment n may not be paid yet
// because it is the first and the programme has it wait for the partner's
// acceptance, which has not come.
func (a *Agreement) FirstInstalmentWaiting(n int) bool {
	p := a.PartnerAcceptance
	return n == 1 && p != nil && p.FirstInstalmentWaits && p.Status != AcceptanceAccepted && p.Round == 1
}

// AcceptanceSummary is the agreement's acceptance in a sentence, as the
// page and the history say it.
func (a *Agreement) AcceptanceSummary() string {
	p := a.PartnerAcceptance
	if p == nil {
		return ""
	}
	on := func() string { return DateOf(p.At.In(a.Location())).Long() }
	switch p.Status {
	case AcceptanceAccepted:
		if p.Channel == AcceptedByEmail || p.Channel == "" {
			return fmt.Sprintf("Accepted by %s on %s", p.By, on())
		}
		return fmt.Sprintf("Accepted by %s on %s (%s, recorded by %s)", p.By, on(), p.Channel, p.RecordedBy)
	case AcceptanceChangesAsked:
		return fmt.Sprintf("Changes asked for by %s on %s", p.By, on())
	}
	if len(p.Proposed) > 0 {
		return "Changes proposed; agreed by partner: pending"
	}
	return "Sent to the partner; acceptance pending"
}

// ChangeWords says a change in plain words, before → after, for the
// partner and the page: "Instalment 2 due date: 1 June 2027 → 15 June 2027".
func ChangeWords(c Change, currency string) string {
	label := c.Field
	var n int
	switch {
	case c.Field == "terms":
		label = "Terms"
	case c.Field == "support":
		label = "Support"
	case c.Field == "award":
		label = "The award"
	case sscan(c.Field, "instalments[%d].amount", &n):
		label = fmt.Sprintf("Instalment %d amount", n)
	case sscan(c.Field, "instalments[%d].dueDate", &n):
		label = fmt.Sprintf("Instalment %d due date", n)
	case sscan(c.Field, "checkIns[%d].dueDate", &n):
		label = fmt.Sprintf("Check-in %d date", n)
	case c.Field == "contacts":
		label = "Contacts"
	}
	value := func(vs []string) string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = v
			if c.IsAmount() {
				var minor int64
				if _, err := fmt.Sscan(v, &minor); err == nil {
					out[i] = money.Amount{Minor: minor, Currency: currency}.Display()
				}
			} else if d, err := ParseDate(v); err == nil && strings.HasSuffix(c.Field, ".dueDate") {
				out[i] = d.Long()
			} else {
				out[i] = "“" + v + "”"
			}
		}
		if len(out) == 0 {
			return "(none)"
		}
		return strings.Join(out, "; ")
	}
	return label + ": " + value(c.Before) + " → " + value(c.After)
}

func sscan(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil && fmt.Sprintf(format, *n) == s
}

// contactName is the name of the contact at address, or the address.
func (a *Agreement) contactName(address string) string {
	for _, c := range a.Contacts {
		if SameAddress(c.Email, address) {
			return c.Name
		}
	}
	return address
}

// leadName is the partner's lead contact's name: the one with the role
// "lead", else the first.
func (a *Agreement) leadName() string {
	for _, c := range a.Contacts {
		if strings.EqualFold(c.Role, "lead") {
			return c.Name
		}
	}
	if len(a.Contacts) > 0 {
		return a.Contacts[0].Name
	}
	return "the partner"
}

func oneLineOf(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// acceptPhrases open a plain yes.
var acceptPhrases = []string{
	"yes", "yep", "yeah", "yup", "i agree", "we agree", "agree", "agreed", "i accept", "we accept", "accept", "accepted",
	"happy with this", "happy with that", "happy with it", "happy to accept", "happy to agree", "we are happy", "we re happy", "i am happy", "i m happy", "very happy",
	"all good", "looks good", "that s fine", "this is fine", "fine by us", "fine by me", "ok", "okay", "confirmed", "i confirm", "we confirm",
	"sounds good", "perfect", "great", "lovely", "that s great", "thank you we agree", "thanks we agree",
}

// doubts are words that turn a yes into something for the officer to read.
var doubts = []string{
	"but", "however", "change", "changes", "changed", "amend", "not", "no", "don t", "dont", "cannot", "can t", "cant", "won t",
	"except", "unless", "instead", "although", "though", "query", "question", "wrong", "mistake", "problem", "concern", "concerns", "disagree",
	"if", "could", "would", "can", "should", "move", "moved", "different", "later", "earlier",
}

// maxAcceptanceWords: a yes with a greeting and a sign-off is short; a
// longer message is for a person to read.
const maxAcceptanceWords = 30

// IsAcceptance recognises a short plain yes ("Yes", "I agree", "Happy with
// this, thanks! Sam"): the reply opens with an accepting phrase, asks
// nothing, raises no doubt and is short. Anything else is read as a
// request for changes, which a person reads: a doubtful yes costs the
// officer one look, a misread "yes, but" would bind the partner.
func IsAcceptance(text string) bool {
	if strings.Contains(text, "?") {
		return false
	}
	words := normalWords(text)
	if len(words) == 0 || len(words) > maxAcceptanceWords {
		return false
	}
	joined := " " + strings.Join(words, " ") + " "
	for _, d := range doubts {
		if strings.Contains(joined, " "+d+" ") {
			return false
		}
	}
	// Greetings before the yes are allowed ("Hi Olu, yes we agree").
	for len(words) > 0 && slices.Contains([]string{"hi", "hello", "dear", "morning", "good", "afternoon", "thanks", "thank", "you", "many"}, words[0]) {
		words = words[1:]
		if len(words) > 0 && !slices.Contains([]string{"yes", "we", "i", "happy", "agreed", "all", "ok", "okay"}, words[0]) && len(words) > 1 {
			// a name after the greeting: "Hi Olu, yes"
			if slices.Contains([]string{"yes", "we", "i", "happy", "agreed", "agree", "ok", "okay", "all", "looks", "that", "this", "fine", "confirmed", "perfect", "great", "accepted", "accept"}, words[1]) {
				words = words[1:]
			}
		}
	}
	rest := " " + strings.Join(words, " ") + " "
	for _, p := range acceptPhrases {
		if strings.HasPrefix(rest, " "+p+" ") {
			return true
		}
	}
	return false
}

// normalWords lower-cases text and splits it into words of letters and
// digits (an apostrophe splits: "that's" is "that s").
func normalWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
