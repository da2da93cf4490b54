package stack

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"

	"github.com/partnership-grants/backend/pkg/dev/idp"
)

// DemoPeople are whom the local sign-in page offers: the officer the seed's
// programme emails, the two finance officers a payment needs (one
// requests, the other approves), and a viewer.
var DemoPeople = []idp.Person{
	{Username: "olu", Name: "Olu Adeyemi", Email: "olu@funder.local", Role: "programme", Label: "programme officer"},
	{Username: "alice", Name: "Alice Brennan", Email: "alice@funder.local", Role: "finance", Label: "finance officer A"},
	{Username: "bob", Name: "Bob Okafor", Email: "bob@funder.local", Role: "finance", Label: "finance officer B"},
	{Username: "vic", Name: "Vic Lowe", Email: "vic@funder.local", Role: "viewer", Label: "trustee (viewer)"},
	// Issue 25: the administrator, who edits the programme's settings.
	{Username: "ada", Name: "Ada Morgan", Email: "ada@funder.local", Role: "admin", Label: "administrator"},
}

// webClientSecret names the secret the web function reads its client
// from, as WebClientSecret does in AWS.
const webClientSecret = "partnership-grants-local-web-client"

// signInProvider is the Cognito stand-in: the web client may send people
// back to the API's address, by IP or as localhost.
func signInProvider(auth *Auth, apiAddr string) (*idp.Provider, string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	secret := hex.EncodeToString(b)
	var callbacks, logouts []string
	bases := []string{"http://" + apiAddr}
	if _, port, err := net.SplitHostPort(apiAddr); err == nil {
		bases = append(bases, "http://localhost:"+port)
	}
	for _, base := range bases {
		callbacks = append(callbacks, base+"/app/callback")
		logouts = append(logouts, base+"/app/signedout")
	}
	p := &idp.Provider{
		Issuer: auth.Issuer, Key: auth.Key, People: DemoPeople, Lifetime: webLifetime,
		Clients: map[string]idp.Client{webClient: {Secret: secret, CallbackURLs: callbacks, LogoutURLs: logouts}},
	}
	doc, _ := json.Marshal(map[string]string{"clientId": webClient, "clientSecret": secret})
	return p, string(doc), nil
}
