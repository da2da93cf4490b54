package app

import (
	"slices"
	"testing"
)

// The day's cap of automatic emails that inbound mail causes is read from
// the template's two settings, each falling back to the template's default
// when unset or not a positive number.
func TestAutoMailCapReadsTheQuotaAndTheShare(t *testing.T) {
	for _, tc := range []struct {
		quota, percent string
		want           int
	}{
		{"50000", "25", 12_500},
		{"200", "25", 50},
		{"200", "50", 100},
		{"", "", 12_500},      // the template's defaults: 50,000 and 25%
		{"200", "", 50},       // the default share of a sandbox quota
		{"-5", "ten", 12_500}, // nonsense is not a setting
		{"1000000", "1", 10_000},
	} {
		c, _ := Load(env{"SES_DAILY_QUOTA": tc.quota, "INBOUND_MAIL_QUOTA_PERCENT": tc.percent}.get)
		if got := c.AutoMailCap(); got != tc.want {
			t.Errorf("SES_DAILY_QUOTA=%q INBOUND_MAIL_QUOTA_PERCENT=%q: cap %d, want %d", tc.quota, tc.percent, got, tc.want)
		}
	}
}

// The domains no contact may be at come from the configuration the
// template gives every function: the reply domain and the sender's domain.
func TestOwnDomainsAreTheReplyAndSenderDomains(t *testing.T) {
	c := Config{ReplyDomain: " reply.funder.example ", SenderEmail: "The Local Funder <partnerships@funder.example>"}
	if got, want := c.OwnDomains(), []string{"reply.funder.example", "funder.example"}; !slices.Equal(got, want) {
		t.Errorf("OwnDomains() = %q, want %q", got, want)
	}
	if got := (Config{}).OwnDomains(); len(got) != 0 {
		t.Errorf("with nothing configured, OwnDomains() = %q", got)
	}
}
