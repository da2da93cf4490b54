package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/memstore"
)

// Issue 23 in the pages: the create form takes a check-in count (a bad one
// shown by its field), and the agreement page says whether the money waits
// on check-ins: on schedule for a programme with no settings, after
// check-ins where its settings say so.
func TestCreateFormTakesCheckInsAndThePageSaysThePolicy(t *testing.T) {
	a := newApp(t)
	form := filledForm("k1")
	form.Set("checkIns", "13")
	r := a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	if r.code != http.StatusBadRequest || !strings.Contains(r.body, `id="err-checkInCount"`) || !strings.Contains(r.body, `value="13"`) {
		t.Errorf("13 check-ins: %d, error by its field and the value kept %v", r.code, strings.Contains(r.body, `id="err-checkInCount"`))
	}
	form = filledForm("k2")
	form.Set("checkIns", "2")
	r = a.as("olu@funder.example", grants.RoleProgramme, "POST", "/app/agreements", form)
	m := agreementPath.FindStringSubmatch(r.location)
	if m == nil {
		t.Fatalf("2 check-ins: %d %s", r.code, r.body)
	}
	got, err := a.svc.Agreement(context.Background(), m[1])
	if err != nil || len(got.CheckIns) != 2 || got.PaymentPolicy != grants.PolicyOnSchedule {
		t.Fatalf("created: %v, %+v", err, got)
	}
	page := a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+got.ID, nil)
	if !strings.Contains(page.body, `data-policy="onSchedule"`) || !strings.Contains(page.body, "Paid on schedule") {
		t.Errorf("the page does not say the money is paid on schedule")
	}

	if err := a.store.(*memstore.Store).PutProgrammeSettings(context.Background(), programme, grants.ProgrammeSettings{PaymentPolicy: grants.PolicyAfterCheckIn}); err != nil {
		t.Fatal(err)
	}
	id := a.create("k3")
	page = a.as("olu@funder.example", grants.RoleProgramme, "GET", "/app/agreements/"+id, nil)
	if !strings.Contains(page.body, `data-policy="afterCheckIn"`) {
		t.Errorf("an afterCheckIn programme's agreement page does not say its money waits on check-ins")
	}
}
