package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// What the staff's forms need besides their use cases (issue 26, items 3
// and 4): every problem of a form in one round, and held messages filed
// by what staff see.

// CheckAgreement is every problem NewAgreement finds with in, without
// creating anything: a form that could not read some of its fields (an
// amount that is not one) still reports the others' problems in the same
// round. The programme's settings are not read: they only fill what in
// leaves unset, so they add no problem.
func (x *Agreements) CheckAgreement(in grants.NewAgreementInput) []grants.FieldError {
	in.OwnDomains = x.opts.OwnDomains
	_, err := grants.NewAgreement(x.env.Defaults.PlanDefaults(in), x.env.Now(), "check")
	var e *grants.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// referenceReader finds the agreement a reference (CP-2026-EKBMS) names.
type referenceReader interface {
	// AgreementIDByReference is the ID of the agreement with the
	// reference, or a NotFound *grants.Error.
	AgreementIDByReference(ctx context.Context, reference string) (string, error)
}

// AgreementID is the ID of the agreement that ref names: the reference
// staff see (any case, spaces around it ignored), or the agreement's ID.
func (x *Replies) AgreementID(ctx context.Context, ref string) (string, error) {
	return agreementIDOf(ctx, x.store, ref)
}

func agreementIDOf(ctx context.Context, store referenceReader, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if !grants.LooksLikeReference(ref) {
		return ref, nil
	}
	id, err := store.AgreementIDByReference(ctx, strings.ToUpper(ref))
	if grants.ErrorCode(err) == grants.NotFound {
		return "", &grants.Error{Code: grants.Invalid, Message: "No agreement has that reference.", Reason: "validation",
			Fields: []grants.FieldError{{Field: "agreement", Reason: "is not the reference of any agreement: check it against the agreement's page, e.g. CP-2026-EKBMS"}}}
	}
	return id, err
}

// Suggestion is an agreement a held message may answer, and why it is
// suggested.
type Suggestion struct {
	Agreement grants.Agreement
	// Exact: a contact of the agreement has the sender's address;
	// otherwise one has an address at the sender's domain.
	Exact bool
	Why   string
}

// SuggestScan bounds the agreements Suggest reads: the programme's
// running agreements, read from its index a page at a time, no more than
// this many (about 1 read unit each at the index's projection, so a
// held-messages page costs at most this many units whatever the
// programme's size; a programme with more running agreements gets
// suggestions from the first this many, and staff type the reference).
const SuggestScan = 500

// suggestionsShown is how many suggestions a held message gets.
const suggestionsShown = 5

// Suggest is, for each sender address, the agreements of programme a
// message from it may answer: those with a contact at that address first,
// then those with a contact at its domain (not a public mail domain, where
// a shared domain says nothing). Active agreements are read, then drafts
// (a draft's contacts may answer the agreement's own email), bounded by
// SuggestScan.
func (x *Agreements) Suggest(ctx context.Context, programme string, senders []string) (map[string][]Suggestion, error) {
	out := map[string][]Suggestion{}
	slices.Sort(senders)
	senders = slices.Compact(senders)
	if len(senders) == 0 {
		return out, nil
	}
	read := 0
	for _, status := range []grants.AgreementStatus{grants.AgreementActive, grants.AgreementDraft} {
		cursor := ""
		for read < SuggestScan {
			page, err := x.store.ListAgreements(ctx, programme, status, cursor, min(100, SuggestScan-read))
			if err != nil {
				return nil, err
			}
			read += len(page.Items)
			for _, a := range page.Items {
				for _, from := range senders {
					if s, ok := suggestion(a, from); ok {
						out[from] = append(out[from], s)
					}
				}
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
	}
	for from, list := range out {
		slices.SortStableFunc(list, func(a, b Suggestion) int {
			if a.Exact != b.Exact {
				if a.Exact {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Agreement.Reference, b.Agreement.Reference)
		})
		out[from] = list[:min(len(list), suggestionsShown)]
	}
	return out, nil
}

// suggestion tells whether a message from the address may answer a.
func suggestion(a grants.Agreement, from string) (Suggestion, bool) {
	addr := grants.AddressKey(from)
	domain := domainOf(addr)
	var byDomain *grants.Contact
	for i, c := range a.Contacts {
		key := grants.AddressKey(c.Email)
		if key == "" {
			continue
		}
		if key == addr {
			return Suggestion{Agreement: a, Exact: true, Why: c.Name + ", a contact, writes from this address"}, true
		}
		if byDomain == nil && domain != "" && !publicMail[domain] && domainOf(key) == domain {
			byDomain = &a.Contacts[i]
		}
	}
	if byDomain != nil {
		return Suggestion{Agreement: a, Why: "its contact " + byDomain.Name + " writes from @" + domain}, true
	}
	return Suggestion{}, false
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// publicMail are mail domains anyone may have an address at: two senders
// there are no more likely to be of one organisation than any two.
var publicMail = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "hotmail.com": true, "hotmail.co.uk": true, "outlook.com": true,
	"live.com": true, "live.co.uk": true, "yahoo.com": true, "yahoo.co.uk": true, "icloud.com": true, "me.com": true,
	"aol.com": true, "btinternet.com": true, "sky.com": true, "virginmedia.com": true, "protonmail.com": true,
	"proton.me": true, "mail.com": true, "gmx.com": true, "talktalk.net": true,
}

// CheckAmendment is what Amend would refuse in m, changing nothing: an
// amend form part of which could not be read saves nothing, yet tells the
// problems of the rest in the same round. It answers nil when m would be
// accepted, or the error reading the agreement.
func (x *Agreements) CheckAmendment(ctx context.Context, id string, m grants.Amendment) error {
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return err
	}
	m.OwnDomains = x.opts.OwnDomains
	if _, err := a.Amend(m, x.env.Now(), "check"); err != nil && len(grantsFields(err)) > 0 {
		return err
	}
	return nil
}

func grantsFields(err error) []grants.FieldError {
	var e *grants.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
