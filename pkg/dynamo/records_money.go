package dynamo

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// The records of issue 23's money items (3: extra payments; 6: notices to
// the partner), kept apart from records.go's so each reads whole.

// extraRecord is a stored grants.Extra.
type extraRecord struct {
	Purpose              grants.ExtraPurpose `dynamodbav:"purpose"`
	Reason               string              `dynamodbav:"reason"`
	FromLaterInstalments bool                `dynamodbav:"fromLaterInstalments"`
	TakenFrom            []takenRecord       `dynamodbav:"takenFrom,omitempty"`
	AddedBy              string              `dynamodbav:"addedBy"`
	AddedAt              time.Time           `dynamodbav:"addedAt"`
}

func extraRecordOf(v grants.Extra) extraRecord {
	return extraRecord{
		Purpose:              v.Purpose,
		Reason:               v.Reason,
		FromLaterInstalments: v.FromLaterInstalments,
		TakenFrom:            mapSlice(v.TakenFrom, takenRecordOf),
		AddedBy:              v.AddedBy,
		AddedAt:              v.AddedAt,
	}
}

func (r extraRecord) domain() grants.Extra {
	return grants.Extra{
		Purpose:              r.Purpose,
		Reason:               r.Reason,
		FromLaterInstalments: r.FromLaterInstalments,
		TakenFrom:            mapSlice(r.TakenFrom, takenRecord.domain),
		AddedBy:              r.AddedBy,
		AddedAt:              r.AddedAt,
	}
}

// takenRecord is a stored grants.Taken.
type takenRecord struct {
	Instalment int   `dynamodbav:"instalment"`
	Amount     int64 `dynamodbav:"amount"`
}

func takenRecordOf(v grants.Taken) takenRecord {
	return takenRecord{Instalment: v.Instalment, Amount: v.Amount}
}

func (r takenRecord) domain() grants.Taken {
	return grants.Taken{Instalment: r.Instalment, Amount: r.Amount}
}

// noticeRecord is a stored grants.Notice.
type noticeRecord struct {
	Number     int               `dynamodbav:"number"`
	Kind       grants.NoticeKind `dynamodbav:"kind"`
	Instalment int               `dynamodbav:"instalment,omitempty"`
	CheckIn    int               `dynamodbav:"checkIn,omitempty"`
	Message    string            `dynamodbav:"message"`
	At         time.Time         `dynamodbav:"at"`
	By         string            `dynamodbav:"by"`
}

func noticeRecordOf(v grants.Notice) noticeRecord {
	return noticeRecord{Number: v.Number, Kind: v.Kind, Instalment: v.Instalment, CheckIn: v.CheckIn, Message: v.Message, At: v.At, By: v.By}
}

func (r noticeRecord) domain() grants.Notice {
	return grants.Notice{Number: r.Number, Kind: r.Kind, Instalment: r.Instalment, CheckIn: r.CheckIn, Message: r.Message, At: r.At, By: r.By}
}
