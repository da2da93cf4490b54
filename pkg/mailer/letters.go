package mailer

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/outbox"
	"github.com/partnership-grants/backend/pkg/service"
)

// Letters words the service's letters with the templates and sends them
// through SES: the service's Letters port.
type Letters struct {
	Sender *Sender
	// PDF writes the agreement's PDF, for the functions that send the
	// agreement and its changes (pkg/mailer/agreementpdf's Render); nil in
	// the others, which link no PDF library.
	PDF PDF
}

var _ service.Letters = Letters{}

// Post words and sends a letter.
func (l Letters) Post(ctx context.Context, letter service.Letter) (service.Posted, error) {
	e, err := WordWith(letter, l.PDF)
	if err != nil {
		return service.Posted{}, err
	}
	e.Date = letter.Date
	e.SenderName = letter.SenderName
	id, err := l.Sender.Send(ctx, e)
	text := e.Text
	if letter.FeedbackTo != "" {
		text = strings.ReplaceAll(text, letter.FeedbackTo, "[the partner's confidential feedback address]")
	}
	return service.Posted{MessageID: id, Subject: e.Subject, To: e.To, Text: text}, err
}

// Word renders the email a letter stands for (not the agreement's, which
// needs a PDF writer: WordWith).
func Word(l service.Letter) (Email, error) { return WordWith(l, nil) }

// WordWith renders the email a letter stands for, the agreement's PDF
// written by pdf.
func WordWith(l service.Letter, pdf PDF) (Email, error) {
	a, c, in, o := l.Agreement, l.CheckIn, l.Instalment, l.Owner
	switch l.Kind {
	case outbox.KindCheckIn:
		return CheckInOfferingOn(a, c, l.ReplyTo, l.FeedbackTo, l.Programme, o, l.Questions, l.Date) // confidential.go
	case outbox.KindReminder:
		return ReminderOffering(a, c, l.ReplyTo, l.FeedbackTo, l.Reminder, o, l.Questions)
	case outbox.KindOverdue:
		return OverdueNotice(a, c, l.To)
	case outbox.KindDueNotice:
		return InstalmentDueNotice(a, in, in.AwaitingCheckIn, l.To)
	case outbox.KindWelcome:
		return Welcome(a, l.Programme, l.To, o)
	case outbox.KindThankYou:
		return ThankYou(a, l.Programme, l.To, o)
	case outbox.KindRemittance:
		return Remittance(a, in, in.Payment.PaymentReference, in.Payment.PaidOn, l.To, o)
	case outbox.KindRunRemittance:
		return RunRemittance(a, l.Instalments, l.To, o)
	case outbox.KindAck:
		return Acknowledgement(a, c, l.To, o)
	case outbox.KindTerminated:
		return Terminated(a, l.Programme, o)
	case outbox.KindTerminatedFinance:
		return TerminatedFinance(a, l.To)
	case outbox.KindReplyNotice:
		return ReplyNotice(a, c, l.To, l.Reply.Text)
	case outbox.KindBounce:
		return BounceNotice(a, l.Bounced, l.BounceKind, l.To)
	case outbox.KindNowPayable:
		return NowPayable(a, in, l.To, l.AppURL)
	case outbox.KindLateDigest:
		return LateDigest(l.Programme, l.Day, l.OnTimeDays, l.Late, l.To, l.AppURL)
	case outbox.KindHeldDigest:
		return HeldDigest(l.Day, l.HeldCounts, l.To, l.AppURL)
	case outbox.KindNotice:
		if l.Notice.Kind == grants.NoticeMessage {
			return Message(a, l.Notice, l.To, l.ReplyTo, o)
		}
		return Notice(a, l.Notice, l.To, o)
	case outbox.KindAgreement:
		return AgreementEmail(a, l.Programme, l.To, l.ReplyTo, o, pdf)
	case outbox.KindProposal:
		return ProposalEmail(a, l.Programme, l.To, l.ReplyTo, o, pdf)
	case outbox.KindReflection:
		return Reflection(a, l.Programme, l.Reflection, l.To, l.ReplyTo, o)
	case outbox.KindEnquiryAck:
		return EnquiryAcknowledgement(l.Enquiry, l.Programme, l.AnswerBy, l.AnswerDays, l.To, l.ReplyTo, o)
	case outbox.KindEnquiryReply:
		return EnquiryReply(l.Enquiry, *l.EnquiryAnswer, l.To, l.ReplyTo, o)
	case outbox.KindStory:
		return StoryEmail(a, l.Story, l.Programme, l.To, l.ReplyTo, o)
	}
	return Email{}, fmt.Errorf("no email of kind %v", l.Kind)
}
