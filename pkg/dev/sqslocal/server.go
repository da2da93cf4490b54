// Package sqslocal is the local stack's SQS: goaws
// (github.com/Admiral-Piett/goaws), a real SQS implementation in Go, run in
// this process, and an event source that plays Lambda's SQS trigger.
//
// goaws speaks SQS's query protocol (form-encoded Action=..., XML answers);
// the AWS SDK for Go v2 speaks SQS's JSON protocol. Server translates one to
// the other for the operations the product and its tests use (CreateQueue,
// GetQueueUrl, GetQueueAttributes, SendMessage, SendMessageBatch,
// ReceiveMessage, DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility,
// PurgeQueue) and passes query-protocol requests straight through, so
// AWS_ENDPOINT_URL_SQS can point any client at it. What goaws lacks, and so
// the local queue lacks: message system attributes beyond the receive count
// (which goaws always reports as 1), long polls past 20 s, and FIFO
// high-throughput mode; none is used.
package sqslocal

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	goaws "github.com/Admiral-Piett/goaws/app"
	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/sirupsen/logrus"
)

// AccountID is the local account in queue URLs and ARNs.
const AccountID = "000000000000"

var setUp sync.Once

// goaws keeps its queues in package state, so one process has one set of
// queues however many Servers it starts; names keep tests apart.
func setUpGoaws(region string) {
	setUp.Do(func() {
		logrus.SetLevel(logrus.WarnLevel) // goaws logs every message at info
		goaws.CurrentEnvironment = goaws.Environment{
			Host: "127.0.0.1", Port: "0", Region: region, AccountID: AccountID,
			QueueAttributeDefaults: goaws.EnvQueueAttributes{VisibilityTimeout: 30, MaximumMessageSize: 262144},
		}
		// Visibility timeouts and redrive run on this tick.
		go gosqs.PeriodicTasks(100*time.Millisecond, make(chan struct{}))
	})
}

// Server is goaws behind the JSON protocol.
type Server struct {
	goaws http.Handler
	// URL is where the server listens, for the queue URLs it hands out.
	URL string
}

// NewServer returns the SQS server for region; set URL once it listens.
func NewServer(region string) *Server {
	setUpGoaws(region)
	return &Server{goaws: router.New()}
}

// QueueARN is the ARN of a local queue.
func QueueARN(region, name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, AccountID, name)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSQS.")
	if !ok {
		s.goaws.ServeHTTP(w, r) // the query protocol, as goaws speaks it
		return
	}
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		jsonError(w, http.StatusBadRequest, "InvalidParameterValue", "unreadable JSON: "+err.Error())
		return
	}
	form, err := queryForm(op, in)
	if err != nil {
		jsonError(w, http.StatusBadRequest, "UnsupportedOperation", err.Error())
		return
	}
	req := httptest.NewRequestWithContext(r.Context(), http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.goaws.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		queryError(w, rec)
		return
	}
	out, err := s.jsonAnswer(op, rec.Body.Bytes())
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// entryPrefix names the entries of a batch operation in the query protocol.
var entryPrefix = map[string]string{
	"SendMessageBatch":   "SendMessageBatchRequestEntry",
	"DeleteMessageBatch": "DeleteMessageBatchRequestEntry",
}

// queryForm flattens a JSON request into the query protocol's form.
func queryForm(op string, in map[string]any) (url.Values, error) {
	switch op {
	case "CreateQueue", "GetQueueUrl", "GetQueueAttributes", "SendMessage", "SendMessageBatch",
		"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "PurgeQueue", "DeleteQueue":
	default:
		return nil, fmt.Errorf("the local SQS does not support %s", op)
	}
	form := url.Values{"Action": {op}, "Version": {"2012-11-05"}}
	for k, v := range in {
		switch v := v.(type) {
		case map[string]any: // Attributes
			keys := make([]string, 0, len(v))
			for name := range v {
				keys = append(keys, name)
			}
			sort.Strings(keys)
			for i, name := range keys {
				form.Set(fmt.Sprintf("Attribute.%d.Name", i+1), name)
				form.Set(fmt.Sprintf("Attribute.%d.Value", i+1), scalar(v[name]))
			}
		case []any:
			for i, e := range v {
				if entry, ok := e.(map[string]any); ok && k == "Entries" {
					for field, fv := range entry {
						if _, nested := fv.(map[string]any); nested {
							continue // per-entry message attributes: not used
						}
						form.Set(fmt.Sprintf("%s.%d.%s", entryPrefix[op], i+1, field), scalar(fv))
					}
					continue
				}
				// AttributeNames, MessageSystemAttributeNames, ...
				form.Set(fmt.Sprintf("%s.%d", strings.TrimSuffix(k, "s"), i+1), scalar(e))
			}
		default:
			form.Set(k, scalar(v))
		}
	}
	return form, nil
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%d", int64(v))
	default:
		return fmt.Sprint(v)
	}
}

