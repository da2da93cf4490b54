package stack

import (
	"encoding/json"
	"net/http"
	"sync"
)

// replyTokenSecret names the local reply-token key, as the stack's
// ReplyTokenKey secret does in AWS.
const replyTokenSecret = "partnership-grants/reply-token-key"

// Secrets is a stand-in for the one Secrets Manager call the functions make,
// GetSecretValue (awsJson1.1), so the reply-token key is read the same way as
// in AWS. There is no local Secrets Manager emulator on npm that runs
// without Docker.
type Secrets struct {
	mu      sync.Mutex
	secrets map[string]string
}

// NewSecrets returns a stand-in holding secrets by ID.
func NewSecrets(secrets map[string]string) *Secrets { return &Secrets{secrets: secrets} }

func (s *Secrets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(kind, msg string) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
		fail("InvalidRequestException", "only GetSecretValue is supported locally")
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail("InvalidParameterException", err.Error())
		return
	}
	s.mu.Lock()
	v, ok := s.secrets[in.SecretId]
	s.mu.Unlock()
	if !ok {
		fail("ResourceNotFoundException", "Secrets Manager can't find the specified secret: "+in.SecretId)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ARN": in.SecretId, "Name": in.SecretId, "SecretString": v, "VersionId": "local"})
}
