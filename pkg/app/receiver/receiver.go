// Package receiver wires the InboundFunction's reply receiver
// (pkg/reply/receive) and with it the MIME parser, which only the function
// that reads mail carries (pkg/app's doc says why).
package receiver

import (
	"context"

	"github.com/partnership-grants/backend/pkg/app"
	"github.com/partnership-grants/backend/pkg/app/senders"
	"github.com/partnership-grants/backend/pkg/reply/receive"
	"github.com/partnership-grants/backend/pkg/service"
)

// The receiver hands every message to the replies' use cases.
var _ receive.UseCases = (*service.Replies)(nil)

// and what is sent to the enquiry address to the enquiries' (issue 24, item 6).
var _ receive.EnquiryUseCases = (*service.Enquiries)(nil)

// New builds the InboundFunction's handler core: the reply receiver.
func New(ctx context.Context, d *app.Deps) (*receive.Receiver, error) {
	replies, err := senders.Replies(d)
	if err != nil {
		return nil, err
	}
	tokens, err := senders.ReplyTokens(ctx, d)
	if err != nil {
		return nil, err
	}
	courier, err := senders.Courier(d, service.NoEvents, service.NoReplyAddresses)
	if err != nil {
		return nil, err
	}
	return &receive.Receiver{Store: d.Store, Objects: senders.Bucket(d), Tokens: tokens, Replies: replies, RawPrefix: d.Config.RawPrefix, Now: d.Clock,
		EnquiryAddress: d.Config.EnquiryAddress, Enquiries: senders.Enquiries(d, courier)}, nil
}
