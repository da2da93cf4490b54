package cognito

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/partnership-grants/backend/pkg/dev/idp"
	"github.com/partnership-grants/backend/pkg/grants"
)

// The staff's pool (issue 25, item 4) against the local stand-in, through
// the SDK as the functions call Cognito: each step's answer is the pool as
// the steps before left it.
func TestPoolInvitesGivesRemovesAndDisables(t *testing.T) {
	ctx := context.Background()
	client, sp := pool(t)
	p := &Pool{API: client, PoolID: "eu-west-2_test", Issuer: sp.Issuer}
	const email = "fin@funder.example"

	if _, found, err := p.Find(ctx, email); err != nil || found {
		t.Fatalf("Find before the invitation = %v, %v; want not found", found, err)
	}
	person, invited, err := p.Invite(ctx, email, "Fin Officer")
	if err != nil || !invited {
		t.Fatalf("Invite = %+v, %v, %v", person, invited, err)
	}
	want := grants.StaffActor(sp.Issuer, idp.Subject(email), email, email, nil).ID
	if person.ID != want || person.Email != email || person.Name != "Fin Officer" || !person.Enabled || person.Status != "FORCE_CHANGE_PASSWORD" {
		t.Fatalf("invited person = %+v; want ID %s, enabled, FORCE_CHANGE_PASSWORD", person, want)
	}
	again, invited, err := p.Invite(ctx, email, "Fin Officer")
	if err != nil || invited || again.ID != person.ID {
		t.Fatalf("second Invite = %+v, %v, %v; want the same person, not invited", again, invited, err)
	}
	if got := sp.Invitations(); len(got) != 1 || got[0].Email != email {
		t.Fatalf("invitations = %+v; want one to %s", got, email)
	}

	// finance:north is no group of the pool's until it is first given.
	group := grants.RoleFinance.In("north")
	if _, err := client.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(p.PoolID), GroupName: aws.String(string(group))}); err == nil {
		t.Fatal("finance:north exists before it was given")
	}
	if m, err := p.Members(ctx, group); err != nil || len(m) != 0 {
		t.Fatalf("Members of a group not made yet = %v, %v; want none", m, err)
	}
	for range 2 { // twice: the second finds the group made
		if err := p.AddToGroup(ctx, email, group); err != nil {
			t.Fatal(err)
		}
	}
	if g, err := p.Groups(ctx, email); err != nil || !slices.Equal(g, []grants.Role{group}) {
		t.Fatalf("Groups = %v, %v; want [%s]", g, err, group)
	}
	if m, err := p.Members(ctx, group); err != nil || len(m) != 1 || m[0].ID != person.ID {
		t.Fatalf("Members(%s) = %+v, %v", group, m, err)
	}
	// A finance officer for one programme is in finance for the directory
	// asked before money moves.
	d := &Directory{API: client, PoolID: p.PoolID}
	officer := grants.StaffActor(sp.Issuer, idp.Subject(email), email, email, nil)
	if in, err := d.StillIn(ctx, officer, grants.RoleFinance); err != nil || !in {
		t.Fatalf("StillIn(finance) with finance:north = %v, %v; want true", in, err)
	}
	if err := p.RemoveFromGroup(ctx, email, group); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveFromGroup(ctx, email, grants.RoleViewer.In("never-made")); err != nil {
		t.Fatalf("removal from a group never made: %v", err)
	}
	if in, err := d.StillIn(ctx, officer, grants.RoleFinance); err != nil || in {
		t.Fatalf("StillIn(finance) after removal = %v, %v; want false", in, err)
	}
	if err := p.Disable(ctx, email); err != nil {
		t.Fatal(err)
	}
	if got, found, err := p.Find(ctx, email); err != nil || !found || got.Enabled {
		t.Fatalf("after Disable: %+v, %v, %v; want found and not enabled", got, found, err)
	}
	if err := p.Disable(ctx, "nobody@funder.example"); err == nil {
		t.Fatal("disabling someone the pool does not have: no error")
	}
}
