// Package cognito asks the user pool who is in which group now
// (service.Directory), with AdminListGroupsForUser: a token names the groups
// its holder was in when it was issued, and the use cases that move money
// ask the pool instead.
package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// API is the one operation of the cognito-idp client the directory calls.
type API interface {
	AdminListGroupsForUser(context.Context, *cip.AdminListGroupsForUserInput, ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
}

// Directory is one user pool's groups.
type Directory struct {
	API    API
	PoolID string
}

var _ service.Directory = (*Directory)(nil)

// StillIn reports whether the person a is in role's group now. The pool is
// asked by the token's subject: in a pool whose sign-in name is the email
// (the template's), the subject is the username, and Cognito takes a sub
// as Username in any pool. The subject is this pool's: the API's JWT
// authorizer and the web app's verifier accept only its issuer. A person
// the pool no longer has (deleted) is in no group.
func (d *Directory) StillIn(ctx context.Context, a grants.Actor, role grants.Role) (bool, error) {
	sub := a.Subject()
	if sub == "" {
		return false, nil
	}
	in := &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(d.PoolID), Username: aws.String(sub)}
	for {
		out, err := d.API.AdminListGroupsForUser(ctx, in)
		var gone *types.UserNotFoundException
		if errors.As(err, &gone) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("list the groups of %s: %w", sub, err)
		}
		for _, g := range out.Groups {
			// A group for one programme ("finance:CODE", issue 25) is the
			// role too: which programme it holds in is the caller's check,
			// made on the actor (grants.Actor.In).
			if r, _ := grants.Role(aws.ToString(g.GroupName)).Split(); r == role {
				return true, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return false, nil
		}
		in.NextToken = out.NextToken
	}
}
