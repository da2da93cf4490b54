package stack

import (
	"cmp"
	"context"
	"path/filepath"

	"github.com/partnership-grants/backend/pkg/dev/iam"
	"github.com/partnership-grants/backend/pkg/dev/sqslocal"
)

// localIAM is the check each function's calls pass, as its role's policy
// in AWS would (issue 27, item 2): the template's policies (or
// opts.IAMTemplate's), with the names resolved to this stack's (each
// test's own table, queue and buckets). The functions run in this process
// on one set of clients, so a call is checked against the policy of the
// function whose invocation made it (invocation marks the context); calls
// outside any (the stack's setup and seeding, a test's own) are not.
func localIAM(opts Options) (*iam.Enforcer, error) {
	names := iam.Names{
		Region: localRegion, Account: sqslocal.AccountID,
		Params: map[string]string{
			"Stage": "local",
			// The domain of the local SENDER_EMAIL: the identity SES sends as.
			"SesIdentity":    "funder.local",
			"AWS::StackName": "partnership-grants-local",
		},
		Physical: map[string]string{
			"Table":            opts.TableName,
			"CheckInQueue":     opts.CheckInQueue,
			"MailBucket":       cmp.Or(opts.MailBucket, "partnership-grants-local-mail"),
			"GrantsDataBucket": cmp.Or(opts.GrantsBucket, GrantsDataBucket),
			"UserPool":         localPoolID,
			"ReplyTokenKey":    replyTokenSecret,
			"ScheduleGroup":    localGroup,
			"AccountingBus":    "partnership-grants-local-accounting",
		},
		Arns: map[string]string{"SchedulerRole": schedulerArn},
	}
	tpl, err := iam.Load(cmp.Or(opts.IAMTemplate, filepath.Join(opts.Root, "template.yaml")), names)
	if err != nil {
		return nil, err
	}
	return iam.NewEnforcer(tpl, localRegion, sqslocal.AccountID, opts.IAMUsed), nil
}

// asFunction is ctx as an invocation of the function with logical ID fn:
// its calls are checked against fn's policy.
func asFunction(ctx context.Context, fn string) context.Context { return iam.WithFunction(ctx, fn) }
