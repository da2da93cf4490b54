package service

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// Finding agreements (issue 26, item 1): the list searched, sorted, "my
// agreements", with its total, a page at a time both ways; written once for
// the JSON API and the pages.

// Finder is what finding reads: the search terms and the attention items
// each store keeps beside its agreements (find.go in pkg/dynamo), and the
// programme's aggregate for the totals.
type Finder interface {
	FindAgreements(ctx context.Context, programme string, words []string, owner string) ([]grants.Agreement, readcost.Cost, error)
	NeedingAttention(ctx context.Context, programme string, today grants.Date, cursor string, limit int) (grants.Page[grants.AttentionRow], []grants.AttentionRow, readcost.Cost, error)
	ProgrammeTally(ctx context.Context, programme string, today grants.Date) (reports.Tally, reports.Marks, readcost.Cost, error)
}

// The sorts of the list: by the partner's name, status, the date something
// is next due, or the award; "-" before one reverses it.
const (
	SortPartner = "partner"
	SortStatus  = "status"
	SortNext    = "next"
	SortAmount  = "amount"
)

// Sorts are the sorts the list offers.
var Sorts = []string{SortPartner, SortStatus, SortNext, SortAmount}

// SortLimit is how many agreements a sort with no search reads at most:
// sorting needs them all, each an index entry (about 0.16 read units each
// at 10,000 agreements, so 1,000 cost about 160). Past it, the list asks
// for a search, a status or "my agreements" first.
const SortLimit = 1000

// FindQuery is what a person asks the list for.
type FindQuery struct {
	Programme string
	// Q is the words typed: each must begin a word of the partner's name,
	// the reference, a contact's name or address (grants.SearchWords).
	Q      string
	Status grants.AgreementStatus
	// Owner is an officer's address: their agreements ("my agreements").
	Owner string
	Sort  string
	// Cursor pages the plain list (no search, no owner, no sort), both
	// ways; Page (from 1) pages what a search or sort found.
	Cursor string
	Page   int
	Limit  int
}

// Plain is whether q is the programme's list as the index keeps it.
func (q FindQuery) Plain() bool { return strings.TrimSpace(q.Q) == "" && q.Owner == "" && q.Sort == "" }

// Found is a page of the list with what it was read by.
type Found struct {
	Items []grants.Agreement `json:"items"`
	// Total is how many agreements the query matches, over every page.
	Total int `json:"total"`
	// NextCursor and PrevCursor page a plain list; Page and Pages what a
	// search or sort found.
	NextCursor string `json:"nextCursor,omitempty"`
	PrevCursor string `json:"prevCursor,omitempty"`
	Page       int    `json:"page,omitempty"`
	Pages      int    `json:"pages,omitempty"`
	// How says how the list was read, so its cost can be judged.
	How  string        `json:"how"`
	Read readcost.Cost `json:"-"`
}

// How each list is read.
const (
	HowIndex = "The programme index, one page at a time; the total from the programme's aggregate."
	HowTerms = "The programme's term list: one read of the terms beginning with the longest word typed (or of the officer's, for \"my agreements\"), then the agreements found, kept if they match the other words; the cost follows what that word matches, not the programme's size."
	HowScan  = "Every agreement of the status asked, from the programme index, to sort them: at most 1,000 (about 160 read units); past that, search or narrow first."
)

func invalidQuery(field, reason, msg string) error {
	return &grants.Error{Code: grants.Invalid, Message: msg, Reason: "validation",
		Fields: []grants.FieldError{{Field: field, Reason: reason}}}
}

// Find lists a programme's agreements as q asks.
func (x *Agreements) Find(ctx context.Context, q FindQuery) (Found, error) {
	f := x.store
	words := grants.SearchWords(q.Q)
	if len(words) > grants.MaxSearchWords {
		return Found{}, invalidQuery("q", fmt.Sprintf("has more than %d words", grants.MaxSearchWords),
			fmt.Sprintf("Search with at most %d words.", grants.MaxSearchWords))
	}
	if key := strings.TrimPrefix(q.Sort, "-"); q.Sort != "" && !slices.Contains(Sorts, key) {
		return Found{}, invalidQuery("sort", "is not one of partner, status, next or amount", "The list sorts by partner, status, next or amount.")
	}
	switch q.Status {
	case "", grants.AgreementDraft, grants.AgreementActive, grants.AgreementCompleted, grants.AgreementTerminated:
	default:
		return Found{}, invalidQuery("status", "is not a status", "There is no such status.")
	}
	if q.Limit < 1 {
		q.Limit = 50
	}
	today := grants.Today(x.env.Now(), x.env.location())
	var out Found
	var list []grants.Agreement
	switch {
	case q.Plain():
		page, err := x.store.ListAgreements(ctx, q.Programme, q.Status, q.Cursor, q.Limit)
		if err != nil {
			return out, err
		}
		total, cost, err := statusTotal(ctx, f, q, today)
		if err != nil {
			return out, err
		}
		return Found{Items: page.Items, Total: total, NextCursor: page.NextCursor, PrevCursor: page.PrevCursor, How: HowIndex, Read: cost}, nil
	case len(words) > 0 || q.Owner != "":
		found, cost, err := f.FindAgreements(ctx, q.Programme, words, q.Owner)
		if err != nil {
			return out, err
		}
		list, out.How, out.Read = found, HowTerms, cost
	default:
		total, _, err := statusTotal(ctx, f, q, today)
		if err != nil {
			return out, err
		}
		if total > SortLimit {
			return out, invalidQuery("sort", "needs a search first", fmt.Sprintf(
				"There are %d agreements to sort: search, choose a status or show your agreements first (sorting reads at most %d).", total, SortLimit))
		}
		cursor := ""
		for {
			page, err := x.store.ListAgreements(ctx, q.Programme, q.Status, cursor, 250)
			if err != nil {
				return out, err
			}
			list = append(list, page.Items...)
			if cursor = page.NextCursor; cursor == "" || len(list) > SortLimit {
				break
			}
		}
		out.How = HowScan
	}
	list = slices.DeleteFunc(list, func(a grants.Agreement) bool { return q.Status != "" && a.Status != q.Status })
	sortFound(list, q.Sort)
	out.Total = len(list)
	out.Pages = max(1, (out.Total+q.Limit-1)/q.Limit)
	out.Page = min(max(q.Page, 1), out.Pages)
	from := (out.Page - 1) * q.Limit
	out.Items = list[from:min(from+q.Limit, len(list))]
	slog.InfoContext(ctx, "agreements found", "programme", q.Programme, "words", len(words), "total", out.Total,
		"requests", out.Read.Requests, "itemsRead", out.Read.Items, "rcu", out.Read.CapacityUnits)
	return out, nil
}

