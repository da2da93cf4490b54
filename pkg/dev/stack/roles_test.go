package stack

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Alice is taken out of finance while she still holds a token that names
// it (an API token and a web session, both hours from expiry): her next
// approval is refused, on the JSON API (403 role_removed) and on the web
// app's page, and nothing is paid. The removal is made as an administrator
// makes it, with the user pool's AdminRemoveUserFromGroup (here the sign-in
// stand-in's); put back in finance, she approves at once.
func TestRemovedFromFinanceCannotApprove(t *testing.T) {
	t.Parallel()
	st := startStack(t)
	ctx := stackContext(st)
	api := "http://" + st.opts.APIAddr
	now := time.Now()
	issue := func(user string) client {
		tok, err := st.Auth.Issue(user, "finance", now)
		if err != nil {
			t.Fatal(err)
		}
		return client{t, st.opts.APIAddr, tok}
	}
	alice, bob := issue("alice"), issue("bob")
	aliceWeb, _ := webSignIn(t, st, "alice")

	const id = "demoancoatsyouth" // the demo seed's, instalment 1 due
	var req struct{ Payment grants.Payment }
	bob.must(201, "POST", "/agreements/"+id+"/instalments/1/payments",
		`{"paymentReference": "BACS-ROLE-1", "paidOn": "`+grants.Today(st.Clock.Now(), time.UTC).String()+`"}`, &req, "Idempotency-Key", "role-pay-1")
	approve := "/agreements/" + id + "/instalments/1/payments/" + req.Payment.ID + "/approve"

	pool := cip.New(cip.Options{Region: localRegion, BaseEndpoint: aws.String("http://" + st.opts.SignInAddr),
		Credentials: credentials.NewStaticCredentialsProvider("admin", "admin", "")})
	membership := &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(localPoolID), Username: aws.String("alice@funder.local"), GroupName: aws.String("finance")}
	if _, err := pool.AdminRemoveUserFromGroup(ctx, membership); err != nil {
		t.Fatal(err)
	}

	if code, body := alice.do("POST", approve, ""); code != http.StatusForbidden || !strings.Contains(string(body), "role_removed") {
		t.Errorf("alice approves on the API after removal: %d %s, want 403 role_removed", code, body)
	}
	form := url.Values{"payment": {req.Payment.ID}}
	post, _ := http.NewRequest("POST", api+"/app/agreements/"+id+"/instalments/1/approve", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.Header.Set("Origin", api)
	resp, page := reader(t)(aliceWeb.Do(post))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "You are no longer in finance") {
		t.Errorf("alice approves on the web page after removal: %d, want 403 saying why: %s", resp.StatusCode, page)
	}
	var a grants.Agreement
	bob.must(200, "GET", "/agreements/"+id, "", &a)
	if in := a.Instalment(1); in.Status != grants.InstalmentDue {
		t.Fatalf("refused approvals paid instalment 1: %s", in.Status)
	}

	if _, err := pool.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: membership.UserPoolId,
		Username: membership.Username, GroupName: membership.GroupName}); err != nil {
		t.Fatal(err)
	}
	alice.must(200, "POST", approve, "", nil)
}
