// Package userpool wires the user pool (Cognito) for the functions whose
// use cases ask it who is in finance now, Payments and Web: only their
// bootstraps link the cognito-idp client (pkg/app's doc says why).
package userpool

import (
	"context"
	"fmt"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/cognito"
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
