package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// SESMessage is one mail accepted by aws-ses-v2-local, as returned by its
// GET /store endpoint. Addresses are as the sender wrote them, e.g.
// "Grants <grants@example.org>" or "a@example.org".
type SESMessage struct {
	MessageID   string          `json:"messageId"`
	From        string          `json:"from"`
	ReplyTo     []string        `json:"replyTo"`
	Destination SESDestination  `json:"destination"`
	Subject     string          `json:"subject"`
	Body        SESBody         `json:"body"`
	Attachments []SESAttachment `json:"attachments"`
	Headers     []SESHeader     `json:"headers,omitempty"`
	At          int64           `json:"at"` // Unix seconds when it was accepted
}

// SESDestination holds the recipients of an SESMessage.
type SESDestination struct {
	To  []string `json:"to"`
	CC  []string `json:"cc"`
	BCC []string `json:"bcc"`
}

// SESBody holds the text and HTML parts; either may be empty.
type SESBody struct {
	Text string `json:"text,omitempty"`
	HTML string `json:"html,omitempty"`
}

// SESAttachment is an attachment of a raw (SendRawEmail) message.
type SESAttachment struct {
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"contentType"`
	Size        int    `json:"size"`
	Content     []byte `json:"content"` // base64 in the JSON
}

// SESHeader is a header the sender set (SES v2 SendEmail Headers).
type SESHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SESMessages returns every message the aws-ses-v2-local at endpoint has
// accepted since it started, oldest first. The store is shared by everything
// that sends through that emulator (e.g. parallel tests), so filter by a
// recipient or MessageID unique to your test rather than counting messages.
//
// Tests poll it often and the store grows through a run, so what was read
// once is kept: each call asks the emulator only for the messages accepted
// since the last second it saw.
func SESMessages(ctx context.Context, endpoint string) ([]SESMessage, error) {
	sesSeenMu.Lock()
	seen := sesSeen[endpoint]
	if seen == nil {
		seen = &sesStore{ids: map[string]bool{}}
		sesSeen[endpoint] = seen
	}
	sesSeenMu.Unlock()
	seen.mu.Lock()
	defer seen.mu.Unlock()
	newer, err := sesMessagesSince(ctx, endpoint, seen.last)
	if err != nil {
		return nil, err
	}
	for _, m := range newer {
		if !seen.ids[m.MessageID] {
			seen.ids[m.MessageID] = true
			seen.messages = append(seen.messages, m)
			seen.last = max(seen.last, m.At)
		}
	}
	return slices.Clone(seen.messages), nil
}

// sesStore is what SESMessages has read from one emulator.
type sesStore struct {
	mu       sync.Mutex
	messages []SESMessage
	ids      map[string]bool
	last     int64 // the latest At seen; messages of that second are asked for again
}

var (
	sesSeenMu sync.Mutex
	sesSeen   = map[string]*sesStore{}
)

// forgetSESMessages drops what was read from endpoint, when a new emulator
// starts there.
func forgetSESMessages(endpoint string) {
	sesSeenMu.Lock()
	defer sesSeenMu.Unlock()
	delete(sesSeen, endpoint)
}

func sesMessagesSince(ctx context.Context, endpoint string, since int64) ([]SESMessage, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/store?since="+strconv.FormatInt(since, 10), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator: read SES store: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("emulator: read SES store: %s: %s", resp.Status, b)
	}
	var store struct {
		Emails []SESMessage `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		return nil, fmt.Errorf("emulator: decode SES store: %w", err)
	}
	return store.Emails, nil
}

// SESMessagesTo returns the messages with addr among their To recipients
// (compared without case, with or without a display name).
func SESMessagesTo(ctx context.Context, endpoint, addr string) ([]SESMessage, error) {
	all, err := SESMessages(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	addr = strings.ToLower(addr)
	var out []SESMessage
	for _, m := range all {
		for _, to := range m.Destination.To {
			if to = strings.ToLower(to); to == addr || strings.HasSuffix(to, "<"+addr+">") {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}
