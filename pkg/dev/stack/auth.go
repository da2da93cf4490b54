package stack

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The local stack stands in for Cognito and API Gateway's JWT authorizer: it
// issues HS256 tokens with a key kept in .local/, and verifies them the way the
// authorizer does (signature, issuer, audience, expiry) before a handler runs.
const (
	tokenIssuer   = "partnership-grants-local-stack"
	tokenAudience = "local"
	tokenLifetime = 12 * time.Hour
)

// Auth issues and verifies local bearer tokens.
type Auth struct{ key []byte }

// LoadAuth reads the signing key from dir, creating it on first use.
func LoadAuth(dir string) (*Auth, error) {
	path := filepath.Join(dir, "jwt-signing-key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		b = []byte(hex.EncodeToString(key))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s is not a 32-byte hex key; delete it to make a new one", path)
	}
	return &Auth{key: key}, nil
}

// Issue makes a token for user in role, shaped like a Cognito ID token.
func (a *Auth) Issue(user, role string, now time.Time) (string, error) {
	email := user
	if !strings.Contains(email, "@") {
		email = user + "@funder.local"
	}
	claims := jwt.MapClaims{
		"iss":              tokenIssuer,
		"aud":              tokenAudience,
		"sub":              "local-" + user,
		"email":            email,
		"cognito:username": user,
		"cognito:groups":   []string{role},
		"iat":              now.Unix(),
		"exp":              now.Add(tokenLifetime).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(a.key)
}

// Verify checks a bearer token and returns its claims flattened as API
// Gateway passes them to a function: strings, with arrays as "[a b]".
func (a *Auth) Verify(token string, now time.Time) (map[string]string, error) {
	parsed, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(tokenIssuer), jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range parsed.Claims.(jwt.MapClaims) {
		switch v := v.(type) {
		case []any:
			parts := make([]string, len(v))
			for i, p := range v {
				parts[i] = fmt.Sprint(p)
			}
			out[k] = "[" + strings.Join(parts, " ") + "]"
		case float64:
			out[k] = fmt.Sprintf("%.0f", v)
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}
