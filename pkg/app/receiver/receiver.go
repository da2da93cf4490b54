// Package receiver wires the InboundFunction: the MIME parser, which only
// the function that reads mail carries (pkg/app's doc says why).
package receiver

import (
	"context"
	"os"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/replies"
)

// New builds the InboundFunction's handler core.
func New(ctx context.Context, d *app.Deps) (*replies.Receiver, error) {
	x, err := senders.Automation(ctx, d)
	if err != nil {
		return nil, err
	}
	tokens, err := senders.ReplyTokens(ctx, d)
	if err != nil {
		return nil, err
	}
	prefix := os.Getenv("RAW_PREFIX")
	if prefix == "" {
		prefix = "raw/"
	}
	return &replies.Receiver{Store: d.Store, Objects: senders.Bucket(d), Tokens: tokens, Service: x, RawPrefix: prefix, Now: d.Clock}, nil
}
