package service_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
	"github.com/partnership-grants/backend/pkg/service"
)

var _ service.ThemeStore = (*memstore.Store)(nil)

// fieldsOf is the fields a validation error names.
func fieldsOf(err error) []string {
	var e *grants.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// An officer tags partners' feedback with themes (an earlier theme keeps
// its first spelling and is suggested), records what the programme did
// about one (what, when, who), and both are kept once with who and when.
// Bad input is refused by field: an empty theme, a missing action, day or
// who, an agreement not of the programme.
func TestThemesAndActions(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	env := service.Env{Now: func() time.Time { return now }, NewID: memstore.NewID}
	themes := service.NewThemes(st, env)
	a := oldAgreement(t, st, "Levy Kitchen", "1180123", 0)
	b := oldAgreement(t, st, "Glasgow Group", "SC012345", 1)

	if _, err := themes.Tag(ctx, "officer@funder.example", "pilot", service.ThemeTagInput{Theme: "Late  payments ", AgreementID: a.ID, CheckIn: 1}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	tag, err := themes.Tag(ctx, "other@funder.example", "pilot", service.ThemeTagInput{Theme: "late payments", AgreementID: b.ID, CheckIn: 2})
	if err != nil || tag.Theme != "Late payments" || tag.By != "other@funder.example" || !tag.At.Equal(now) {
		t.Errorf("an earlier theme again: %+v %v", tag, err)
	}
	if _, err := themes.Tag(ctx, "officer@funder.example", "pilot", service.ThemeTagInput{Theme: "Reporting burden", AgreementID: a.ID, CheckIn: 1}); err != nil {
		t.Fatal(err)
	}
	// Tagged twice: kept once.
	if _, err := themes.Tag(ctx, "officer@funder.example", "pilot", service.ThemeTagInput{Theme: "LATE PAYMENTS", AgreementID: a.ID, CheckIn: 1}); err != nil {
		t.Fatal(err)
	}
	in := service.ThemeActionInput{Theme: "late payments", What: "Moved the pay run to the first Monday of the month", On: "2026-06-20", Who: "Finance team"}
	for range 2 {
		if _, err := themes.Act(ctx, "officer@funder.example", "pilot", in); err != nil {
			t.Fatal(err)
		}
	}

	list, err := themes.List(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Late payments", "Reporting burden"}; !reflect.DeepEqual(list.Suggestions, want) {
		t.Errorf("suggestions %q, want %q", list.Suggestions, want)
	}
	late := list.Themes[0]
	if len(late.Tags) != 2 || late.Tags[0].AgreementID != a.ID || late.Tags[0].By != "officer@funder.example" || late.Tags[1].AgreementID != b.ID {
		t.Errorf("late payments tags: %+v", late.Tags)
	}
	if len(late.Actions) != 1 || late.Actions[0].Theme != "Late payments" || late.Actions[0].What != in.What || late.Actions[0].On.String() != "2026-06-20" ||
		late.Actions[0].Who != "Finance team" || late.Actions[0].By != "officer@funder.example" {
		t.Errorf("late payments actions: %+v", late.Actions)
	}
	if got := list.Of(a.ID, 1); !reflect.DeepEqual(got, []string{"Late payments", "Reporting burden"}) {
		t.Errorf("themes of a's check-in 1: %q", got)
	}
	if other, err := themes.List(ctx, "other"); err != nil || len(other.Themes) != 0 || other.Suggestions == nil {
		t.Errorf("another programme: %+v %v", other, err)
	}

	// Bad input, by field; nothing stored.
	for _, c := range []struct {
		in   service.ThemeTagInput
		want []string
	}{
		{service.ThemeTagInput{Theme: "  ", AgreementID: a.ID, CheckIn: 1}, []string{"theme"}},
		{service.ThemeTagInput{Theme: "", AgreementID: "", CheckIn: 0}, []string{"theme", "agreementId", "checkIn"}},
		{service.ThemeTagInput{Theme: "Venue costs", AgreementID: memstore.NewID(), CheckIn: 1}, []string{"agreementId"}},
	} {
		_, err := themes.Tag(ctx, "officer@funder.example", "pilot", c.in)
		if grants.ErrorCode(err) != grants.Invalid || !reflect.DeepEqual(fieldsOf(err), c.want) {
			t.Errorf("tag %+v: %v, want fields %q", c.in, err, c.want)
		}
	}
	if _, err := themes.Tag(ctx, "officer@funder.example", "another-programme", service.ThemeTagInput{Theme: "Venue costs", AgreementID: a.ID, CheckIn: 1}); !reflect.DeepEqual(fieldsOf(err), []string{"agreementId"}) {
		t.Errorf("another programme's agreement: %v", err)
	}
	_, err = themes.Act(ctx, "officer@funder.example", "pilot", service.ThemeActionInput{Theme: " ", What: "", On: "20/06/2026", Who: ""})
	if want := []string{"theme", "what", "on", "who"}; grants.ErrorCode(err) != grants.Invalid || !reflect.DeepEqual(fieldsOf(err), want) {
		t.Errorf("bad action: %v, want fields %q", err, want)
	}
	if again, _ := themes.List(ctx, "pilot"); !reflect.DeepEqual(again.Suggestions, list.Suggestions) || len(again.Themes[0].Actions) != 1 {
		t.Errorf("bad input stored something: %+v", again)
	}
}
