package grants

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestReadStoryAnswer(t *testing.T) {
	all := StoryPlaces
	for _, c := range []struct {
		text   string
		answer string
		name   string
		where  []string
	}{
		{"Yes, you can use it with our organisation's name on your website", StoryYes, StoryOrganisation, []string{StoryOnWebsite}},
		{"Yes", StoryYes, StoryAnonymous, all},
		{"Hi Olu, yes of course! First names only please.\n\nSam", StoryYes, StoryFirstNames, all},
		{"Happy for you to use it, but anonymously please, and only in the annual report", StoryYes, StoryAnonymous, []string{StoryInAnnualReport}},
		{"Yes, no problem. Use our organisation's name, first names are fine too", StoryYes, StoryFirstNames, all},
		{"Sure, on social media and your website", StoryYes, StoryAnonymous, []string{StoryOnWebsite, StoryOnSocialMedia}},
		{"no", StoryNo, "", nil},
		{"Please don't use it", StoryNo, "", nil},
		{"We've changed our minds, please take it down.", StoryNo, "", nil},
		{"Yes, don't name us", StoryYes, StoryAnonymous, all},
		{"Can you send us the wording first?", StoryUnclear, "", nil},
		{"Yes, but could we check the wording before?", StoryUnclear, "", nil},
		{"Thanks for getting in touch, I'll ask the committee", StoryUnclear, "", nil},
		{"", StoryUnclear, "", nil},
	} {
		got := ReadStoryAnswer(c.text)
		if got.Answer != c.answer || got.Name != c.name || !slices.Equal(got.Where, c.where) {
			t.Errorf("%q: read %+v, want %s %s %v", c.text, got, c.answer, c.name, c.where)
		}
	}
}

func TestStoryConsentMovesWithAnswers(t *testing.T) {
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &Agreement{ID: "a1", Reference: "R-1", Status: AgreementActive, Contacts: []Contact{{Name: "Sam Taylor", Email: "sam@p.example", Role: "lead"}}}
	if _, _, err := MarkStory(a, 1, "  ", now, "olu"); ErrorCode(err) != Invalid {
		t.Fatalf("an empty passage: %v", err)
	}
	s, fx, err := MarkStory(a, 1, "The young people wrote their own play.", now, "olu")
	if err != nil || s.Number != 1 || s.Status != StoryAsked || len(fx.Outbox) != 1 || fx.Outbox[0].String() != "story#01" {
		t.Fatalf("mark: %+v %+v %v", s, fx, err)
	}
	if _, _, err := MarkStory(a, 1, "the young people  wrote their own play.", now, "olu"); !errors.Is(err, ErrNoChange) {
		t.Fatalf("marked again: %v", err)
	}
	answer := func(id, text string) StoryStatus {
		t.Helper()
		if _, err := ReceiveStoryAnswer(a, StoryReply{Story: 1, MessageID: id, From: "SAM@p.example", Text: text, At: now}, "sam@p.example"); err != nil {
			t.Fatal(err)
		}
		return FindStory(a, 1).Status
	}
	if st := answer("m1", "I'll ask the committee"); st != StoryAsked {
		t.Errorf("unclear: %s", st)
	}
	if st := answer("m2", "Yes, with our organisation's name"); st != StoryConsented || StoryConsent(*FindStory(a, 1)).By != "Sam Taylor" || StoryConsent(*FindStory(a, 1)).Name != StoryOrganisation {
		t.Errorf("yes: %s %+v", st, StoryConsent(*FindStory(a, 1)))
	}
	if len(SharedStories([]Agreement{*a})) != 1 {
		t.Error("a consented story is not shared")
	}
	if _, err := ReceiveStoryAnswer(a, StoryReply{Story: 1, MessageID: "m2", Text: "Yes"}, "x"); !errors.Is(err, ErrNoChange) {
		t.Errorf("the same message again: %v", err)
	}
	if st := answer("m3", "Please don't use it"); st != StoryWithdrawn || len(SharedStories([]Agreement{*a})) != 0 || len(FindStory(a, 1).Answers) != 3 {
		t.Errorf("withdrawn: %s", st)
	}
	if _, err := RecordStoryConsent(a, 1, "", "", nil, now, "olu"); ErrorCode(err) != Invalid {
		t.Errorf("no note: %v", err)
	}
	e, err := RecordStoryConsent(a, 1, "Agreed on the phone", "firstNames", []string{"website"}, now, "olu")
	if err != nil || FindStory(a, 1).Status != StoryConsented || StoryConsent(*FindStory(a, 1)).How != StoryByOfficer || e.Action != "story.consented" {
		t.Errorf("recorded: %+v %v", FindStory(a, 1), err)
	}
}
