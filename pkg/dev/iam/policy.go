// Package iam enforces, in the local stack, what each function's role
// allows in AWS: it reads every function's policy statements from
// template.yaml (inline statements and the SAM policy templates it knows,
// with !Ref, !Sub and !GetAtt resolved to the local stack's names), maps
// each AWS SDK call a function makes to the IAM actions and resources AWS
// authorizes it as, and refuses what the policy does not allow with the
// AccessDenied error AWS would give. So every test of the local stack also
// tests the policies: a call a role does not allow fails here, not after a
// deploy. It is tooling, never part of a deployed function.
//
// Evaluation follows IAM's for identity policies: an explicit Deny wins,
// else any Allow, else the call is denied. Actions match case-insensitively
// and resources case-sensitively, both with IAM's * and ? wildcards; the
// condition operators the template uses (String[Not]Equals, String[Not]Like,
// with ForAllValues/ForAnyValue) are evaluated on the keys the mapping
// supplies (dynamodb:LeadingKeys, s3:prefix). Anything else in a policy
// (NotAction, another operator, an unknown policy template) is an error at
// load, not a silent allow.
package iam

import (
	"fmt"
	"sort"
	"strings"
)

// Request is one authorization AWS makes for a call: an action on a
// resource, with the condition keys the call supplies.
type Request struct {
	Action   string // e.g. dynamodb:GetItem
	Resource string // an ARN
	// Keys are the call's condition keys, e.g. dynamodb:LeadingKeys: the
	// partition key values it touches.
	Keys map[string][]string
}

// Statement is one policy statement, resolved.
type Statement struct {
	Allow      bool
	Actions    []string // lower case; may hold wildcards
	Resources  []string
	Conditions []Condition
}

// Condition is one operator/key test of a statement's Condition block.
type Condition struct {
	// Set is "", "ForAllValues" or "ForAnyValue".
	Set string
	// Op is StringEquals, StringNotEquals, StringLike or StringNotLike.
	Op     string
	Key    string
	Values []string
}

// Policy is one function's statements, indexed by action so a decision
// reads only the statements that could apply.
type Policy struct {
	Function   string
	Statements []Statement
	byAction   map[string][]int // exact (lower-case) action → statements
	wild       []int            // statements with a wildcard action
}

// NewPolicy indexes statements for fn.
func NewPolicy(fn string, statements []Statement) *Policy {
	p := &Policy{Function: fn, Statements: statements, byAction: map[string][]int{}}
	for i, s := range statements {
		wild := false
		for _, a := range s.Actions {
			if strings.ContainsAny(a, "*?") {
				wild = true
				continue
			}
			p.byAction[a] = append(p.byAction[a], i)
		}
		if wild {
			p.wild = append(p.wild, i)
		}
	}
	return p
}

// Allows reports whether the policy allows r: no Deny statement matches it
// and an Allow statement does.
func (p *Policy) Allows(r Request) bool {
	action := strings.ToLower(r.Action)
	allowed := false
	check := func(i int) bool {
		s := &p.Statements[i]
		if !s.matches(action, r) {
			return true
		}
		if !s.Allow {
			return false
		}
		allowed = true
		return true
	}
	for _, i := range p.byAction[action] {
		if !check(i) {
			return false
		}
	}
	for _, i := range p.wild {
		if !check(i) {
			return false
		}
	}
	return allowed
}

// AllowedActions are the actions (as written, lower case) of the policy's
// Allow statements, sorted: what make iam compares with what tests used.
func (p *Policy) AllowedActions() []string {
	seen := map[string]bool{}
	for _, s := range p.Statements {
		if s.Allow {
			for _, a := range s.Actions {
				seen[a] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Without is a copy of the policy with action (exact, any case) taken out
// of every statement: how a test shows which flow needs it.
func (p *Policy) Without(action string) *Policy {
	action = strings.ToLower(action)
	sts := make([]Statement, 0, len(p.Statements))
	for _, s := range p.Statements {
		var kept []string
		for _, a := range s.Actions {
			if a != action {
				kept = append(kept, a)
			}
		}
		if len(kept) == 0 {
			continue
		}
		s.Actions = kept
		sts = append(sts, s)
	}
	return NewPolicy(p.Function, sts)
}

func (s *Statement) matches(action string, r Request) bool {
	ok := false
	for _, a := range s.Actions {
		if Match(a, action) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	ok = false
	for _, res := range s.Resources {
		if Match(res, r.Resource) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(r.Keys[c.Key]) {
			return false
		}
	}
	return true
}

// holds evaluates the condition on the request's values of its key, as
// IAM does: a single-valued test passes when any value matches; ForAllValues
// when every value matches one of the condition's (vacuously, with none);
// ForAnyValue when some value does (never, with none). A negated operator
// on an absent key holds.
func (c Condition) holds(got []string) bool {
	negated := strings.Contains(c.Op, "Not")
	like := strings.HasSuffix(c.Op, "Like")
	one := func(v string) bool {
		for _, want := range c.Values {
			if like && Match(want, v) || !like && want == v {
				return true
			}
		}
		return false
	}
	test := func(v string) bool { return one(v) != negated }
	switch c.Set {
	case "ForAllValues":
		for _, v := range got {
			if !test(v) {
				return false
			}
		}
		return true
	default: // ForAnyValue, or a single-valued key
		if len(got) == 0 {
			return negated && c.Set == ""
		}
		for _, v := range got {
			if test(v) {
				return true
			}
		}
		return false
	}
}

// Match reports whether s matches the IAM pattern p: * is any run of
// characters, ? any one. Case-sensitive (actions are lower-cased first).
func Match(p, s string) bool {
	if !strings.ContainsAny(p, "*?") {
		return p == s
	}
	// Iterative glob with one backtrack point: linear for IAM's patterns.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// parseCondition reads one operator of a statement's Condition block.
func parseCondition(op string, keys map[string]any) ([]Condition, error) {
	set, base, found := strings.Cut(op, ":")
	if !found {
		set, base = "", op
	}
	if set != "" && set != "ForAllValues" && set != "ForAnyValue" {
		return nil, fmt.Errorf("condition operator %s: unknown qualifier", op)
	}
	switch base {
	case "StringEquals", "StringNotEquals", "StringLike", "StringNotLike":
	default:
		return nil, fmt.Errorf("condition operator %s: not evaluated locally (add it to pkg/dev/iam)", op)
	}
	var out []Condition
	for key, v := range keys {
		vals, err := strings1(v)
		if err != nil {
			return nil, fmt.Errorf("condition %s %s: %w", op, key, err)
		}
		out = append(out, Condition{Set: set, Op: base, Key: key, Values: vals})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// strings1 is a policy element that is a string or a list of strings.
func strings1(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is neither a string nor a list", v)
}
