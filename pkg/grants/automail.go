package grants

import "strings"

// Automatic emails that inbound mail causes: the acknowledgement to a
// reply's sender and the notice to staff that a reply came. Anyone can write
// to the reply domain, and every such email spends the SES daily quota that
// check-ins and remittances need, so they are limited: never an answer to
// mail SES flagged, one answer a sender a day, and at most a day's cap of
// them all (a share of the quota; see AutoMailCap).

// Flagged reports whether SES judged the message spam or found a virus in
// it, or its sender's SPF, DKIM or DMARC check failed. Such a message is
// never answered automatically: its From is as likely forged as not, and an
// answer to a forged address is backscatter that costs our reputation.
func (v Verdicts) Flagged() bool {
	for _, s := range []string{v.Spam, v.Virus, v.SPF, v.DKIM, v.DMARC} {
		if strings.EqualFold(strings.TrimSpace(s), "FAIL") {
			return true
		}
	}
	return false
}

// AutoMail asks for a place in a day's limits for one automatic email.
type AutoMail struct {
	// Key is the email's outbox key: a retry of the same email (its send
	// failed and the sweep tries again) is given the place it took.
	Key string
	// Sender is the address the email answers, when it goes to them: one
	// such email a sender a day. Empty for a notice to staff.
	Sender string
	// Day is the programme's calendar day the email goes on.
	Day Date
	// Cap is the most automatic emails the day may have.
	Cap int
}

// Withheld says why an automatic email was not sent; "" when it may go.
// The values are stored in the history's detail: never rename one.
type Withheld string

const (
	WithheldFlagged  Withheld = "flagged"    // the message it answers was flagged by SES
	WithheldSender   Withheld = "sender_day" // its sender had their automatic email today
	WithheldDailyCap Withheld = "daily_cap"  // the day's share of the SES quota is used
)

var withheldDescriptions = map[Withheld]string{
	WithheldFlagged:  "not answered: SES flagged the message (spam, virus, or SPF, DKIM or DMARC failed)",
	WithheldSender:   "not sent: the sender already had an automatic email today",
	WithheldDailyCap: "not sent: today's share of the SES quota for emails that inbound mail causes is used",
}

// Description is w in plain words, for the history.
func (w Withheld) Description() string {
	if s, ok := withheldDescriptions[w]; ok {
		return s
	}
	return string(w)
}

// DefaultAutoMailCap is the day's cap where none is configured: a quarter
// of the SES sandbox's 200 a day, so that an unconfigured deployment still
// leaves most of any quota to check-ins and remittances.
const DefaultAutoMailCap = 50

// AutoMailCap is the day's cap of automatic emails that inbound mail
// causes: percent of the account's SES daily quota, rounded down, and at
// least 1 when both are positive (a tiny quota still lets a reply be
// thanked). SES counts its quota over a rolling 24 hours, the cap counts a
// calendar day, so in the worst case (a flood either side of midnight)
// inbound mail uses twice percent of the quota in one 24 hours: percent at
// most 25 still leaves half of it to check-ins and remittances.
func AutoMailCap(dailyQuota, percent int) int {
	if dailyQuota <= 0 || percent <= 0 {
		return 0
	}
	return max(1, dailyQuota*min(percent, 100)/100)
}
