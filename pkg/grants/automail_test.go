package grants

import "testing"

func TestFlaggedMeansAnyCheckFailed(t *testing.T) {
	pass := Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	for _, tc := range []struct {
		name string
		v    Verdicts
		want bool
	}{
		{"all pass", pass, false},
		{"none known (a recorded conversation)", Verdicts{}, false},
		{"gray and unchecked are doubtful, not flagged", Verdicts{Spam: "GRAY", Virus: "PROCESSING_FAILED", SPF: "GRAY", DKIM: "DISABLED", DMARC: "GRAY"}, false},
		{"spam", Verdicts{Spam: "FAIL", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, true},
		{"virus", Verdicts{Spam: "PASS", Virus: "FAIL", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, true},
		{"SPF failed, though DMARC passed on DKIM", Verdicts{Spam: "PASS", Virus: "PASS", SPF: "FAIL", DKIM: "PASS", DMARC: "PASS"}, true},
		{"DKIM failed", Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "FAIL", DMARC: "PASS"}, true},
		{"DMARC failed", Verdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "FAIL"}, true},
		{"in any case and spacing", Verdicts{Spam: " fail "}, true},
	} {
		if got := tc.v.Flagged(); got != tc.want {
			t.Errorf("%s: Flagged() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAutoMailCapIsAShareOfTheQuota(t *testing.T) {
	for _, tc := range []struct {
		quota, percent, want int
	}{
		{50_000, 25, 12_500},
		{200, 25, 50}, // the SES sandbox
		{50_000, 50, 25_000},
		{3, 25, 1},      // a reply can still be thanked
		{999, 10, 99},   // rounded down: never more than the share
		{100, 150, 100}, // never more than the quota
		{0, 25, 0},
		{50_000, 0, 0},
	} {
		if got := AutoMailCap(tc.quota, tc.percent); got != tc.want {
			t.Errorf("AutoMailCap(%d, %d) = %d, want %d", tc.quota, tc.percent, got, tc.want)
		}
	}
}
