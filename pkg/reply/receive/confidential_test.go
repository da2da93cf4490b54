package receive_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/dev/testenv"
	"github.com/partnership-grants/backend/pkg/dev/testenv/replyworld"
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

// confidentialMail is an email to the feedback address, quoting the
// check-in, with a file that names its sender.
func confidentialMail(from, to, messageID, text string) []byte {
	var b bytes.Buffer
	b.WriteString("From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: How is it going? Hope House\r\nMessage-ID: " + messageID + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n")
	b.WriteString("--xx\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n\r\nOn Mon, 20 Apr 2026, Partnerships wrote:\r\n> Hello Sarah Jenkins, check-in 1 for Hope House\r\n")
	b.WriteString("--xx\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"hope-house-letter.txt\"\r\n\r\nSarah Jenkins, Hope House\r\n--xx--\r\n")
	return b.Bytes()
}

// What reaches the confidential feedback address offered with check-in 1
// (issue 24, item 2) is stored once, however often and however
// concurrently it is delivered, for staff without its sender: the words
// (quotes stripped), the programme, round 1 and the day; no file. Where it
// came from is kept apart. It is no reply, no held message, no history
// entry and no file under the agreement, and nobody is emailed. A sender
// who is not a contact is shown, marked unverified; spam is set aside; a
// forged feedback+ address is set aside naming no agreement, and not held.
func TestConfidentialFeedbackIsStoredWithoutItsSender(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testenv.NewClock(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC), time.Millisecond)
	w := replyworld.NewInMemory(t, clock.Now)
	store := w.Store.(*memstore.Store)
	a, _ := w.ActiveAgreement(t)
	checkIn := w.MailTo(t, w.Partner)[0]
	address := regexp.MustCompile(`feedback\+[a-z0-9]+@[a-z0-9.-]+[a-z]`).FindString(checkIn.Body.Text)
	if address == "" {
		t.Fatalf("the check-in offers no feedback address:\n%s", checkIn.Body.Text)
	}
	historyBefore := len(w.History(t, a.ID))
	mailBefore := len(w.MailTo(t, w.Partner))

	// The same SES message three times at once, then the same email as a
	// new SES message.
	raw := confidentialMail(w.Partner, address, "<conf-1@hopehouse.org.uk>", "CONFIDENTIAL the visits feel like inspections.")
	id := w.Put(t, raw)
	ev := replyworld.Event(id, w.Partner, address, replyworld.Pass, clock.Now())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { _ = w.Receiver.Handle(ctx, ev) })
	}
	wg.Wait()
	if err := w.Receiver.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	w.Receive(t, raw, w.Partner, address, replyworld.Pass)

	w.Receive(t, confidentialMail(w.Stranger, address, "<conf-2@gmail.com>", "UNVERIFIED more notice, please."), w.Stranger, address, replyworld.Pass)
	spam := replyworld.Pass
	spam.Spam = "FAIL"
	w.Receive(t, confidentialMail(w.Stranger, address, "<conf-3@gmail.com>", "SPAM buy now"), w.Stranger, address, spam)
	forged := w.Receive(t, confidentialMail(w.Stranger, replyworld.Forge(address), "<conf-4@gmail.com>", "FORGED hello"), w.Stranger, replyworld.Forge(address), replyworld.Pass)

	list, err := store.ConfidentialFeedback(ctx, a.Programme)
	if err != nil {
		t.Fatal(err)
	}
	byWords := map[string]grants.ConfidentialFeedback{}
	setAside := 0
	for _, f := range list {
		if f.SetAside != "" {
			setAside++
			if f.Words != "" || f.SetAside != "spam" {
				t.Errorf("set aside as %+v", f)
			}
			continue
		}
		byWords[strings.Fields(f.Words)[0]] = f
	}
	if len(list) != 3 || setAside != 1 || len(byWords) != 2 {
		t.Fatalf("stored %+v; want the partner's once, the unverified one and the spam set aside", list)
	}
	got := byWords["CONFIDENTIAL"]
	if got.Words != "CONFIDENTIAL the visits feel like inspections." || got.Round != 1 || got.Programme != a.Programme ||
		got.On != grants.Today(clock.Now(), time.UTC) || got.Files != 1 || got.Unverified {
		t.Errorf("stored %+v", got)
	}
	if u := byWords["UNVERIFIED"]; !u.Unverified {
		t.Errorf("the stranger's is %+v, want it marked unverified", u)
	}
	sender, err := store.ConfidentialSender(ctx, got.ID)
	if err != nil || sender == nil || sender.AgreementID != a.ID || sender.MessageID != id || sender.Round != 1 {
		t.Errorf("its sender's record: %+v, %v", sender, err)
	}
	if fs, err := store.ConfidentialSender(ctx, grants.ConfidentialID(forged)); err != nil || fs == nil || fs.AgreementID != "" || fs.Reason != "bad_token" {
		t.Errorf("the forged one's record: %+v, %v", fs, err)
	}

	// Nothing of it is a reply, a held message, a history entry, a file
	// under the agreement or an email.
	if rs := w.Replies(t, a.ID, 0); len(rs) != 0 {
		t.Errorf("stored as replies: %+v", rs)
	}
	if held, _ := w.Store.ListQuarantine(ctx, ""); len(held) != 0 {
		t.Errorf("held: %+v", held)
	}
	if h := w.History(t, a.ID); len(h) != historyBefore {
		t.Errorf("the agreement's history grew: %+v", h[historyBefore:])
	}
	var files []string
	if err := w.Bucket.Keys(ctx, "attachments/", "", func(k string) bool { files = append(files, k); return true }); err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("files stored: %v", files)
	}
	if n := len(w.MailTo(t, w.Partner)); n != mailBefore {
		t.Errorf("the partner was emailed %d times more", n-mailBefore)
	}
	if n := len(w.MailTo(t, w.Officer)); n != 0 {
		t.Errorf("the officer was emailed %d times", n)
	}

	// Staff read it as from "a partner in round 1", with no agreement.
	f, err := service.NewViews(store, service.Env{Now: clock.Now, Location: time.UTC}).Feedback(ctx, a.Programme)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, r := range f.Rounds {
		for _, e := range r.Entries {
			shown++
			if !e.Confidential || e.From != "a partner in round 1" || e.AgreementID != "" || e.Partner != "" || e.Reference != "" || r.CheckIn != 1 {
				t.Errorf("shown as %+v in round %d", e, r.CheckIn)
			}
		}
	}
	if shown != 2 || f.ConfidentialSetAside != 1 {
		t.Errorf("%d shown, %d set aside: %+v", shown, f.ConfidentialSetAside, f)
	}
}
