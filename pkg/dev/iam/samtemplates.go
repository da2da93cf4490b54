package iam

import (
	"fmt"
	"sort"
	"strings"
)

// samTemplate is one SAM policy template: its actions and resource
// patterns, with {Param} standing for the template's parameter and {R},
// {A} for the region and account. As SAM's policy_templates.json
// (samtranslator/policy_templates_data) defines them; only those a
// function here might use are listed, and any other is an error at load.
type samTemplate struct {
	actions   []string
	resources []string
}

var samTemplates = map[string]samTemplate{
	"DynamoDBCrudPolicy": {
		actions: []string{"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
			"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"},
		resources: []string{"arn:aws:dynamodb:{R}:{A}:table/{TableName}", "arn:aws:dynamodb:{R}:{A}:table/{TableName}/index/*"},
	},
	"DynamoDBReadPolicy": {
		actions:   []string{"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"},
		resources: []string{"arn:aws:dynamodb:{R}:{A}:table/{TableName}", "arn:aws:dynamodb:{R}:{A}:table/{TableName}/index/*"},
	},
	"DynamoDBWritePolicy": {
		actions:   []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
		resources: []string{"arn:aws:dynamodb:{R}:{A}:table/{TableName}", "arn:aws:dynamodb:{R}:{A}:table/{TableName}/index/*"},
	},
	"SQSSendMessagePolicy": {
		actions:   []string{"sqs:SendMessage*"},
		resources: []string{"arn:aws:sqs:{R}:{A}:{QueueName}"},
	},
	"SQSPollerPolicy": {
		actions: []string{"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
			"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		resources: []string{"arn:aws:sqs:{R}:{A}:{QueueName}"},
	},
	"S3ReadPolicy": {
		actions:   []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"},
		resources: []string{"arn:aws:s3:::{BucketName}", "arn:aws:s3:::{BucketName}/*"},
	},
	"CloudWatchPutMetricPolicy": {
		actions:   []string{"cloudwatch:PutMetricData"},
		resources: []string{"*"},
	},
}

// expandTemplate is the statement a SAM policy template gives, its
// parameters already resolved.
func expandTemplate(name string, params any, r *resolver) ([]Statement, error) {
	t, ok := samTemplates[name]
	if !ok {
		known := make([]string, 0, len(samTemplates))
		for k := range samTemplates {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("SAM policy template %s is not evaluated locally (known: %s; add it to pkg/dev/iam)", name, strings.Join(known, ", "))
	}
	vars := map[string]string{"{R}": r.names.Region, "{A}": r.names.Account}
	if m, ok := params.(map[string]any); ok {
		for k, v := range m {
			vars["{"+k+"}"] = fmt.Sprint(v)
		}
	}
	s := Statement{Allow: true}
	for _, a := range t.actions {
		s.Actions = append(s.Actions, strings.ToLower(a))
	}
	for _, res := range t.resources {
		for k, v := range vars {
			res = strings.ReplaceAll(res, k, v)
		}
		if strings.Contains(res, "{") {
			return nil, fmt.Errorf("SAM policy template %s: a parameter of %s is missing", name, res)
		}
		s.Resources = append(s.Resources, res)
	}
	return []Statement{s}, nil
}
