package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/logs"
)

// DeleteDraft deletes a draft agreement created by mistake, with all it
// wrote (its plans, history, reference, partner link, notes and its share
// of its programme's summary): nothing of it is kept, so nothing of it is
// left to mail or to count (issue 26, item 16). Only the programme role of
// its programme may, and only while it is a draft: else a Conflict with
// reason not_a_draft, which the store checks again as it deletes. A
// repeat finds no agreement: NotFound, the answer of a delete done.
func (x *Agreements) DeleteDraft(ctx context.Context, actor grants.Actor, id string) error {
	ctx = logs.WithAgreement(ctx, id)
	a, err := x.store.GetAgreement(ctx, id)
	if err != nil {
		return err
	}
	if !actor.HasIn(a.Programme, grants.RoleProgramme) {
		return &grants.Error{Code: grants.Forbidden, Message: "Only the programme team of its programme may delete a draft.", Reason: "forbidden"}
	}
	if a.Status != grants.AgreementDraft {
		return &grants.Error{Code: grants.Conflict, Reason: "not_a_draft",
			Message: fmt.Sprintf("Agreement %s is %s: only a draft can be deleted.", a.Reference, a.Status)}
	}
	if err := x.store.DeleteDraft(ctx, id); err != nil {
		return err
	}
	// The history goes with the draft: this line is the only trace.
	slog.InfoContext(ctx, "draft deleted", "actor", actor.ID, "programme", a.Programme)
	return nil
}

// DocumentRemover removes documents from where they are stored (the mail
// bucket's documents/ prefix; pkg/objects/links).
type DocumentRemover interface {
	// Remove deletes the file at key. A key with no file is no error: a
	// file never uploaded, or removed before, is as good as removed.
	Remove(ctx context.Context, key string) error
}

// NoteReader reads an agreement's notes, each with its documents.
type NoteReader interface {
	Notes(ctx context.Context, agreementID string) ([]grants.Note, error)
}

// Drafts deletes a draft created by mistake together with the documents
// uploaded to its notes, which the store's deletion cannot reach (they are
// files, not items).
type Drafts struct {
	agreements *Agreements
	notes      NoteReader
	files      DocumentRemover
}

// NewDrafts builds the deletion of drafts on the agreements' use cases,
// the notes they read and where documents are stored.
func NewDrafts(agreements *Agreements, notes NoteReader, files DocumentRemover) *Drafts {
	return &Drafts{agreements: agreements, notes: notes, files: files}
}

// DeleteDraft deletes the draft as Agreements.DeleteDraft does, then its
// documents' files. The keys are read before, as the deletion takes the
// notes that name them; the files go after the record, so a refused or
// failed deletion keeps every file its agreement still names. A file that
// will not go is logged, not returned: the draft is gone, and a repeat
// would find no agreement and so no keys, so failing would only tell the
// officer that a deletion done had not been.
func (x *Drafts) DeleteDraft(ctx context.Context, actor grants.Actor, id string) error {
	ctx = logs.WithAgreement(ctx, id)
	notes, err := x.notes.Notes(ctx, id)
	if err != nil {
		return err
	}
	if err := x.agreements.DeleteDraft(ctx, actor, id); err != nil {
		return err
	}
	for _, n := range notes {
		for _, d := range n.Documents {
			if err := x.files.Remove(ctx, d.Key); err != nil {
				slog.ErrorContext(ctx, "a deleted draft's document is left in storage", "document", d.ID, "error", err)
			}
		}
	}
	return nil
}