// jsonAnswer turns goaws's XML answer to op into the JSON protocol's.
func (s *Server) jsonAnswer(op string, body []byte) (any, error) {
	decode := func(v any) error { return xml.Unmarshal(body, v) }
	switch op {
	case "CreateQueue", "GetQueueUrl":
		var r struct {
			URL string `xml:"CreateQueueResult>QueueUrl"`
			Get string `xml:"GetQueueUrlResult>QueueUrl"`
		}
		if err := decode(&r); err != nil {
			return nil, err
		}
		u := r.URL + r.Get
		return map[string]string{"QueueUrl": s.URL + "/" + AccountID + "/" + u[strings.LastIndex(u, "/")+1:]}, nil
	case "GetQueueAttributes":
		var r goaws.GetQueueAttributesResponse
		if err := decode(&r); err != nil {
			return nil, err
		}
		attrs := map[string]string{}
		for _, a := range r.Result.Attrs {
			attrs[a.Name] = a.Value
		}
		return map[string]any{"Attributes": attrs}, nil
	case "SendMessage":
		var r goaws.SendMessageResponse
		if err := decode(&r); err != nil {
			return nil, err
		}
		return map[string]string{"MessageId": r.Result.MessageId, "MD5OfMessageBody": r.Result.MD5OfMessageBody}, nil
	case "SendMessageBatch":
		var r goaws.SendMessageBatchResponse
		if err := decode(&r); err != nil {
			return nil, err
		}
		ok := []map[string]string{}
		for _, e := range r.Result.Entry {
			ok = append(ok, map[string]string{"Id": e.Id, "MessageId": e.MessageId, "MD5OfMessageBody": e.MD5OfMessageBody})
		}
		return map[string]any{"Successful": ok, "Failed": batchErrors(r.Result.Error)}, nil
	case "ReceiveMessage":
		var r goaws.ReceiveMessageResponse
		if err := decode(&r); err != nil {
			return nil, err
		}
		msgs := []map[string]any{}
		for _, m := range r.Result.Message {
			attrs := map[string]string{}
			for _, a := range m.Attributes {
				attrs[a.Name] = a.Value
			}
			msgs = append(msgs, map[string]any{"MessageId": m.MessageId, "ReceiptHandle": m.ReceiptHandle,
				"MD5OfBody": m.MD5OfBody, "Body": string(m.Body), "Attributes": attrs})
		}
		return map[string]any{"Messages": msgs}, nil
	case "DeleteMessageBatch":
		var r goaws.DeleteMessageBatchResponse
		if err := decode(&r); err != nil {
			return nil, err
		}
		ok := []map[string]string{}
		for _, e := range r.Result.Entry {
			ok = append(ok, map[string]string{"Id": e.Id})
		}
		return map[string]any{"Successful": ok, "Failed": batchErrors(r.Result.Error)}, nil
	}
	return map[string]any{}, nil
}

func batchErrors(errs []goaws.BatchResultErrorEntry) []map[string]any {
	out := []map[string]any{}
	for _, e := range errs {
		out = append(out, map[string]any{"Id": e.Id, "Code": e.Code, "Message": e.Message, "SenderFault": e.SenderFault})
	}
	return out
}

// queryError turns goaws's XML error into the JSON protocol's, with the
// query-compatible code the SDK maps to its typed errors.
func queryError(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	var r struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	body, _ := io.ReadAll(rec.Body)
	if err := xml.Unmarshal(bytes.TrimSpace(body), &r); err != nil || r.Code == "" {
		jsonError(w, rec.Code, "InvalidParameterValue", strings.TrimSpace(string(body)))
		return
	}
	code := strings.TrimPrefix(r.Code, "AWS.SimpleQueueService.")
	if code == "NonExistentQueue" {
		code = "QueueDoesNotExist"
	}
	w.Header().Set("X-Amzn-Query-Error", r.Code+";Sender")
	jsonError(w, rec.Code, code, r.Message)
}

func jsonError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": message})
}

// Start serves the local SQS on addr ("127.0.0.1:0" for a free port) and
// returns its URL and a function that stops it.
func Start(region, addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("local SQS: listen on %s: %w", addr, err)
	}
	s := NewServer(region)
	s.URL = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return s.URL, func() { _ = srv.Close() }, nil
}

// CreateQueue creates a queue with its dead-letter queue (name + "-dlq"),
// as the template declares them: messages received maxReceiveCount times
// without being deleted move to the dead-letter queue. It returns the
// queue's URL and ARN.
func CreateQueue(ctx context.Context, client *sqs.Client, region, name string, visibilityTimeout, maxReceiveCount int) (string, string, error) {
	dlq := name + "-dlq"
	if _, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &dlq}); err != nil {
		return "", "", fmt.Errorf("create %s: %w", dlq, err)
	}
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": QueueARN(region, dlq), "maxReceiveCount": strconv.Itoa(maxReceiveCount)})
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: map[string]string{
		"VisibilityTimeout": strconv.Itoa(visibilityTimeout),
		"RedrivePolicy":     string(redrive),
	}})
	if err != nil {
		return "", "", fmt.Errorf("create %s: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), QueueARN(region, name), nil
}
