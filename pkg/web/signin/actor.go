// Package signin signs staff in to the web app: the OpenID Connect
// authorization-code flow with PKCE against Cognito managed login (or the
// local stack's stand-in), a session cookie holding the ID token, and the
// token verified on every request.
package signin

import (
	"context"

	"github.com/partnership-grants/backend/pkg/grants"
)

type actorKey struct{}

// WithActor is ctx carrying the signed-in member of staff.
func WithActor(ctx context.Context, a grants.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom is the signed-in member of staff a request carries.
func ActorFrom(ctx context.Context) (grants.Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(grants.Actor)
	return a, ok
}
