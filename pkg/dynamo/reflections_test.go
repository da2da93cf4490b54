package dynamo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/grants"
)

// TestReflectionItemsGolden pins the items of "you said, we did" (issue 24,
// item 4): a round's reflection in the programme's REFLECTIONS partition,
// and a partner's answer to it, a reply marked answersMessage under number
// 0 in its agreement's partition (testdata/reflection-items.golden.json;
// -update rewrites it); both read back as written.
func TestReflectionItemsGolden(t *testing.T) {
	ctx := context.Background()
	db, table := testenv.AppTable(t)
	st := New(db, table)
	r := grants.Reflection{Programme: goldenProg, Round: 1, Message: "You said: late payments.\nWe did: moved the pay run.",
		Status: grants.ReflectionQueued, Agreements: 12, Request: "0123456789abcdef0123", By: goldenActor, At: at(3)}
	checkAllSet(t, "Reflection", r)
	queueing := r
	queueing.Status, queueing.Agreements = grants.ReflectionQueueing, 0
	if _, err := st.StartReflection(ctx, queueing); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishReflection(ctx, r, nil, at(4)); err != nil {
		t.Fatal(err)
	}
	m := grants.Reply{AgreementID: goldenID, MessageID: "ses-msg-1", From: "lead@partner.example", Subject: "Re: You said, we did",
		ReceivedAt: at(5), Text: "Thank you.", FullText: "Thank you.\n> You said", Verdicts: grants.Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"},
		Attachments: []grants.Attachment{}, RawKey: "inbound/ses-msg-1", AnswersMessage: true}
	if err := st.Apply(ctx, goldenID, grants.Effects{At: at(5), Replies: []grants.Reply{m}}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join("testdata", "reflection-items.golden.json"), dumpTable(t, db, table, "none"))

	got, err := st.Reflection(ctx, goldenProg, 1)
	same(t, "reflection", got, &r, err)
	replies, err := st.Replies(ctx, goldenID, 0)
	same(t, "message", replies, []grants.Reply{m}, err)
}
