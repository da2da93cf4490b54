package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// EventBus is a stand-in for EventBridge's PutEvents (awsJson1.1): it keeps
// the events so a person can see what accounting would receive
// (GET http://127.0.0.1:3001/events).
type EventBus struct {
	mu     sync.Mutex
	events []map[string]any
}

func (b *EventBus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != "AWSEvents.PutEvents" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "UnknownOperationException", "message": "only PutEvents is supported locally"})
		return
	}
	var in struct {
		Entries []map[string]any
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ValidationException", "message": err.Error()})
		return
	}
	b.mu.Lock()
	var out []map[string]string
	for _, e := range in.Entries {
		id := fmt.Sprintf("local-event-%d", len(b.events)+1)
		e["EventId"], e["Time"] = id, time.Now().UTC().Format(time.RFC3339)
		if d, ok := e["Detail"].(string); ok {
			var detail any
			if json.Unmarshal([]byte(d), &detail) == nil {
				e["Detail"] = detail
			}
		}
		b.events = append(b.events, e)
		out = append(out, map[string]string{"EventId": id})
	}
	b.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"Entries": out, "FailedEntryCount": 0})
}

// Events lists what was published.
func (b *EventBus) Events() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]map[string]any(nil), b.events...)
}
