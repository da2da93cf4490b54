package httpapi

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Sessions is the record of sign-outs the web app keeps (pkg/web/signin's
// SignOuts), read here (issue 25, item 5): a person signed out, disabled
// or with a role removed has their sessions ended at that instant, and
// the API refuses every token issued to them up to it, as the web app
// refuses its session, rather than serve it until it expires.
type Sessions interface {
	SessionsEnded(ctx context.Context, actorID string) (time.Time, error)
}

// Checking is p with every request checked against sessions: what a
// function's handler is. A token issued at or before its person's
// sessions ended is refused, 401 session_ended.
func (p Placed) Checking(sessions Sessions) Placed {
	p.Sessions = sessions
	return p
}

// Checking is rt checked against sessions (see Placed.Checking).
func (rt Router) Checking(sessions Sessions) Placed { return Placed{Routes: rt, Sessions: sessions} }

// live checks the token's iat against its person's sessions' end. A
// token's iat is in whole seconds, so one issued in the second they ended
// counts as before it, as the web app counts it (signin's live). A record
// that cannot be read is an internal error: the request is not served
// unchecked.
func live(ctx context.Context, sessions Sessions, ev *events.APIGatewayV2HTTPRequest, actor Actor) error {
	iat, err := strconv.ParseInt(ev.RequestContext.Authorizer.JWT.Claims["iat"], 10, 64)
	if err != nil {
		return &grants.Error{Code: grants.Unauthorized, Message: "The token says not when it was issued (no iat claim).", Reason: "unauthenticated"}
	}
	ended, err := sessions.SessionsEnded(ctx, actor.ID)
	if err != nil {
		return fmt.Errorf("read the sessions' end: %w", err)
	}
	if !time.Unix(iat, 0).After(ended) {
		return &grants.Error{Code: grants.Unauthorized, Reason: "session_ended",
			Message: "Your session has ended (you signed out, or an administrator removed a role of yours or disabled you): sign in again for a new token."}
	}
	return nil
}
