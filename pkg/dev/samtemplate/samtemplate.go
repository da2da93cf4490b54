// Package samtemplate reads the parts of template.yaml the local stack and
// the tests need, so the table definition and the HTTP routes are written
// once, in the template, and never listed again in code.
package samtemplate

import (
	"fmt"
	"os"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// Template is the subset of a SAM template we read.
type Template struct {
	Globals struct {
		Function yaml.Node `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]Resource `yaml:"Resources"`
}

// Resource is one resource; Properties stays a node because it holds
// CloudFormation intrinsics (!Ref, !Sub) that only CloudFormation resolves.
type Resource struct {
	Type       string    `yaml:"Type"`
	Properties yaml.Node `yaml:"Properties"`
	// Metadata.BuildMethod is how sam build builds a function (makefile:
	// the Makefile's build-<LogicalId>).
	Metadata struct {
		BuildMethod string `yaml:"BuildMethod"`
	} `yaml:"Metadata"`
}

// Load parses a template file.
func Load(path string) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Template
	if err := yaml.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return &t, nil
}

// Route is an HttpApi event of a function.
type Route struct {
	Function string // logical ID, e.g. AgreementsFunction
	Method   string
	Path     string // e.g. /agreements/{id}, or /app/{proxy+} (greedy: the rest of the path)
	// NoAuth is a route with Auth: {Authorizer: NONE}: API Gateway runs no
	// authorizer, and the function checks the caller itself.
	NoAuth bool
}

// RouteKey is API Gateway's route key, "GET /agreements/{id}".
func (r Route) RouteKey() string { return r.Method + " " + r.Path }

// Routes lists every HttpApi route of every function, sorted.
func (t *Template) Routes() ([]Route, error) {
	var routes []Route
	for id, res := range t.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		var props struct {
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					Method string `yaml:"Method"`
					Path   string `yaml:"Path"`
					Auth   struct {
						Authorizer string `yaml:"Authorizer"`
					} `yaml:"Auth"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		}
		if err := res.Properties.Decode(&props); err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		for _, ev := range props.Events {
			if ev.Type == "HttpApi" {
				routes = append(routes, Route{Function: id, Method: ev.Properties.Method, Path: ev.Properties.Path,
					NoAuth: ev.Properties.Auth.Authorizer == "NONE"})
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].RouteKey() < routes[j].RouteKey() })
	return routes, nil
}

// Functions lists the logical IDs of the template's functions.
func (t *Template) Functions() []string {
	var ids []string
	for id, res := range t.Resources {
		if res.Type == "AWS::Serverless::Function" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// EnvironmentNames lists the environment variables the template gives its
// functions (in Globals and each function's own), sorted.
func (t *Template) EnvironmentNames() ([]string, error) {
	var env struct {
		Environment struct {
			Variables map[string]yaml.Node `yaml:"Variables"`
		} `yaml:"Environment"`
	}
	names := map[string]bool{}
	add := func(where string, n *yaml.Node) error {
		if n.Kind == 0 {
			return nil
		}
		env.Environment.Variables = nil
		if err := n.Decode(&env); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		for name := range env.Environment.Variables {
			names[name] = true
		}
		return nil
	}
	if err := add("Globals", &t.Globals.Function); err != nil {
		return nil, err
	}
	for _, id := range t.Functions() {
		props := t.Resources[id].Properties
		if err := add(id, &props); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(names))
	for name := range names {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}

// CreateTableInput turns the AWS::DynamoDB::Table resource with the given
// logical ID into a CreateTable request for tableName (the template's own
// name uses !Sub, which only CloudFormation resolves).
func (t *Template) CreateTableInput(logicalID, tableName string) (*dynamodb.CreateTableInput, error) {
	res, ok := t.Resources[logicalID]
	if !ok || res.Type != "AWS::DynamoDB::Table" {
		return nil, fmt.Errorf("no AWS::DynamoDB::Table %q in the template", logicalID)
	}
	type key struct {
		AttributeName string `yaml:"AttributeName"`
		KeyType       string `yaml:"KeyType"`
	}
	var props struct {
		BillingMode          string `yaml:"BillingMode"`
		AttributeDefinitions []struct {
			AttributeName string `yaml:"AttributeName"`
			AttributeType string `yaml:"AttributeType"`
		} `yaml:"AttributeDefinitions"`
		KeySchema              []key `yaml:"KeySchema"`
		GlobalSecondaryIndexes []struct {
			IndexName  string `yaml:"IndexName"`
			KeySchema  []key  `yaml:"KeySchema"`
			Projection struct {
				ProjectionType   string   `yaml:"ProjectionType"`
				NonKeyAttributes []string `yaml:"NonKeyAttributes"`
			} `yaml:"Projection"`
		} `yaml:"GlobalSecondaryIndexes"`
	}
	if err := res.Properties.Decode(&props); err != nil {
		return nil, fmt.Errorf("%s: %w", logicalID, err)
	}
	keys := func(ks []key) []types.KeySchemaElement {
		out := make([]types.KeySchemaElement, len(ks))
		for i, k := range ks {
			out[i] = types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)}
		}
		return out
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(tableName),
		BillingMode: types.BillingMode(props.BillingMode),
		KeySchema:   keys(props.KeySchema),
	}
	for _, a := range props.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType)})
	}
	for _, g := range props.GlobalSecondaryIndexes {
		p := &types.Projection{ProjectionType: types.ProjectionType(g.Projection.ProjectionType)}
		if len(g.Projection.NonKeyAttributes) > 0 {
			p.NonKeyAttributes = g.Projection.NonKeyAttributes
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keys(g.KeySchema), Projection: p})
	}
	return in, nil
}

// TTLAttribute is the table's time-to-live attribute, or "".
func (t *Template) TTLAttribute(logicalID string) string {
	var props struct {
		TimeToLiveSpecification struct {
			AttributeName string `yaml:"AttributeName"`
			Enabled       bool   `yaml:"Enabled"`
		} `yaml:"TimeToLiveSpecification"`
	}
	res := t.Resources[logicalID]
	if err := res.Properties.Decode(&props); err != nil || !props.TimeToLiveSpecification.Enabled {
		return ""
	}
	return props.TimeToLiveSpecification.AttributeName
}
