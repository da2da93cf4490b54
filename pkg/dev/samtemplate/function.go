package samtemplate

import (
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// Function is what Lambda gives one function, as the template declares it
// (its own properties over the Globals'): what make invoke needs to run
// its bootstrap as Lambda would.
type Function struct {
	ID string
	// Environment are the names of the variables it is given (Globals and
	// its own; the values are intrinsics only CloudFormation resolves).
	Environment []string
	// Architecture is "arm64" or "x86_64"; BuildMethod the Metadata's.
	Architecture, BuildMethod string
	MemorySize, Timeout       int // MB, seconds
}

// functionProps are the properties of a function (or Globals.Function)
// that Function reads.
type functionProps struct {
	Environment struct {
		Variables map[string]yaml.Node `yaml:"Variables"`
	} `yaml:"Environment"`
	Architectures []string `yaml:"Architectures"`
	MemorySize    int      `yaml:"MemorySize"`
	Timeout       int      `yaml:"Timeout"`
}

// Function reads the function with logical ID id.
func (t *Template) Function(id string) (Function, error) {
	res, ok := t.Resources[id]
	if !ok || res.Type != "AWS::Serverless::Function" {
		return Function{}, fmt.Errorf("no AWS::Serverless::Function %q in the template", id)
	}
	var global, own functionProps
	if t.Globals.Function.Kind != 0 {
		if err := t.Globals.Function.Decode(&global); err != nil {
			return Function{}, fmt.Errorf("the Globals: %w", err)
		}
	}
	if err := res.Properties.Decode(&own); err != nil {
		return Function{}, fmt.Errorf("%s: %w", id, err)
	}
	fn := Function{ID: id, Architecture: "x86_64", BuildMethod: res.Metadata.BuildMethod}
	names := map[string]bool{}
	for _, p := range []functionProps{global, own} {
		for name := range p.Environment.Variables {
			names[name] = true
		}
		if len(p.Architectures) > 0 {
			fn.Architecture = p.Architectures[0]
		}
		if p.MemorySize > 0 {
			fn.MemorySize = p.MemorySize
		}
		if p.Timeout > 0 {
			fn.Timeout = p.Timeout
		}
	}
	for name := range names {
		fn.Environment = append(fn.Environment, name)
	}
	sort.Strings(fn.Environment)
	// Lambda's defaults.
	if fn.MemorySize == 0 {
		fn.MemorySize = 128
	}
	if fn.Timeout == 0 {
		fn.Timeout = 3
	}
	return fn, nil
}

// GOARCH is Go's name for a Lambda architecture.
func (f Function) GOARCH() string {
	if f.Architecture == "arm64" {
		return "arm64"
	}
	return "amd64"
}
