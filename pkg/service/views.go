package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
	"github.com/partnership-grants/backend/pkg/reports"
)

// ProgrammeReader reads a programme as a whole: its agreements from the
// programme index, the plans of some of them, or all of them with their
// plans (ProgrammePlans, in the order ProgrammeAgreements gives).
type ProgrammeReader interface {
	ProgrammeAgreements(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error)
	// ProgrammeTally reads the programme's aggregate and today's marks, at
	// a cost that does not grow with the programme.
	ProgrammeTally(ctx context.Context, programme string, today grants.Date) (reports.Tally, reports.Marks, readcost.Cost, error)
	ProgrammePlans(ctx context.Context, programme string) ([]grants.Agreement, readcost.Cost, error)
}

// HeldLister lists the replies held for a person, of one programme ("": those
// naming none) and one status.
type HeldLister interface {
	ListQuarantineOf(ctx context.Context, programme, status string) ([]grants.Quarantined, error)
}

// Views are the reads staff watch a programme by, written once for the JSON
// API and the web app: the summary, the exports' agreements
// and the replies held for the programme.
type Views struct {
	store ViewStore
	// env's Defaults are the deployment's programme settings (the on-time
	// setting); its Location nil reads "today" in Europe/London.
	env Env
}

// ViewStore is what the views read: a programme as a whole, its held
// messages, its replies and its late instalments.
type ViewStore interface {
	ProgrammeReader
	HeldLister
	ReplyReader
	LateReader
	ConfidentialReader // confidential.go
	// ProgrammeGetter reads a programme's own funder details for its
	// 360Giving file (issue 25, item 2; programmes.go).
	ProgrammeGetter
	// Finder reads what needs attention (issue 26, item 2; find.go).
	Finder
}

// NewViews builds the views on the store that holds all they read (the
// table): the held messages, the replies and the instalments late now
// included.
func NewViews(store ViewStore, env Env) Views { return Views{store: store, env: env} }

// Today is the date in the programme's time zone.
func (v Views) Today() grants.Date { return grants.Today(v.env.Now(), v.location()) }

