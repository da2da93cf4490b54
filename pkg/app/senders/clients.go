package senders

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/partnership-grants/backend/pkg/app"
)

// Method-value wrappers of the SDK clients, for the reason given in
// pkg/app/clients.go: only the operations called are linked. S3 has none:
// s3.New puts the client in an interface itself, so a wrapper saves nothing.

type sesOps struct {
	sendEmail app.Op[sesv2.SendEmailInput, sesv2.SendEmailOutput, sesv2.Options]
}

func (s sesOps) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, o ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return s.sendEmail(ctx, in, o...)
}
