package iam

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

type functionKey struct{}

// WithFunction marks ctx as an invocation of the function with logical ID
// fn: the calls made under it are checked against fn's policy.
func WithFunction(ctx context.Context, fn string) context.Context {
	return context.WithValue(ctx, functionKey{}, fn)
}

// FunctionOf is the invoking function of ctx, or "" outside any invocation
// (a test's setup, the stack's own seeding), whose calls are not checked.
func FunctionOf(ctx context.Context) string {
	fn, _ := ctx.Value(functionKey{}).(string)
	return fn
}

// Enforcer checks each call a function makes against its policy.
type Enforcer struct {
	tpl             *Template
	region, account string
	// used, if set, receives "function\taction" once per pair allowed: what
	// make iam compares with the policies.
	used io.Writer
	mu   sync.Mutex
	seen map[string]bool
}

// NewEnforcer enforces t's policies on calls in region and account.
func NewEnforcer(t *Template, region, account string, used io.Writer) *Enforcer {
	return &Enforcer{tpl: t, region: region, account: account, used: used, seen: map[string]bool{}}
}

// Middleware adds the check to an SDK client (an aws.Config's APIOptions),
// in its Initialize step, after the service and operation are named: a
// refused call never reaches the emulator.
func (e *Enforcer) Middleware(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("iam.enforce", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if fn := FunctionOf(ctx); fn != "" {
			if err := e.Check(ctx, fn, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters); err != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}
		}
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

// Check authorizes one call of fn, logging and returning AWS's
// AccessDenied error for the first request its policy does not allow.
func (e *Enforcer) Check(ctx context.Context, fn, service, operation string, params any) error {
	p := e.tpl.Policies[fn]
	for _, r := range e.tpl.Requests(e.region, e.account, service, operation, params) {
		if p != nil && p.Allows(r) {
			e.record(fn, r.Action)
			continue
		}
		slog.WarnContext(ctx, "iam denied", "function", fn, "action", r.Action, "resource", r.Resource, "operation", service+"."+operation)
		code := "AccessDeniedException"
		if service == "S3" {
			code = "AccessDenied"
		}
		why := "no identity-based policy allows the " + r.Action + " action"
		if p == nil {
			why = "template.yaml has no function " + fn
		}
		return &smithy.GenericAPIError{Code: code, Fault: smithy.FaultClient, Message: fmt.Sprintf(
			"User: arn:aws:sts::%s:assumed-role/%s-role/%s is not authorized to perform: %s on resource: %s because %s",
			e.account, fn, fn, r.Action, r.Resource, why)}
	}
	return nil
}

func (e *Enforcer) record(fn, action string) {
	if e.used == nil {
		return
	}
	k := fn + "\t" + strings.ToLower(action)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seen[k] {
		return
	}
	e.seen[k] = true
	_, _ = io.WriteString(e.used, k+"\n")
}
