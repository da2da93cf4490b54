package grants

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// The JSON API's "support" stays a list of strings, as integrations have
// read it since the start; the follow-up is beside it, and reads back.
func TestSupportJSONKeepsItsShape(t *testing.T) {
	a := Agreement{ID: "x", Support: []SupportItem{{Item: "Evaluation mentoring", Status: SupportDelivered}}}
	b, err := json.Marshal(&a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"support":["Evaluation mentoring"]`) || !strings.Contains(string(b), `"supportFollowUp":[{"item":"Evaluation mentoring","status":"delivered"`) {
		t.Fatalf("agreement JSON %s", b)
	}
	var back Agreement
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Support, a.Support) || back.ID != "x" {
		t.Fatalf("read back %+v, %v", back, err)
	}
	var old Agreement
	if err := json.Unmarshal([]byte(`{"id": "y", "support": ["Board development"]}`), &old); err != nil || len(old.Support) != 1 || old.Support[0].Status != SupportOffered {
		t.Fatalf("the old shape reads as %+v, %v", old.Support, err)
	}
}
