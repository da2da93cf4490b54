package dynamo

import (
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// storyRecord is a stored grants.Story, in the agreement item's "stories"
// list (issue 24, item 5). Items written before it have none: the
// agreement reads with no stories.
type storyRecord struct {
	Number   int                 `dynamodbav:"number"`
	CheckIn  int                 `dynamodbav:"checkIn"`
	Passage  string              `dynamodbav:"passage"`
	MarkedBy string              `dynamodbav:"markedBy"`
	MarkedAt time.Time           `dynamodbav:"markedAt"`
	Status   grants.StoryStatus  `dynamodbav:"status"`
	Answers  []storyAnswerRecord `dynamodbav:"answers,omitempty"`
}

// storyAnswerRecord is a stored grants.StoryAnswer.
type storyAnswerRecord struct {
	At         time.Time `dynamodbav:"at"`
	How        string    `dynamodbav:"how"`
	By         string    `dynamodbav:"by"`
	RecordedBy string    `dynamodbav:"recordedBy,omitempty"`
	MessageID  string    `dynamodbav:"messageId,omitempty"`
	Words      string    `dynamodbav:"words,omitempty"`
	Note       string    `dynamodbav:"note,omitempty"`
	Answer     string    `dynamodbav:"answer"`
	Name       string    `dynamodbav:"name,omitempty"`
	Where      []string  `dynamodbav:"where,omitempty"`
}

func storyRecordOf(v grants.Story) storyRecord {
	return storyRecord{Number: v.Number, CheckIn: v.CheckIn, Passage: v.Passage, MarkedBy: v.MarkedBy, MarkedAt: v.MarkedAt, Status: v.Status,
		Answers: mapSlice(v.Answers, storyAnswerRecordOf)}
}

// domain reads a story; one with no answers reads with none (nil), as
// pkg/memstore keeps it.
func (r storyRecord) domain() grants.Story {
	return grants.Story{Number: r.Number, CheckIn: r.CheckIn, Passage: r.Passage, MarkedBy: r.MarkedBy, MarkedAt: r.MarkedAt, Status: r.Status,
		Answers: mapSlice(r.Answers, storyAnswerRecord.domain)}
}

func storyAnswerRecordOf(v grants.StoryAnswer) storyAnswerRecord {
	return storyAnswerRecord{At: v.At, How: v.How, By: v.By, RecordedBy: v.RecordedBy, MessageID: v.MessageID, Words: v.Words, Note: v.Note,
		Answer: v.Answer, Name: v.Name, Where: v.Where}
}

func (r storyAnswerRecord) domain() grants.StoryAnswer {
	return grants.StoryAnswer{At: r.At, How: r.How, By: r.By, RecordedBy: r.RecordedBy, MessageID: r.MessageID, Words: r.Words, Note: r.Note,
		Answer: r.Answer, Name: r.Name, Where: r.Where}
}
