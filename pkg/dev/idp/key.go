// Package idp stands in for Cognito on one machine: an RSA signing key with
// its JWKS, tokens shaped like Cognito's, and the parts of managed login the
// web app uses (the authorization-code flow with PKCE, the token endpoint,
// sign-out). The local stack serves it; tests use it as a fake issuer. It is
// development tooling and never ships.
package idp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

// Key is an RS256 signing key and its key ID, as a user pool has.
type Key struct {
	priv *rsa.PrivateKey
	ID   string
}

// NewKey makes a fresh 2048-bit key.
func NewKey() (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return keyOf(priv), nil
}

// keyOf names a key by a hash of its public half, so a kept key keeps its ID.
func keyOf(priv *rsa.PrivateKey) *Key {
	sum := sha256.Sum256(priv.N.Bytes())
	return &Key{priv: priv, ID: base64.RawURLEncoding.EncodeToString(sum[:12])}
}

// LoadKey reads a PEM (PKCS #8) key from path, creating it on first use.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err := NewKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		return k, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	} else if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s is not a PEM key; delete it to make a new one", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	priv, ok := parsed.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s is not an RSA key; delete it to make a new one", path)
	}
	return keyOf(priv), nil
}

// Public is the key's public half.
func (k *Key) Public() *rsa.PublicKey { return &k.priv.PublicKey }

// Sign makes a compact RS256 JWT of claims, with the key's ID in its header.
func (k *Key) Sign(claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": k.ID})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64(header) + "." + b64(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

// JWKS is the key set document a user pool serves at
// <issuer>/.well-known/jwks.json.
func (k *Key) JWKS() []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": k.ID,
		"n": b64(k.priv.N.Bytes()), "e": b64(big.NewInt(int64(k.priv.E)).Bytes()),
	}}})
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
