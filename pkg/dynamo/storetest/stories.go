package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
)

// An agreement's stories (issue 24, item 5) are kept with it: marked with
// their consent email enqueued in the same write, answered, and read back
// as written, by the agreement and by its programme's list.
func storiesKept(t *testing.T, st Store) {
	ctx := context.Background()
	a := create(t, st, draft(t, "stories", 1, "2026-07-01"))
	activate(t, st, a.ID, true)
	var story grants.Story
	_, err := st.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		s, fx, err := grants.MarkStory(a, 1, "We cooked with the young people every Friday.", Now, officer)
		story = s
		return fx, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := st.Outbox(ctx, a.ID, outbox.StoryKey(story.Number).String()); err != nil || e == nil || e.Status != outbox.StatusPending {
		t.Errorf("the consent email's entry: %+v %v", e, err)
	}
	want, err := st.UpdateAgreement(ctx, a.ID, 0, func(a *grants.Agreement) (grants.Effects, error) {
		entries, err := grants.ReceiveStoryAnswer(a, grants.StoryReply{Story: 1, MessageID: "ses-story-1", From: "lead@partner.example",
			Text: "Yes, with our organisation's name on your website", At: Now.Add(time.Hour)}, "lead@partner.example")
		return grants.Effects{At: Now.Add(time.Hour), Audit: entries}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetAgreement(ctx, a.ID)
	if err != nil || !reflect.DeepEqual(got.Stories, want.Stories) || len(got.Stories) != 1 || got.Stories[0].Status != grants.StoryConsented {
		t.Fatalf("read back %+v %v, want %+v", got.Stories, err, want.Stories)
	}
	list, _, err := st.ProgrammeAgreements(ctx, "stories")
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0].Stories, want.Stories) {
		t.Errorf("the programme's agreements: %+v %v", list, err)
	}
	if shared := grants.SharedStories(list); len(shared) != 1 || shared[0].Consent.Name != grants.StoryOrganisation {
		t.Errorf("shared: %+v", shared)
	}
}
