package samtemplate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The staff's administration (issue 25, items 4 and 5) in the template:
// each function may call exactly the cognito-idp operations its code
// calls, on the template's pool only, and every function behind the API's
// routes may read the sign-out record (STAFF#<actor ID> / SESSIONS) its
// router checks on each request.
func TestStaffPermissions(t *testing.T) {
	tpl := loadGeneric(t)
	staff := []string{"AdminAddUserToGroup", "AdminCreateUser", "AdminDisableUser", "AdminGetUser", "AdminListGroupsForUser",
		"AdminRemoveUserFromGroup", "AdminUserGlobalSignOut", "CreateGroup", "ListUsersInGroup"}
	want := map[string][]string{
		"AgreementsFunction": staff,
		"WebFunction":        staff,
		"PaymentsFunction":   {"AdminListGroupsForUser"},
	}
	if got := staffProblems(tpl, want); len(got) > 0 {
		t.Error(strings.Join(got, "\n"))
	}
	// The checks can fail: an operation more, and a router function that
	// cannot read the record.
	want["AgreementsFunction"] = staff[1:]
	for _, st := range policyStatements(tpl, "MonitoringFunction") {
		if st["Action"] == "dynamodb:GetItem" {
			st["Action"] = "dynamodb:Query"
		}
	}
	if got := staffProblems(tpl, want); len(got) != 2 {
		t.Errorf("with an operation too many and a function unable to read the record, found %q", got)
	}
}

func staffProblems(tpl map[string]any, want map[string][]string) []string {
	var out []string
	for _, fn := range ofType(tpl, "AWS::Serverless::Function") {
		var ops []string
		readsTable, routed := false, false
		for _, st := range policyStatements(tpl, fn) {
			if st["Effect"] != "Allow" {
				continue
			}
			actions := strs(st["Action"])
			for _, a := range actions {
				if op, ok := strings.CutPrefix(a, "cognito-idp:"); ok {
					if getAtt(st["Resource"], "Arn") != "UserPool" {
						out = append(out, fmt.Sprintf("%s: cognito-idp:%s on %v, not the pool's ARN", fn, op, st["Resource"]))
					}
					ops = append(ops, op)
				}
			}
			if slices.Contains(actions, "dynamodb:GetItem") && st["Condition"] == nil && resourcesInclude(st["Resource"], "Table") {
				readsTable = true
			}
		}
		for _, ev := range mapOf(dig(tpl, "Resources", fn, "Properties", "Events")) {
			e, _ := ev.(map[string]any)
			if e["Type"] == "HttpApi" && dig(e, "Properties", "Auth", "Authorizer") != "NONE" {
				routed = true
			}
		}
		slices.Sort(ops)
		ops = slices.Compact(ops)
		if !slices.Equal(ops, want[fn]) {
			out = append(out, fmt.Sprintf("%s may call cognito-idp %v, want %v", fn, ops, want[fn]))
		}
		if routed && !readsTable {
			out = append(out, fmt.Sprintf("%s serves API routes but cannot read the sign-out record (GetItem on the table)", fn))
		}
	}
	return out
}

// policyStatements are the inline statements of fn's Policies.
func policyStatements(tpl map[string]any, fn string) []map[string]any {
	var out []map[string]any
	pols, _ := dig(tpl, "Resources", fn, "Properties", "Policies").([]any)
	for _, p := range pols {
		sts, _ := dig(p, "Statement").([]any)
		for _, s := range sts {
			if m, ok := s.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func resourcesInclude(v any, id string) bool {
	if getAtt(v, "Arn") == id {
		return true
	}
	l, _ := v.([]any)
	for _, x := range l {
		if getAtt(x, "Arn") == id {
			return true
		}
	}
	return false
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
