package stack

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/partnership-grants/backend/pkg/dev/idp"
)

// The local stack stands in for Cognito and API Gateway's JWT authorizer
// with one issuer: an RS256 key kept in .local/ signs the bearer tokens of
// make token and the web app's ID tokens alike, and its key set is served
// at the issuer's /.well-known/jwks.json, as a user pool's is. The gateway
// verifies bearer tokens the way the authorizer does (signature, issuer,
// audience, expiry) before a handler runs.
const (
	// apiClient is the audience of bearer tokens, as the JWT authorizer's
	// audience is the pool's UserPoolClient; web app tokens (webClient)
	// are not accepted by the JSON API, as in AWS.
	apiClient     = "local-api-client"
	webClient     = "local-web-client"
	tokenLifetime = 12 * time.Hour
	// webLifetime is the web client's ID token validity in template.yaml.
	webLifetime = 10 * time.Hour
	localPoolID = "eu-west-2_local"
	poolPath    = "/" + localPoolID
)

// Auth issues and verifies local bearer tokens.
type Auth struct {
	Key    *idp.Key
	Issuer string
}

// issuer is the local pool's issuer when the sign-in stand-in listens on addr.
func issuer(addr string) string { return "http://" + addr + poolPath }

// LoadAuth reads the signing key from dir, creating it on first use; tokens
// name the issuer served on signInAddr.
func LoadAuth(dir, signInAddr string) (*Auth, error) {
	key, err := idp.LoadKey(filepath.Join(dir, "signin-key.pem"))
	if err != nil {
		return nil, err
	}
	return &Auth{Key: key, Issuer: issuer(signInAddr)}, nil
}

// Token kinds a Cognito user pool issues, by their token_use claim.
const (
	IDToken     = "id"
	AccessToken = "access"
)

// Issue makes a bearer token for user in role, shaped like a Cognito ID token.
func (a *Auth) Issue(user, role string, now time.Time) (string, error) {
	return a.IssueKind(user, role, IDToken, now)
}

// IssueKind makes a bearer token of kind (IDToken or AccessToken) for user
// in role, with the claims Cognito gives that kind: an access token names
// its client in client_id (no aud), carries the username and groups but no
// email. API Gateway's JWT authorizer accepts both; the API refuses the
// access token itself.
func (a *Auth) IssueKind(user, role, kind string, now time.Time) (string, error) {
	return a.IssueGroups(user, []string{role}, kind, now)
}

// IssueGroups is IssueKind for a token naming groups: a role in every
// programme ("finance") or in one ("finance:CODE", issue 25).
func (a *Auth) IssueGroups(user string, groups []string, kind string, now time.Time) (string, error) {
	claims := map[string]any{
		"iss":            a.Issuer,
		"sub":            idp.Subject(user),
		"cognito:groups": groups,
		"token_use":      kind,
		"auth_time":      now.Unix(),
		"iat":            now.Unix(),
		"exp":            now.Add(tokenLifetime).Unix(),
	}
	switch kind {
	case IDToken:
		email := user
		if !strings.Contains(email, "@") {
			email = user + "@funder.local"
		}
		claims["aud"], claims["email"], claims["cognito:username"] = apiClient, email, user
	case AccessToken:
		claims["client_id"], claims["username"], claims["scope"] = apiClient, user, "aws.cognito.signin.user.admin"
	default:
		return "", fmt.Errorf("token kind %q: want %s or %s", kind, IDToken, AccessToken)
	}
	return a.Key.Sign(claims)
}

// Verify checks a bearer token and returns its claims flattened as API
// Gateway passes them to a function: strings, with arrays as "[a b]".
func (a *Auth) Verify(token string, now time.Time) (map[string]string, error) {
	parsed, err := jwt.Parse(token, func(t *jwt.Token) (any, error) {
		if t.Header["kid"] != a.Key.ID {
			return nil, fmt.Errorf("unknown key %v", t.Header["kid"])
		}
		return a.Key.Public(), nil
	}, jwt.WithValidMethods([]string{"RS256"}), jwt.WithIssuer(a.Issuer),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(func() time.Time { return now }))
	if err != nil {
		return nil, err
	}
	// The authorizer's audience check: aud, or client_id where a token has
	// no aud (a Cognito access token), must be the API's client.
	claims := parsed.Claims.(jwt.MapClaims)
	if aud, err := claims.GetAudience(); err != nil || len(aud) > 0 && !slices.Contains(aud, apiClient) ||
		len(aud) == 0 && claims["client_id"] != apiClient {
		return nil, errors.New("the token is not for the API's client")
	}
	out := map[string]string{}
	for k, v := range claims {
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

// Enrol puts user in role's group of the local user pool, through the
// sign-in stand-in's administration API on signInAddr (make run's), as an
// administrator adds a person to a group before they sign in: the pool is
// what the PaymentsFunction and the web app ask before a payment, so a
// token make token issues for someone the pool does not have in finance
// could not pay. The stand-in keeps its groups in memory: after make run
// starts again, enrol again.
func Enrol(ctx context.Context, signInAddr, user, role string) error {
	return EnrolIn(ctx, signInAddr, user, []string{role})
}

// EnrolIn is Enrol in each of groups, making a programme's group
// ("finance:CODE") first if the pool has none by its name, as the staff
// page does.
func EnrolIn(ctx context.Context, signInAddr, user string, groups []string) error {
	client := cip.New(cip.Options{Region: localRegion, BaseEndpoint: aws.String("http://" + signInAddr),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	for _, g := range groups {
		if strings.Contains(g, ":") {
			_, err := client.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(localPoolID), GroupName: aws.String(g)})
			var exists *types.GroupExistsException
			if err != nil && !errors.As(err, &exists) {
				return err
			}
		}
		if _, err := client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(localPoolID), Username: aws.String(user), GroupName: aws.String(g)}); err != nil {
			return err
		}
	}
	return nil
}
