package dynamo

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/readcost"
)

// An agreement's notes and documents (issue 26, item 16) live in a
// partition of their own, PK "NOTES#<agreement ID>", so the Query that
// reads an agreement reads none of them: a note is the item "N#<note ID>",
// each of its documents "D#<document ID>" (naming its note). A note and its
// documents are written together once; a document changes once, from
// pending to uploaded.

const typeNote, typeDocument = "note", "document"

func notesPK(agreementID string) string { return "NOTES#" + agreementID }

// noteRecord is a stored grants.Note, without its documents.
type noteRecord struct {
	ID          string      `dynamodbav:"id"`
	AgreementID string      `dynamodbav:"agreementId"`
	Kind        string      `dynamodbav:"kind"`
	On          grants.Date `dynamodbav:"on"`
	Text        string      `dynamodbav:"text"`
	By          string      `dynamodbav:"by"`
	At          time.Time   `dynamodbav:"at"`
}

func (r noteRecord) domain() grants.Note {
	return grants.Note{ID: r.ID, AgreementID: r.AgreementID, Kind: r.Kind, On: r.On, Text: r.Text, By: r.By, At: r.At, Documents: []grants.Document{}}
}

// documentRecord is a stored grants.Document.
type documentRecord struct {
	ID         string    `dynamodbav:"id"`
	NoteID     string    `dynamodbav:"noteId"`
	Title      string    `dynamodbav:"title"`
	Type       string    `dynamodbav:"mediaType"`
	Status     string    `dynamodbav:"status"`
	Key        string    `dynamodbav:"key"`
	Size       int64     `dynamodbav:"size,omitempty"`
	By         string    `dynamodbav:"by"`
	At         time.Time `dynamodbav:"at"`
	UploadedAt time.Time `dynamodbav:"uploadedAt,omitempty"`
}

func (r documentRecord) domain() grants.Document { return grants.Document(r) }

// AddNote writes a note and its documents in one transaction, unless the
// note is stored already.
func (st *Store) AddNote(ctx context.Context, n grants.Note) error {
	pk := notesPK(n.AgreementID)
	var writes []types.TransactWriteItem
	put := func(rec any, sk, typ string) error {
		it, err := marshal(rec)
		if err != nil {
			return err
		}
		maps.Copy(it, keyOf(pk, sk))
		it["type"] = s(typ)
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: it,
			ConditionExpression: aws.String("attribute_not_exists(PK)")}})
		return nil
	}
	if err := put(noteRecord{ID: n.ID, AgreementID: n.AgreementID, Kind: n.Kind, On: n.On, Text: n.Text, By: n.By, At: n.At}, "N#"+n.ID, typeNote); err != nil {
		return err
	}
	for _, d := range n.Documents {
		if err := put(documentRecord(d), "D#"+d.ID, typeDocument); err != nil {
			return err
		}
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	if isConditionFailure(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("add note to %s: %w", n.AgreementID, err)
	}
	return nil
}

// Notes reads an agreement's notes with their documents (a strongly
// consistent Query of their partition: what an officer just added shows).
func (st *Store) Notes(ctx context.Context, agreementID string) ([]grants.Note, error) {
	var notes []grants.Note
	var docs []grants.Document
	var cost readcost.Cost
	err := st.queryAll(ctx, &cost, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s(notesPK(agreementID))},
		ConsistentRead:            aws.Bool(true),
	}, func(out *dynamodb.QueryOutput) {
		for _, it := range out.Items {
			sk, _ := it["SK"].(*types.AttributeValueMemberS)
			switch {
			case sk == nil:
			case strings.HasPrefix(sk.Value, "N#"):
				notes = append(notes, decodeList[noteRecord](ctx, []item{it}, nil)...)
			case strings.HasPrefix(sk.Value, "D#"):
				docs = append(docs, decodeList[documentRecord](ctx, []item{it}, nil)...)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("read notes of %s: %w", agreementID, err)
	}
	for _, d := range docs {
		for i := range notes {
			if notes[i].ID == d.NoteID {
				notes[i].Documents = append(notes[i].Documents, d)
			}
		}
	}
	if notes == nil {
		notes = []grants.Note{}
	}
	return notes, nil
}

// MarkUploaded marks a pending document uploaded, once.
func (st *Store) MarkUploaded(ctx context.Context, agreementID, documentID string, size int64, at time.Time) (grants.Document, error) {
	key := keyOf(notesPK(agreementID), "D#"+documentID)
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key,
		UpdateExpression:          aws.String("SET #st = :up, #size = :size, uploadedAt = :at"),
		ConditionExpression:       aws.String("#st = :pending"),
		ExpressionAttributeNames:  map[string]string{"#st": "status", "#size": "size"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":up": s(grants.DocumentUploaded), ":pending": s(grants.DocumentPending), ":size": n64(size), ":at": s(at.UTC().Format(time.RFC3339Nano))},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailure(err) {
		got, gerr := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key, ConsistentRead: aws.Bool(true)})
		if gerr != nil {
			return grants.Document{}, gerr
		}
		if len(got.Item) == 0 {
			return grants.Document{}, &grants.Error{Code: grants.NotFound, Message: "There is no such document on this agreement.", Reason: "document_not_found"}
		}
		return decode[documentRecord](got.Item)
	}
	if err != nil {
		return grants.Document{}, fmt.Errorf("mark document %s uploaded: %w", documentID, err)
	}
	return decode[documentRecord](out.Attributes)
}

func n64(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }
