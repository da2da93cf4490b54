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

// PoolAPI is the operations of the cognito-idp client the staff's
// administration calls (issue 25, item 4): each is an action the calling
// function's policy grants on the pool, and nothing more.
type PoolAPI interface {
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminListGroupsForUser(context.Context, *cip.AdminListGroupsForUserInput, ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
	AdminAddUserToGroup(context.Context, *cip.AdminAddUserToGroupInput, ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminRemoveUserFromGroup(context.Context, *cip.AdminRemoveUserFromGroupInput, ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error)
	CreateGroup(context.Context, *cip.CreateGroupInput, ...func(*cip.Options)) (*cip.CreateGroupOutput, error)
	ListUsersInGroup(context.Context, *cip.ListUsersInGroupInput, ...func(*cip.Options)) (*cip.ListUsersInGroupOutput, error)
	AdminDisableUser(context.Context, *cip.AdminDisableUserInput, ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	AdminUserGlobalSignOut(context.Context, *cip.AdminUserGlobalSignOutInput, ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
}

// Pool is one user pool's staff, as the staff's use cases see it. Issuer
// is the pool's (the tokens' iss): with a person's sub it makes their actor
// ID, by which their sessions are ended.
type Pool struct {
	API    PoolAPI
	PoolID string
	Issuer string
}

var _ service.UserPool = (*Pool)(nil)

// Invite creates the person with Cognito's own invitation email (a
// temporary password; the pool's InviteMessageTemplate), their email
// verified (the invitation reaching it is the proof). A person the pool has
// already is found, not invited again.
func (p *Pool) Invite(ctx context.Context, email, name string) (service.PoolPerson, bool, error) {
	out, err := p.API.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(p.PoolID), Username: aws.String(email),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(email)},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
			{Name: aws.String("name"), Value: aws.String(name)},
		},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	})
	var exists *types.UsernameExistsException
	if errors.As(err, &exists) {
		person, found, err := p.Find(ctx, email)
		if err == nil && !found {
			err = fmt.Errorf("the pool says the user exists but has no such user")
		}
		return person, false, err
	}
	if err != nil {
		return service.PoolPerson{}, false, fmt.Errorf("create a user: %w", err)
	}
	u := out.User
	return p.person(aws.ToString(u.Username), u.Attributes, u.Enabled, u.UserStatus), true, nil
}

// Find asks the pool for the person by email (an alias of the username in
// a pool that signs in by email).
func (p *Pool) Find(ctx context.Context, email string) (service.PoolPerson, bool, error) {
	out, err := p.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(email)})
	var gone *types.UserNotFoundException
	if errors.As(err, &gone) {
		return service.PoolPerson{}, false, nil
	}
	if err != nil {
		return service.PoolPerson{}, false, fmt.Errorf("get a user: %w", err)
	}
	return p.person(aws.ToString(out.Username), out.UserAttributes, out.Enabled, out.UserStatus), true, nil
}

// Groups are the person's groups now, every page of them.
func (p *Pool) Groups(ctx context.Context, email string) ([]grants.Role, error) {
	in := &cip.AdminListGroupsForUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(email)}
	var out []grants.Role
	for {
		page, err := p.API.AdminListGroupsForUser(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list a user's groups: %w", err)
		}
		for _, g := range page.Groups {
			out = append(out, grants.Role(aws.ToString(g.GroupName)))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// AddToGroup puts the person in group. A group for one programme
// ("finance:CODE") is made the first time it is given: the pool answers
// ResourceNotFoundException for a group it does not have, and the group is
// created (another request creating it meanwhile is as good) and the
// person added again.
func (p *Pool) AddToGroup(ctx context.Context, email string, group grants.Role) error {
	in := &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(email), GroupName: aws.String(string(group))}
	_, err := p.API.AdminAddUserToGroup(ctx, in)
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		if err != nil {
			return fmt.Errorf("add a user to %s: %w", group, err)
		}
		return nil
	}
	role, programme := group.Split()
	_, err = p.API.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(p.PoolID), GroupName: aws.String(string(group)),
		Description: aws.String(string(role) + " in the programme " + programme + " only (made by the staff page).")})
	var exists *types.GroupExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create the group %s: %w", group, err)
	}
	if _, err := p.API.AdminAddUserToGroup(ctx, in); err != nil {
		return fmt.Errorf("add a user to %s: %w", group, err)
	}
	return nil
}

// RemoveFromGroup takes the person out of group; a group the pool does not
// have has no one to take out.
func (p *Pool) RemoveFromGroup(ctx context.Context, email string, group grants.Role) error {
	_, err := p.API.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{
		UserPoolId: aws.String(p.PoolID), Username: aws.String(email), GroupName: aws.String(string(group))})
	var missing *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("remove a user from %s: %w", group, err)
	}
	return nil
}

// Members are the people in group, every page; none for a group the pool
// does not have (a programme's group before its first member).
func (p *Pool) Members(ctx context.Context, group grants.Role) ([]service.PoolPerson, error) {
	in := &cip.ListUsersInGroupInput{UserPoolId: aws.String(p.PoolID), GroupName: aws.String(string(group))}
	var out []service.PoolPerson
	for {
		page, err := p.API.ListUsersInGroup(ctx, in)
		var missing *types.ResourceNotFoundException
		if errors.As(err, &missing) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list the users in %s: %w", group, err)
		}
		for _, u := range page.Users {
			out = append(out, p.person(aws.ToString(u.Username), u.Attributes, u.Enabled, u.UserStatus))
		}
		if aws.ToString(page.NextToken) == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// Disable signs the person out of Cognito everywhere (their refresh
// tokens revoked, so no new ID token is issued from one) and stops them
// signing in. Sign-out comes first: Cognito may refuse it for a user
// already disabled, and a retry after a failure between the two repeats
// both harmlessly.
func (p *Pool) Disable(ctx context.Context, email string) error {
	if _, err := p.API.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(email)}); err != nil {
		return fmt.Errorf("sign a user out: %w", err)
	}
	if _, err := p.API.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p.PoolID), Username: aws.String(email)}); err != nil {
		return fmt.Errorf("disable a user: %w", err)
	}
	return nil
}

// person is a user as the use cases see them: their actor ID from the
// pool's issuer and their sub (the username itself in a pool that signs in
// by email, hence the fallback).
func (p *Pool) person(username string, attrs []types.AttributeType, enabled bool, status types.UserStatusType) service.PoolPerson {
	a := map[string]string{}
	for _, x := range attrs {
		a[aws.ToString(x.Name)] = aws.ToString(x.Value)
	}
	sub := a["sub"]
	if sub == "" {
		sub = username
	}
	actor := grants.StaffActor(p.Issuer, sub, a["email"], username, nil)
	return service.PoolPerson{ID: actor.ID, Email: a["email"], Name: a["name"], Enabled: enabled, Status: string(status)}
}
