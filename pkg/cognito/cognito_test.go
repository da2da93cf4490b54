package cognito

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/partnership-grants/backend/pkg/dev/idp"
	"github.com/partnership-grants/backend/pkg/grants"
)

// pool is the local stack's Cognito stand-in on a loopback port, and an SDK
// client that reaches it as the functions reach Cognito.
func pool(t *testing.T) (*cip.Client, *idp.Provider) {
	t.Helper()
	p := &idp.Provider{People: []idp.Person{
		{Username: "alice", Email: "alice@funder.local", Role: "finance"},
		{Username: "olu", Email: "olu@funder.local", Role: "programme"},
	}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.Issuer = srv.URL + "/eu-west-2_test"
	client := cip.NewFromConfig(aws.Config{Region: "eu-west-2", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")},
		func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return client, p
}

func actor(p *idp.Provider, username string) grants.Actor {
	return grants.StaffActor(p.Issuer, idp.Subject(username), username+"@funder.local", username, []grants.Role{grants.RoleFinance})
}

// The directory answers from the pool as it stands, not from the token:
// each step changes the pool through Cognito's own administration calls
// (as an administrator would with the console or the CLI), and the next
// question sees it.
func TestStillInAsksThePoolNow(t *testing.T) {
	ctx := context.Background()
	client, p := pool(t)
	d := &Directory{API: client, PoolID: "eu-west-2_test"}
	group := func(op string, username, group string) func(t *testing.T) {
		return func(t *testing.T) {
			in := &cip.AdminRemoveUserFromGroupInput{UserPoolId: aws.String(d.PoolID), Username: aws.String(username), GroupName: aws.String(group)}
			var err error
			if op == "add" {
				_, err = client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: in.UserPoolId, Username: in.Username, GroupName: in.GroupName})
			} else {
				_, err = client.AdminRemoveUserFromGroup(ctx, in)
			}
			if err != nil {
				t.Fatalf("%s %s %s: %v", op, username, group, err)
			}
		}
	}
	for _, step := range []struct {
		name   string
		change func(*testing.T)
		actor  grants.Actor
		role   grants.Role
		want   bool
	}{
		{"alice, in finance", nil, actor(p, "alice"), grants.RoleFinance, true},
		{"alice is not in programme", nil, actor(p, "alice"), grants.RoleProgramme, false},
		{"olu's token naming finance", nil, actor(p, "olu"), grants.RoleFinance, false},
		{"alice, removed from finance", group("remove", "alice@funder.local", "finance"), actor(p, "alice"), grants.RoleFinance, false},
		{"alice, in programme now", group("add", idp.Subject("alice"), "programme"), actor(p, "alice"), grants.RoleProgramme, true},
		{"alice, back in finance", group("add", "alice", "finance"), actor(p, "alice"), grants.RoleFinance, true},
		{"someone the pool does not have", nil, actor(p, "mallory"), grants.RoleFinance, false},
		{"an actor with no subject", nil, grants.StaffActor(p.Issuer, "", "alice@funder.local", "alice", nil), grants.RoleFinance, false},
	} {
		if step.change != nil {
			t.Run("change: "+step.name, step.change)
		}
		got, err := d.StillIn(ctx, step.actor, step.role)
		if err != nil || got != step.want {
			t.Errorf("%s: StillIn(%s) = %v, %v; want %v", step.name, step.role, got, err, step.want)
		}
	}
}

// A pool that cannot answer is an error, never a "no" (which would look
// like a removal) nor a "yes".
func TestStillInFailsWhenThePoolCannotAnswer(t *testing.T) {
	client, p := pool(t)
	d := &Directory{API: client, PoolID: "eu-west-2_other"}
	if got, err := d.StillIn(context.Background(), actor(p, "alice"), grants.RoleFinance); err == nil {
		t.Fatalf("another pool's ID: %v with no error", got)
	}
}

// pages answers AdminListGroupsForUser a page at a time.
type pages struct {
	groups [][]string
	tokens []string // the NextToken of each call
}

func (f *pages) AdminListGroupsForUser(_ context.Context, in *cip.AdminListGroupsForUserInput, _ ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	i := len(f.tokens)
	f.tokens = append(f.tokens, aws.ToString(in.NextToken))
	out := &cip.AdminListGroupsForUserOutput{}
	for _, g := range f.groups[i] {
		out.Groups = append(out.Groups, types.GroupType{GroupName: aws.String(g)})
	}
	if i+1 < len(f.groups) {
		out.NextToken = aws.String("page" + string(rune('1'+i)))
	}
	return out, nil
}

// The groups come a page at a time: the answer may be on the last page.
func TestStillInReadsEveryPage(t *testing.T) {
	for _, tt := range []struct {
		name   string
		groups [][]string
		want   bool
		calls  int
	}{
		{"on the first page", [][]string{{"finance"}, {"viewer"}}, true, 1},
		{"on the last page", [][]string{{"viewer"}, {"programme"}, {"finance"}}, true, 3},
		{"on no page", [][]string{{"viewer"}, {"programme"}}, false, 2},
		{"in no group", [][]string{nil}, false, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &pages{groups: tt.groups}
			got, err := (&Directory{API: f, PoolID: "p"}).StillIn(context.Background(), grants.Actor{ID: "iss#sub"}, grants.RoleFinance)
			if err != nil || got != tt.want || len(f.tokens) != tt.calls {
				t.Fatalf("StillIn = %v, %v after %d calls (tokens %q); want %v after %d", got, err, len(f.tokens), f.tokens, tt.want, tt.calls)
			}
			for i, tok := range f.tokens[1:] {
				if want := "page" + string(rune('1'+i)); tok != want {
					t.Errorf("call %d sent NextToken %q, want %q", i+2, tok, want)
				}
			}
		})
	}
}
