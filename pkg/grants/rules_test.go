package grants

import (
	"slices"
	"testing"
)

func activeAgreement(t *testing.T) *Agreement {
	t.Helper()
	a, err := NewAgreement(validInput(), now, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Activate(now, "officer"); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDeliverableContacts(t *testing.T) {
	amina := Contact{Name: "Amina", Email: "amina@kit.org"}
	joe := Contact{Name: "Joe", Email: "joe@kit.org", Bounced: "bounce"}
	sam := Contact{Name: "Sam", Email: "sam@kit.org", Bounced: "complaint"}
	noAddress := Contact{Name: "Pat"}
	lee := Contact{Email: "lee@kit.org"}
	for name, tt := range map[string]struct {
		contacts, want []Contact
	}{
		"none":                      {nil, nil},
		"all deliverable, in order": {[]Contact{lee, amina}, []Contact{lee, amina}},
		"a bounce is skipped":       {[]Contact{joe, amina}, []Contact{amina}},
		"a complaint is skipped":    {[]Contact{amina, sam}, []Contact{amina}},
		"no address is skipped":     {[]Contact{noAddress, lee}, []Contact{lee}},
		"nobody left":               {[]Contact{joe, sam, noAddress}, nil},
	} {
		a := &Agreement{Contacts: tt.contacts}
		if got := a.DeliverableContacts(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", name, got, tt.want)
		}
	}
	a := activeAgreement(t)
	if _, marked := a.MarkContactBounced("AMINA@LevyKitchen.org.uk", "bounce", now); !marked || len(a.DeliverableContacts()) != 0 {
		t.Errorf("a marked bounce leaves %+v deliverable", a.DeliverableContacts())
	}
}