// statusTotal is how many agreements of q's status the programme has, from
// its aggregate.
func statusTotal(ctx context.Context, f Finder, q FindQuery, today grants.Date) (int, readcost.Cost, error) {
	t, marks, cost, err := f.ProgrammeTally(ctx, q.Programme, today)
	if err != nil {
		return 0, cost, err
	}
	s, err := reports.FromTally(q.Programme, t, marks, 0, today)
	if err != nil {
		return 0, cost, err
	}
	switch q.Status {
	case grants.AgreementDraft:
		return s.Status.Draft, cost, nil
	case grants.AgreementActive:
		return s.Status.Active, cost, nil
	case grants.AgreementCompleted:
		return s.Status.Completed, cost, nil
	case grants.AgreementTerminated:
		return s.Status.Terminated, cost, nil
	}
	return s.Status.Total, cost, nil
}

// sortFound sorts what a search found; without a sort, by partner. Ties
// go by partner, then reference, so pages never shuffle.
func sortFound(list []grants.Agreement, sort string) {
	key, desc := strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	by := func(x, y *grants.Agreement) int {
		switch key {
		case SortStatus:
			return strings.Compare(string(x.Status), string(y.Status))
		case SortNext:
			// Nothing next due sorts last.
			switch xz, yz := x.Stats.NextDate.IsZero(), y.Stats.NextDate.IsZero(); {
			case xz && yz:
				return 0
			case xz:
				return 1
			case yz:
				return -1
			}
			return strings.Compare(x.Stats.NextDate.String(), y.Stats.NextDate.String())
		case SortAmount:
			return cmp.Or(strings.Compare(x.Currency, y.Currency), cmp.Compare(x.Amount, y.Amount))
		}
		return strings.Compare(grants.Fold(x.Partner.Name), grants.Fold(y.Partner.Name))
	}
	slices.SortStableFunc(list, func(x, y grants.Agreement) int {
		c := by(&x, &y)
		if desc {
			c = -c
		}
		return cmp.Or(c, strings.Compare(grants.Fold(x.Partner.Name), grants.Fold(y.Partner.Name)),
			strings.Compare(x.Reference, y.Reference), strings.Compare(x.ID, y.ID))
	})
}

// AttentionList is what of a programme needs a person (issue 26, item 2):
// a page of the agreements with something to do, those past their end
// date (on the first page), and the held messages.
type AttentionList struct {
	Items       []grants.AttentionRow `json:"items"`
	PastEndDate []grants.AttentionRow `json:"pastEndDate"`
	NextCursor  string                `json:"nextCursor,omitempty"`
	// Held counts the messages held for a person (the quarantine's list).
	Held int `json:"held"`
}

// Attention reads a page of what needs a person in the programme, in
// proportion to the page: never the whole programme. held is the held
// messages already counted (the overview reads them for its summary); -1
// reads them.
func (v Views) Attention(ctx context.Context, programme, cursor string, limit, held int) (AttentionList, error) {
	page, ended, cost, err := v.store.NeedingAttention(ctx, programme, v.Today(), cursor, limit)
	if err != nil {
		return AttentionList{}, err
	}
	slog.InfoContext(ctx, "attention read", "programme", programme, "agreements", len(page.Items)+len(ended),
		"requests", cost.Requests, "itemsRead", cost.Items, "rcu", cost.CapacityUnits)
	if held < 0 {
		list, err := v.HeldFor(ctx, programme)
		if err != nil {
			return AttentionList{}, err
		}
		held = len(list)
	}
	if ended == nil {
		ended = []grants.AttentionRow{}
	}
	return AttentionList{Items: page.Items, PastEndDate: ended, NextCursor: page.NextCursor, Held: held}, nil
}
