package app

import (
	"testing"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The configuration's programme exists with nothing created, under its
// name, zone and region; a second code in PROGRAMME_CODE under its code.
func TestConfiguredProgrammes(t *testing.T) {
	e := lambdaEnv()
	e["PROGRAMME_CODE"], e["PROGRAMME_NAME"], e["TIME_ZONE"], e["BANK_HOLIDAY_REGION"] = "community-2026", "Community Fund", "Europe/Belfast", "northern-ireland"
	c, err := Load(e.get)
	if err != nil {
		t.Fatal(err)
	}
	got := c.ConfiguredProgrammes()
	want := grants.Programme{Code: "community-2026", Name: "Community Fund", Currency: "GBP", TimeZone: "Europe/Belfast", Region: "northern-ireland"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	e = lambdaEnv()
	e["PROGRAMME_CODE"] = "a, b"
	c, _ = Load(e.get)
	if got := c.ConfiguredProgrammes(); len(got) != 2 || got[1].Code != "b" || got[1].Name != "b" || got[1].TimeZone != grants.DefaultTimeZone || got[1].Region != grants.DefaultRegion {
		t.Errorf("two codes: %+v", got)
	}
}
