package grants

// Finding agreements (issue 26, item 1) and what about one needs a person
// (item 2). Both are worked out here, from the agreement alone, so that each
// store keeps them beside the agreement in the same write: a search reads
// the terms that begin with the words typed, and the overview reads the
// agreements needing attention, never the whole programme.

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// letters spells the letters that are not an accent on a letter the way a
// person typing without accents would: "Ærø" is found by "aero".
var letters = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "þ", "th", "'", "", "’", "", "‘", "")

// plain is each accented lower-case Latin letter's letter without its
// accent. A table, not Unicode normalisation: golang.org/x/text's tables
// would add 300 KB to every function that links this package.
var plain = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđð", 'e': "èéêëēĕėęě", 'g': "ĝğġģ", 'h': "ĥħ",
		'i': "ìíîïĩīĭįı", 'j': "ĵ", 'k': "ķ", 'l': "ĺļľŀł", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő",
		'r': "ŕŗř", 's': "śŝşšș", 't': "ţťŧț", 'u': "ùúûüũūŭůűų", 'w': "ŵ", 'y': "ýÿŷ", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()

// Fold is s lower-cased with its accents taken off, so "Café Ünïon" and
// "cafe union" compare equal; apostrophes go, so "Mary's" reads "marys".
// A combining accent (a decomposed "é") goes too.
func Fold(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := plain[r]; ok {
			return p
		}
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, letters.Replace(strings.ToLower(s)))
}

// SearchWords are the folded words of s, each once, in order: its runs of
// letters and digits. An email address is its words ("jo@acme.org": jo,
// acme, org) and a reference its parts ("CP-2026-EKBMS": cp, 2026, ekbms),
// so typing either whole finds it, as does typing its beginning.
func SearchWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// MaxSearchWords bounds the words of one search: each is one read.
const MaxSearchWords = 6

// ownerTerm starts the term of an agreement's officer: no folded word
// starts with it, so typing never finds an agreement by its officer.
const ownerTerm = "~owner:"

// OwnerTerm is the term of the agreements whose officer's address is email.
func OwnerTerm(email string) string { return ownerTerm + strings.ToLower(strings.TrimSpace(email)) }

// MaxSearchTerms bounds an agreement's search terms: each is an item
// written in the transaction that writes the agreement, which DynamoDB
// limits to 100 items, and the largest agreement (36 instalments and
// check-ins) leaves room for this many.
const MaxSearchTerms = 16

// SearchTerms are what an agreement is found by: its officer's term
// (OwnerTerm), the words of its reference, its partner's name, and its
// contacts' names and addresses, in that order up to MaxSearchTerms (an
// agreement with many contacts is found by its first ones). Sorted, each
// once.
func (a *Agreement) SearchTerms() []string {
	var out []string
	if !a.Owner.IsZero() {
		out = append(out, OwnerTerm(a.Owner.Email))
	}
	text := []string{a.Reference, a.Partner.Name}
	for _, c := range a.Contacts {
		text = append(text, c.Name, c.Email)
	}
	for _, t := range text {
		for _, w := range SearchWords(t) {
			if len(out) < MaxSearchTerms && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Matches reports whether a has, for every word, a term beginning with it,
// and, owner given, that officer: what a search finds.
func (a *Agreement) Matches(words []string, owner string) bool {
	terms := a.SearchTerms()
	if owner != "" && !slices.Contains(terms, OwnerTerm(owner)) {
		return false
	}
	for _, w := range words {
		if !slices.ContainsFunc(terms, func(t string) bool { return strings.HasPrefix(t, w) }) {
			return false
		}
	}
	return true
}

// Attention is what about one agreement needs a person, as counts: each
// zero when nothing does. Whether an active agreement is past its end date
// depends on today, so it is kept apart (the programme's end-date markers).
type Attention struct {
	InstalmentsDue  int `json:"instalmentsDue,omitempty"`
	InstalmentsHeld int `json:"instalmentsHeld,omitempty"`
	CheckInsOverdue int `json:"checkInsOverdue,omitempty"`
	// HelpToFollowUp: replies asking for help, not yet followed up.
	HelpToFollowUp int `json:"helpToFollowUp,omitempty"`
	// ChangesAsked: the partner answered the agreement or a change with
	// anything but a plain yes (1 or 0).
	ChangesAsked int `json:"changesAsked,omitempty"`
	// BouncingContacts: contacts whose mail bounced, on a running agreement.
	BouncingContacts int `json:"bouncingContacts,omitempty"`
}

// IsZero reports whether nothing needs a person.
func (t Attention) IsZero() bool { return t == Attention{} }

// AttentionOf is what about a needs a person, from its stored Stats and
// acceptance: a draft needs nothing yet, and a completed or terminated
// agreement only its help requests (a partner who asked for help still
// should be answered).
func AttentionOf(a *Agreement) Attention {
	var t Attention
	if a == nil || a.Status == AgreementDraft {
		return t
	}
	st := a.Stats
	t.HelpToFollowUp = st.HelpToFollowUp
	if a.Status != AgreementActive {
		return t
	}
	t.InstalmentsDue, t.InstalmentsHeld, t.CheckInsOverdue = st.InstalmentsDue, st.InstalmentsHeld, st.CheckInsOverdue
	t.BouncingContacts = st.BouncingContacts
	t.ChangesAsked = st.ChangesAsked
	return t
}

// nextDate is the earliest date something of a is next due: an instalment
// not yet paid or cancelled, or a check-in not yet in or waived; zero for
// an agreement that is over or has nothing left.
func (a *Agreement) nextDate() Date {
	if a.Status == AgreementCompleted || a.Status == AgreementTerminated {
		return Date{}
	}
	var next Date
	earlier := func(d Date) {
		if !d.IsZero() && (next.IsZero() || d.Before(next)) {
			next = d
		}
	}
	for _, in := range a.Instalments {
		if in.Status != InstalmentPaid && in.Status != InstalmentCancelled {
			earlier(in.DueDate)
		}
	}
	for _, c := range a.CheckIns {
		if c.Status != CheckInReceived && c.Status != CheckInWaived {
			earlier(c.DueDate)
		}
	}
	return next
}

// AttentionRow is one agreement needing a person, as the overview lists
// it: what needs attention, and whether it is active past its end date.
type AttentionRow struct {
	AgreementID string          `json:"agreementId"`
	Reference   string          `json:"reference"`
	Partner     string          `json:"partner"`
	Status      AgreementStatus `json:"status"`
	Attention
	PastEndDate bool `json:"pastEndDate,omitempty"`
	EndDate     Date `json:"endDate,omitzero"`
}

// SortAttention orders rows by reference, as every store answers them.
func SortAttention(rows []AttentionRow) {
	slices.SortFunc(rows, func(x, y AttentionRow) int {
		return cmp.Or(strings.Compare(x.Reference, y.Reference), strings.Compare(x.AgreementID, y.AgreementID))
	})
}
