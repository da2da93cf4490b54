// Package userpool wires the user pool (Cognito) for the functions whose
// use cases ask it who is in finance now, Payments and Web, and those that
// manage the staff, Agreements and Web (issue 25): only their bootstraps
// link the cognito-idp client (pkg/app's doc says why).
package userpool

import (
	"context"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/cognito"
	"github.com/partnership-grants/backend/pkg/httpapi"
	"github.com/partnership-grants/backend/pkg/service"
)

// Directory is the user pool the Config names. Unset, it is an error: a
// function that can move money must be able to ask.
func Directory(d *app.Deps) (service.Directory, error) {
	id := d.Config.UserPoolID
	if id == "" {
		return nil, fmt.Errorf("USER_POOL_ID is not set")
	}
	client := cip.NewFromConfig(d.AWS, func(o *cip.Options) { o.BaseEndpoint = d.Endpoint("Cognito Identity Provider") })
	return &cognito.Directory{API: listGroupsOp{client.AdminListGroupsForUser}, PoolID: id}, nil
}

// listGroupsOp holds the one operation used, for the reason given in
// pkg/app/clients.go: only the operations called are linked.
type listGroupsOp struct {
	list app.Op[cip.AdminListGroupsForUserInput, cip.AdminListGroupsForUserOutput, cip.Options]
}

func (l listGroupsOp) AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, o ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	return l.list(ctx, in, o...)
}

// Staff is the staff's administration (issue 25, item 4) on the pool the
// Config names, its issuer (SIGNIN_ISSUER), and the sign-outs kept in the
// table, which removing a role or disabling a person writes.
func Staff(d *app.Deps) (*service.Staff, error) {
	if d.Config.UserPoolID == "" || d.Config.SignInIssuer == "" {
		return nil, fmt.Errorf("USER_POOL_ID and SIGNIN_ISSUER must be set")
	}
	c := cip.NewFromConfig(d.AWS, func(o *cip.Options) { o.BaseEndpoint = d.Endpoint("Cognito Identity Provider") })
	ops := staffOps{c.AdminCreateUser, c.AdminGetUser, c.AdminListGroupsForUser, c.AdminAddUserToGroup, c.AdminRemoveUserFromGroup,
		c.CreateGroup, c.ListUsersInGroup, c.AdminDisableUser, c.AdminUserGlobalSignOut}
	pool := &cognito.Pool{API: ops, PoolID: d.Config.UserPoolID, Issuer: d.Config.SignInIssuer}
	// Sessions end on the clock tokens are issued by (their iat), the
	// pool's, which is the wall clock: not the local stack's business
	// clock, which its tests pin and move on. In AWS the two are one.
	env := d.Env()
	env.Now = time.Now
	return service.NewStaff(pool, d.Store, env), nil
}

// AgreementsAPI is the AgreementsFunction's handler: pkg/app's routes
// with the staff's (served with the programme's settings, by the function
// an administrator's requests go to), every request checked against the
// sessions' record.
func AgreementsAPI(d *app.Deps) (httpapi.Placed, error) {
	staff, err := Staff(d)
	if err != nil {
		return httpapi.Placed{}, err
	}
	api := d.AgreementsAPI()
	for k, r := range (&httpapi.Staff{Staff: staff}).Routes() {
		api.Routes[k] = r
	}
	return api.Checking(d.Store), nil
}

// staffOps holds the operations the staff's pool calls (see listGroupsOp).
type staffOps struct {
	createUser       app.Op[cip.AdminCreateUserInput, cip.AdminCreateUserOutput, cip.Options]
	getUser          app.Op[cip.AdminGetUserInput, cip.AdminGetUserOutput, cip.Options]
	listGroups       app.Op[cip.AdminListGroupsForUserInput, cip.AdminListGroupsForUserOutput, cip.Options]
	addToGroup       app.Op[cip.AdminAddUserToGroupInput, cip.AdminAddUserToGroupOutput, cip.Options]
	removeFromGroup  app.Op[cip.AdminRemoveUserFromGroupInput, cip.AdminRemoveUserFromGroupOutput, cip.Options]
	createGroup      app.Op[cip.CreateGroupInput, cip.CreateGroupOutput, cip.Options]
	listUsersInGroup app.Op[cip.ListUsersInGroupInput, cip.ListUsersInGroupOutput, cip.Options]
	disableUser      app.Op[cip.AdminDisableUserInput, cip.AdminDisableUserOutput, cip.Options]
	globalSignOut    app.Op[cip.AdminUserGlobalSignOutInput, cip.AdminUserGlobalSignOutOutput, cip.Options]
}

func (s staffOps) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, o ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error) {
	return s.createUser(ctx, in, o...)
}

func (s staffOps) AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, o ...func(*cip.Options)) (*cip.AdminGetUserOutput, error) {
	return s.getUser(ctx, in, o...)
}

func (s staffOps) AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, o ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error) {
	return s.listGroups(ctx, in, o...)
}

func (s staffOps) AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, o ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error) {
	return s.addToGroup(ctx, in, o...)
}

func (s staffOps) AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput, o ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error) {
	return s.removeFromGroup(ctx, in, o...)
}

func (s staffOps) CreateGroup(ctx context.Context, in *cip.CreateGroupInput, o ...func(*cip.Options)) (*cip.CreateGroupOutput, error) {
	return s.createGroup(ctx, in, o...)
}

func (s staffOps) ListUsersInGroup(ctx context.Context, in *cip.ListUsersInGroupInput, o ...func(*cip.Options)) (*cip.ListUsersInGroupOutput, error) {
	return s.listUsersInGroup(ctx, in, o...)
}

func (s staffOps) AdminDisableUser(ctx context.Context, in *cip.AdminDisableUserInput, o ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error) {
	return s.disableUser(ctx, in, o...)
}

func (s staffOps) AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, o ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error) {
	return s.globalSignOut(ctx, in, o...)
}
