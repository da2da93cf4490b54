package iam

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// resolver turns a template's YAML into plain values, resolving the
// intrinsics policies use (Ref, Fn::Sub, Fn::GetAtt, short or long form)
// to a local stack's names. Anything else is an error: a policy the
// evaluator cannot read must not pass as an allow.
type resolver struct {
	names Names
	raw   *rawTemplate
}

func (r *resolver) value(n *yaml.Node) (any, error) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Tag {
	case "!Ref":
		return r.ref(n.Value)
	case "!Sub":
		return r.sub(n)
	case "!GetAtt":
		if n.Kind == yaml.ScalarNode {
			id, attr, ok := strings.Cut(n.Value, ".")
			if !ok {
				return nil, fmt.Errorf("!GetAtt %s: no attribute", n.Value)
			}
			return r.getAtt(id, attr)
		}
		var parts []string
		if err := n.Decode(&parts); err != nil || len(parts) != 2 {
			return nil, fmt.Errorf("!GetAtt at line %d: want [resource, attribute]", n.Line)
		}
		return r.getAtt(parts[0], parts[1])
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("%s at line %d: not resolved locally", n.Tag, n.Line)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := r.value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if k == "<<" {
				merged, err := r.value(v)
				if err != nil {
					return nil, err
				}
				if mm, ok := merged.(map[string]any); ok {
					for mk, mv := range mm {
						if _, set := out[mk]; !set {
							out[mk] = mv
						}
					}
				}
				continue
			}
			val, err := r.value(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = val
		}
		// The long forms.
		if len(out) == 1 {
			for k, v := range out {
				switch k {
				case "Ref":
					if s, ok := v.(string); ok {
						return r.ref(s)
					}
				case "Fn::GetAtt":
					if l, ok := v.([]any); ok && len(l) == 2 {
						return r.getAtt(fmt.Sprint(l[0]), fmt.Sprint(l[1]))
					}
				case "Fn::Sub":
					return r.subValue(v)
				}
				if strings.HasPrefix(k, "Fn::") {
					return nil, fmt.Errorf("%s: not resolved locally", k)
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML", n.Line)
}

func (r *resolver) sub(n *yaml.Node) (any, error) {
	if n.Kind == yaml.ScalarNode {
		return r.subst(n.Value, nil)
	}
	n2 := *n
	n2.Tag = ""
	v, err := r.value(&n2)
	if err != nil {
		return nil, err
	}
	return r.subValue(v)
}

func (r *resolver) subValue(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return r.subst(v, nil)
	case []any:
		if len(v) == 2 {
			s, ok := v[0].(string)
			vars, ok2 := v[1].(map[string]any)
			if ok && ok2 {
				return r.subst(s, vars)
			}
		}
	}
	return nil, fmt.Errorf("Fn::Sub %v: want a string or [string, variables]", v)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) subst(s string, vars map[string]any) (string, error) {
	var firstErr error
	out := subVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if v, ok := vars[name]; ok {
			return fmt.Sprint(v)
		}
		var v string
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = r.getAtt(id, attr)
		} else {
			v, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	return out, firstErr
}

// ref is what !Ref id gives: a parameter's value, a pseudo parameter, or a
// resource's reference value.
func (r *resolver) ref(id string) (string, error) {
	n := r.names
	switch id {
	case "AWS::Region":
		return n.Region, nil
	case "AWS::AccountId":
		return n.Account, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	if v, ok := n.Params[id]; ok {
		return v, nil
	}
	if p, ok := r.raw.Parameters[id]; ok {
		if p.Default.Kind == yaml.ScalarNode {
			return p.Default.Value, nil
		}
		return "", fmt.Errorf("parameter %s has no default and no local value (iam.Names.Params)", id)
	}
	if strings.HasPrefix(id, "AWS::") {
		return "", fmt.Errorf("pseudo parameter %s has no local value (iam.Names.Params)", id)
	}
	res, ok := r.raw.Resources[id]
	if !ok {
		return "", fmt.Errorf("!Ref %s: no such parameter or resource", id)
	}
	name, err := r.physical(id)
	if err != nil {
		return "", err
	}
	switch res.Type {
	case "AWS::SQS::Queue":
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", n.Region, n.Account, name), nil
	case "AWS::SecretsManager::Secret":
		return SecretARN(n.Region, n.Account, name), nil
	case "AWS::SNS::Topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", n.Region, n.Account, name), nil
	}
	return name, nil
}

// getAtt is what !GetAtt id.attr gives.
func (r *resolver) getAtt(id, attr string) (string, error) {
	n := r.names
	res, ok := r.raw.Resources[id]
	if !ok {
		return "", fmt.Errorf("!GetAtt %s.%s: no such resource", id, attr)
	}
	if attr == "Arn" {
		if v, ok := n.Arns[id]; ok {
			return v, nil
		}
	}
	name, err := r.physical(id)
	if err != nil {
		return "", err
	}
	switch res.Type + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", n.Region, n.Account, name), nil
	case "AWS::SQS::Queue.Arn":
		return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", n.Region, n.Account, name), nil
	case "AWS::SQS::Queue.QueueName":
		return name, nil
	case "AWS::S3::Bucket.Arn":
		return "arn:aws:s3:::" + name, nil
	case "AWS::Events::EventBus.Arn":
		return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", n.Region, n.Account, name), nil
	case "AWS::IAM::Role.Arn":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", n.Account, name), nil
	case "AWS::Cognito::UserPool.Arn":
		return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", n.Region, n.Account, name), nil
	case "AWS::Serverless::Function.Arn", "AWS::Lambda::Function.Arn":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", n.Region, n.Account, name), nil
	case "AWS::Scheduler::ScheduleGroup.Arn":
		return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", n.Region, n.Account, name), nil
	case "AWS::SNS::Topic.TopicArn":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", n.Region, n.Account, name), nil
	}
	return "", fmt.Errorf("!GetAtt %s.%s (%s): not resolved locally", id, attr, res.Type)
}

// nameProps are the property that names each kind of resource.
var nameProps = map[string]string{
	"AWS::DynamoDB::Table":          "TableName",
	"AWS::SQS::Queue":               "QueueName",
	"AWS::S3::Bucket":               "BucketName",
	"AWS::Events::EventBus":         "Name",
	"AWS::Scheduler::ScheduleGroup": "Name",
	"AWS::SES::ConfigurationSet":    "Name",
	"AWS::SecretsManager::Secret":   "Name",
	"AWS::IAM::Role":                "RoleName",
	"AWS::SNS::Topic":               "TopicName",
	"AWS::Serverless::Function":     "FunctionName",
}

// physical is a resource's name on the local stack: Names.Physical's, else
// the one its properties spell, else its logical ID.
func (r *resolver) physical(id string) (string, error) {
	if v, ok := r.names.Physical[id]; ok {
		return v, nil
	}
	res := r.raw.Resources[id]
	prop := nameProps[res.Type]
	if prop == "" || res.Properties.Kind != yaml.MappingNode {
		return id, nil
	}
	for i := 0; i+1 < len(res.Properties.Content); i += 2 {
		if res.Properties.Content[i].Value == prop {
			v, err := r.value(res.Properties.Content[i+1])
			if err != nil {
				return "", fmt.Errorf("%s.%s: %w", id, prop, err)
			}
			return fmt.Sprint(v), nil
		}
	}
	return id, nil
}
