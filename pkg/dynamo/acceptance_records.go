package dynamo

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// partnerAcceptanceRecord is a stored grants.PartnerAcceptance, an
// attribute of the agreement's item (issue 23, items 4 and 5). Items
// written before it have none: the agreement reads with no acceptance.
type partnerAcceptanceRecord struct {
	Status               grants.AcceptanceStatus `dynamodbav:"status"`
	At                   time.Time               `dynamodbav:"at,omitempty"`
	By                   string                  `dynamodbav:"by,omitempty"`
	MessageID            string                  `dynamodbav:"messageId,omitempty"`
	Words                string                  `dynamodbav:"words,omitempty"`
	Channel              string                  `dynamodbav:"channel,omitempty"`
	Note                 string                  `dynamodbav:"note,omitempty"`
	RecordedBy           string                  `dynamodbav:"recordedBy,omitempty"`
	Proposed             []changeRecord          `dynamodbav:"proposed,omitempty"`
	Round                int                     `dynamodbav:"round"`
	FirstInstalmentWaits bool                    `dynamodbav:"firstInstalmentWaits,omitempty"`
}

func partnerAcceptanceRecordOf(v grants.PartnerAcceptance) partnerAcceptanceRecord {
	return partnerAcceptanceRecord{
		Status:               v.Status,
		At:                   v.At,
		By:                   v.By,
		MessageID:            v.MessageID,
		Words:                v.Words,
		Channel:              v.Channel,
		Note:                 v.Note,
		RecordedBy:           v.RecordedBy,
		Proposed:             mapSlice(v.Proposed, changeRecordOf),
		Round:                v.Round,
		FirstInstalmentWaits: v.FirstInstalmentWaits,
	}
}

func (r partnerAcceptanceRecord) domain() grants.PartnerAcceptance {
	proposed := mapSlice(r.Proposed, changeRecord.domain)
	if proposed == nil {
		proposed = []grants.Change{}
	}
	return grants.PartnerAcceptance{
		Status:               r.Status,
		At:                   r.At,
		By:                   r.By,
		MessageID:            r.MessageID,
		Words:                r.Words,
		Channel:              r.Channel,
		Note:                 r.Note,
		RecordedBy:           r.RecordedBy,
		Proposed:             proposed,
		Round:                r.Round,
		FirstInstalmentWaits: r.FirstInstalmentWaits,
	}
}
