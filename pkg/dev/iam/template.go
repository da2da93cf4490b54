package iam

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Names are what the template's references resolve to on one local stack:
// CloudFormation's pseudo parameters, the template's parameters, and the
// physical names of the resources the stack gives names of its own (each
// test's table, queue and buckets). A resource not named here is given the
// name its properties spell (TableName, QueueName, Name, BucketName, with
// Stage resolved), else its logical ID.
type Names struct {
	Region, Account string
	// Params are parameter values by name (Stage, SesIdentity, and the
	// pseudo parameter AWS::StackName); parameters not here take the
	// template's Default.
	Params map[string]string
	// Physical are resources' names by logical ID (a table's TableName, a
	// queue's QueueName, a bucket's name, a secret's name, a user pool's ID).
	Physical map[string]string
	// Arns are ARNs by logical ID, for resources whose ARN is not made
	// from a name (a role).
	Arns map[string]string
}

// SecretARN is the ARN the local stack gives a secret named name: Secrets
// Manager adds a hyphen and six characters, which policies match with ??????.
func SecretARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-local0", region, account, name)
}

// Template is a SAM template's functions' policies, resolved for one stack.
type Template struct {
	// Policies by function logical ID.
	Policies map[string]*Policy
	// Tables are the DynamoDB tables' key schemas, by physical name.
	Tables map[string]TableKeys
}

// TableKeys are the partition key attributes of a table and its indexes,
// which give a call's dynamodb:LeadingKeys.
type TableKeys struct {
	Hash    string
	Indexes map[string]string // index name → its partition key attribute
}

type rawTemplate struct {
	Parameters map[string]struct {
		Default yaml.Node `yaml:"Default"`
	} `yaml:"Parameters"`
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

// Load reads the template at path and resolves every function's policies
// with names.
func Load(path string, names Names) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, names)
}

// Parse is Load on a template's bytes.
func Parse(b []byte, names Names) (*Template, error) {
	var raw rawTemplate
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("iam: parse template: %w", err)
	}
	r := &resolver{names: names, raw: &raw}
	t := &Template{Policies: map[string]*Policy{}, Tables: map[string]TableKeys{}}
	ids := make([]string, 0, len(raw.Resources))
	for id := range raw.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		res := raw.Resources[id]
		switch res.Type {
		case "AWS::DynamoDB::Table":
			name, err := r.ref(id)
			if err != nil {
				return nil, err
			}
			keys, err := tableKeys(&res.Properties)
			if err != nil {
				return nil, fmt.Errorf("iam: %s: %w", id, err)
			}
			t.Tables[name] = keys
		case "AWS::Serverless::Function":
			// Only the Policies are resolved: the rest (its environment,
			// events) names parameters the local stack has no value for.
			var sts []Statement
			pols, err := r.policies(&res.Properties)
			if err != nil {
				return nil, fmt.Errorf("iam: %s: %w", id, err)
			}
			for _, pol := range pols {
				s, err := policyStatements(pol, r)
				if err != nil {
					return nil, fmt.Errorf("iam: %s: %w", id, err)
				}
				sts = append(sts, s...)
			}
			t.Policies[id] = NewPolicy(id, sts)
		}
	}
	return t, nil
}

// policyStatements are one entry of a function's Policies: an inline
// policy document ({Statement: [...]}) or a SAM policy template.
func policyStatements(pol any, r *resolver) ([]Statement, error) {
	m, ok := pol.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("policy %v: a managed policy by name is not evaluated locally (write its statements inline)", pol)
	}
	if sts, ok := m["Statement"]; ok {
		list, ok := sts.([]any)
		if !ok {
			list = []any{sts}
		}
		var out []Statement
		for _, s := range list {
			st, err := statement(s)
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
		return out, nil
	}
	if len(m) != 1 {
		return nil, fmt.Errorf("policy %v: neither a statement list nor one policy template", m)
	}
	for name, params := range m {
		return expandTemplate(name, params, r)
	}
	return nil, nil
}

func statement(v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("statement %v is not a mapping", v)
	}
	for k := range m {
		switch k {
		case "Effect", "Action", "Resource", "Condition", "Sid":
		default:
			return Statement{}, fmt.Errorf("statement %v: %s is not evaluated locally", m, k)
		}
	}
	var s Statement
	switch m["Effect"] {
	case "Allow":
		s.Allow = true
	case "Deny":
	default:
		return Statement{}, fmt.Errorf("statement %v: Effect must be Allow or Deny", m)
	}
	actions, err := strings1(m["Action"])
	if err != nil {
		return Statement{}, fmt.Errorf("statement Action: %w", err)
	}
	for _, a := range actions {
		s.Actions = append(s.Actions, strings.ToLower(a))
	}
	if s.Resources, err = strings1(m["Resource"]); err != nil {
		return Statement{}, fmt.Errorf("statement %v Resource: %w", actions, err)
	}
	if c, ok := m["Condition"]; ok {
		ops, ok := c.(map[string]any)
		if !ok {
			return Statement{}, fmt.Errorf("statement %v: Condition is not a mapping", actions)
		}
		for op, keys := range ops {
			km, ok := keys.(map[string]any)
			if !ok {
				return Statement{}, fmt.Errorf("statement %v: condition %s is not a mapping", actions, op)
			}
			cs, err := parseCondition(op, km)
			if err != nil {
				return Statement{}, err
			}
			s.Conditions = append(s.Conditions, cs...)
		}
		sort.Slice(s.Conditions, func(i, j int) bool { return s.Conditions[i].Key < s.Conditions[j].Key })
	}
	return s, nil
}

// tableKeys reads a table's KeySchema and its indexes'.
func tableKeys(props *yaml.Node) (TableKeys, error) {
	var p struct {
		KeySchema []struct {
			AttributeName string `yaml:"AttributeName"`
			KeyType       string `yaml:"KeyType"`
		} `yaml:"KeySchema"`
		GlobalSecondaryIndexes []struct {
			IndexName string `yaml:"IndexName"`
			KeySchema []struct {
				AttributeName string `yaml:"AttributeName"`
				KeyType       string `yaml:"KeyType"`
			} `yaml:"KeySchema"`
		} `yaml:"GlobalSecondaryIndexes"`
	}
	if err := props.Decode(&p); err != nil {
		return TableKeys{}, err
	}
	k := TableKeys{Indexes: map[string]string{}}
	for _, e := range p.KeySchema {
		if e.KeyType == "HASH" {
			k.Hash = e.AttributeName
		}
	}
	for _, ix := range p.GlobalSecondaryIndexes {
		for _, e := range ix.KeySchema {
			if e.KeyType == "HASH" {
				k.Indexes[ix.IndexName] = e.AttributeName
			}
		}
	}
	return k, nil
}

// policies is a function's Policies property, resolved.
func (r *resolver) policies(props *yaml.Node) ([]any, error) {
	if props.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		if props.Content[i].Value != "Policies" {
			continue
		}
		v, err := r.value(props.Content[i+1])
		if err != nil {
			return nil, fmt.Errorf("its policies: %w", err)
		}
		if l, ok := v.([]any); ok {
			return l, nil
		}
		return []any{v}, nil
	}
	return nil, nil
}