func (v Views) location() *time.Location {
	if v.env.Location != nil {
		return v.env.Location
	}
	if loc, err := time.LoadLocation(grants.DefaultTimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Agreements reads a programme's agreements from the index and logs what
// the read cost, so a summary that grows expensive shows in the logs.
func (v Views) Agreements(ctx context.Context, programme string) ([]grants.Agreement, error) {
	list, cost, err := v.store.ProgrammeAgreements(ctx, programme)
	if err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "programme read", "programme", programme, "agreements", len(list),
		"pages", cost.Requests, "itemsRead", cost.Items, "rcu", cost.CapacityUnits)
	return list, nil
}

// Held lists the replies waiting for a person that a programme's staff
// should see: its own, and those whose agreement could not be told (a
// forged or damaged reply address), which every programme's staff should see.
func (v Views) HeldFor(ctx context.Context, programme string) ([]grants.Quarantined, error) {
	held, err := v.store.ListQuarantineOf(ctx, programme, grants.QuarantinePending)
	if err != nil {
		return nil, fmt.Errorf("list quarantined replies: %w", err)
	}
	if programme == "" {
		return held, nil
	}
	unnamed, err := v.store.ListQuarantineOf(ctx, "", grants.QuarantinePending)
	if err != nil {
		return nil, fmt.Errorf("list quarantined replies: %w", err)
	}
	held = append(held, unnamed...)
	slices.SortFunc(held, func(x, y grants.Quarantined) int { return strings.Compare(x.ID, y.ID) })
	return held, nil
}

// Summary is the programme at a glance, from its aggregate: its cost does
// not grow with the programme. A programme with no agreements is not an
// error: it is a programme that has not started.
func (v Views) Summary(ctx context.Context, programme string) (reports.Summary, []grants.Quarantined, error) {
	held, err := v.HeldFor(ctx, programme)
	if err != nil {
		return reports.Summary{}, nil, err
	}
	s, err := v.SummaryCounting(ctx, programme, len(held))
	if err == nil {
		err = v.MeasureLateness(ctx, &s)
	}
	return s, held, err
}

// SummaryCounting is Summary with the held replies already counted.
func (v Views) SummaryCounting(ctx context.Context, programme string, quarantined int) (reports.Summary, error) {
	today := v.Today()
	t, marks, cost, err := v.store.ProgrammeTally(ctx, programme, today)
	if err != nil {
		return reports.Summary{}, err
	}
	slog.InfoContext(ctx, "programme summary read", "programme", programme,
		"requests", cost.Requests, "itemsRead", cost.Items, "rcu", cost.CapacityUnits)
	return reports.FromTally(programme, t, marks, quarantined, today)
}

// withPlans reads every agreement of a programme with its plan, paging
// through one index, and logs what the read cost.
func (v Views) withPlans(ctx context.Context, programme string) ([]grants.Agreement, error) {
	list, cost, err := v.store.ProgrammePlans(ctx, programme)
	if err != nil {
		return nil, err
	}
	slog.InfoContext(ctx, "programme plans read", "programme", programme, "agreements", len(list),
		"pages", cost.Requests, "itemsRead", cost.Items, "rcu", cost.CapacityUnits)
	return list, nil
}

// CSV writes every agreement of the programme, one row per instalment,
// drafts and terminated agreements included: finance filters on the
// agreement_status column, and every agreement's rows sum to its award.
func (v Views) CSV(ctx context.Context, w interface{ Write([]byte) (int, error) }, programme string) error {
	full, err := v.withPlans(ctx, programme)
	if err != nil {
		return err
	}
	for i := range full {
		full[i].MeasureLateness(grants.Today(v.env.Now(), full[i].Location()))
	}
	return export.CSV(w, full)
}

// ThreeSixtyGiving is the programme's 360Giving file: its active, completed
// and part-paid agreements.
func (v Views) ThreeSixtyGiving(ctx context.Context, programme string, funder export.Funder) ([]byte, error) {
	// export.ThreeSixtyGiving chooses which agreements it may publish.
	full, err := v.withPlans(ctx, programme)
	if err != nil {
		return nil, err
	}
	// A programme created with funder details of its own publishes as that
	// funder, under its own name (the deployment's otherwise).
	p, found, err := v.store.Programme(ctx, programme)
	if err != nil {
		return nil, err
	}
	if found {
		funder = FunderOf(p, funder)
	}
	funder.Now = v.env.Now()
	out, err := export.ThreeSixtyGiving(full, funder)
	if errors.Is(err, export.ErrNothingToPublish) {
		return nil, &grants.Error{Code: grants.NotFound, Reason: "nothing_to_publish",
			Message: fmt.Sprintf("Programme %s has no active, completed or part-paid agreements to publish.", programme)}
	}
	return out, err
}

// ReplyReader reads the replies to an agreement's check-ins (every
// check-in's when n is 0).
type ReplyReader interface {
	Replies(ctx context.Context, agreementID string, n int) ([]grants.Reply, error)
}

// Feedback is "What partners told us": partners' words across a
// programme's agreements by check-in round, and what was read to find them.
type Feedback struct {
	Programme string                 `json:"programme"`
	Rounds    []grants.FeedbackRound `json:"rounds"`
	// Agreements is how many of the programme's agreements could hold
	// replies (not drafts; a check-in received, or terminated); Read is how
	// many of them were read, the newest first, at most Limit.
	Agreements int `json:"agreements"`
	Read       int `json:"read"`
	Limit      int `json:"limit"`
	// Found says how the answers are told apart in the replies.
	Found string `json:"found"`

	// ConfidentialSetAside is how many messages to the programme's
	// confidential feedback addresses were kept but not shown (spam, a
	// virus, unreadable, automatic; issue 24, item 2).
	ConfidentialSetAside int `json:"confidentialSetAside"`
}

// FeedbackFound says how "Feedback for us" answers are found.
const FeedbackFound = "The check-in email's fourth question asks for feedback for us; partners answer in free text. " +
	"Where a reply labels its answer \"Feedback for us\" or numbers its answers 1 to 4, the answer shown is from there on; " +
	"otherwise it is the whole reply (marked so), and a recorded conversation shows the partner's words."

// feedbackReaders is how many agreements' replies are read at once.
const feedbackReaders = 8

// repliesFeedback gathers what partners wrote across a programme's agreements,
// grouped by check-in round (Feedback adds the confidential feedback). It reads the programme index once, then one
// Query per agreement for its replies, for the newest grants.FeedbackLimit
// agreements that can have any: the index's stored Stats leave out drafts
// and agreements with no check-in received (a terminated agreement is read
// anyway: a reply can arrive after it ended).
func (v Views) repliesFeedback(ctx context.Context, programme string) (Feedback, error) {
	out := Feedback{Programme: programme, Limit: grants.FeedbackLimit, Found: FeedbackFound, Rounds: []grants.FeedbackRound{}}
	list, err := v.Agreements(ctx, programme)
	if err != nil {
		return out, err
	}
	var keep []grants.Agreement
	for _, a := range list {
		if a.Status != grants.AgreementDraft && (a.Stats.CheckInsReceived > 0 || a.Status == grants.AgreementTerminated) {
			keep = append(keep, a)
		}
	}
	out.Agreements = len(keep)
	slices.SortStableFunc(keep, func(x, y grants.Agreement) int { return y.CreatedAt.Compare(x.CreatedAt) })
	keep = keep[:min(len(keep), grants.FeedbackLimit)]
	out.Read = len(keep)
	if len(keep) == 0 {
		return out, nil
	}
	replies := make([][]grants.Reply, len(keep))
	errs := make([]error, len(keep))
	sem := make(chan struct{}, feedbackReaders)
	var wg sync.WaitGroup
	for i := range keep {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			replies[i], errs[i] = v.store.Replies(ctx, keep[i].ID, 0)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("read replies: %w", err)
	}
	byID := make(map[string][]grants.Reply, len(keep))
	for i := range keep {
		byID[keep[i].ID] = replies[i]
	}
	out.Rounds = grants.GatherFeedback(keep, byID, v.location())
	return out, nil
}
