package samtemplate

import (
	"fmt"
	"slices"
	"testing"
)

// A person's email cannot be changed to pass for someone else: the user
// pool changes it only once the new address is verified, and no app client
// lets a user write it with their own tokens (UpdateUserAttributes). The
// product compares people by subject anyway; this keeps the email it shows
// true.
func TestStaffCannotChangeTheirOwnEmail(t *testing.T) {
	tpl := loadGeneric(t)
	if got := emailProblems(tpl); len(got) > 0 {
		t.Error(got)
	}
	// The check can fail: a client with no WriteAttributes may write every
	// attribute, and a pool without the setting changes email unverified.
	delete(props(tpl, "WebClient"), "WriteAttributes")
	delete(props(tpl, "UserPool"), "UserAttributeUpdateSettings")
	if got := emailProblems(tpl); len(got) != 2 {
		t.Errorf("with both protections removed, found %v", got)
	}
}

func emailProblems(tpl map[string]any) []string {
	var out []string
	for _, pool := range ofType(tpl, "AWS::Cognito::UserPool") {
		verified, _ := dig(props(tpl, pool), "UserAttributeUpdateSettings", "AttributesRequireVerificationBeforeUpdate").([]any)
		if !slices.Contains(verified, any("email")) {
			out = append(out, pool+": an email change takes effect unverified")
		}
	}
	for _, client := range ofType(tpl, "AWS::Cognito::UserPoolClient") {
		writable, ok := props(tpl, client)["WriteAttributes"].([]any)
		if !ok || slices.Contains(writable, any("email")) {
			out = append(out, fmt.Sprintf("%s: users may write their own email (WriteAttributes %v)", client, writable))
		}
	}
	return out
}
