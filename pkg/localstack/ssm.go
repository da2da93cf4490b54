package localstack

import (
	"encoding/json"
	"net/http"
	"sync"
)

// SSM is a stand-in for the one Parameter Store call the functions make,
// GetParameter (awsJson1.1), so the reply-token key is read the same way as
// in AWS. There is no local SSM emulator on npm that runs without Docker.
type SSM struct {
	mu     sync.Mutex
	params map[string]string
}

// NewSSM returns a stand-in holding params.
func NewSSM(params map[string]string) *SSM { return &SSM{params: params} }

func (s *SSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "InvalidAction", "message": "only GetParameter is supported locally"})
		return
	}
	var in struct{ Name string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ValidationException", "message": err.Error()})
		return
	}
	s.mu.Lock()
	v, ok := s.params[in.Name]
	s.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "ParameterNotFound", "message": in.Name})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1}})
}
