package stack

import (
	"fmt"
	"path/filepath"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// FunctionEnvironment is the environment Lambda gives the function with
// logical ID id on this stack (make invoke runs its bootstrap with it): the
// variables template.yaml gives that function, and only those, valued as
// the stack's in-process handlers are (localSettings, with the addresses
// the servers took), and the region and keys Lambda's runtime adds. What
// sam local invoke --env-vars events/env.json gives it in its container.
func (st *Stack) FunctionEnvironment(id string) (map[string]string, error) {
	return functionEnvironment(st.opts, st.started, id)
}

// FunctionEnvironment is the same for a stack started with opts on its
// own ports (make run's, with DefaultOptions), without starting one.
func FunctionEnvironment(opts Options, id string) (map[string]string, error) {
	return functionEnvironment(opts, nil, id)
}

func functionEnvironment(opts Options, started map[string]string, id string) (map[string]string, error) {
	tpl, err := samtemplate.Load(filepath.Join(opts.Root, "template.yaml"))
	if err != nil {
		return nil, err
	}
	fn, err := tpl.Function(id)
	if err != nil {
		return nil, err
	}
	set := localSettings(opts)
	for k, v := range started {
		set[k] = v
	}
	// The template creates the GrantsDataFunction only with its bucket
	// (PublishingGrantsData), so wherever it runs the bucket is named.
	if set["GRANTS_DATA_BUCKET"] == "" {
		set["GRANTS_DATA_BUCKET"] = GrantsDataBucket
	}
	env := map[string]string{
		// What Lambda's runtime adds (localConfig): s3rver's only key; the
		// other emulators accept any.
		"AWS_REGION":            localRegion,
		"AWS_DEFAULT_REGION":    localRegion,
		"AWS_ACCESS_KEY_ID":     "S3RVER",
		"AWS_SECRET_ACCESS_KEY": "S3RVER",
	}
	for _, name := range fn.Environment {
		v, ok := set[name]
		if !ok {
			return nil, fmt.Errorf("template.yaml gives %s %s, which the local stack does not set (localSettings)", id, name)
		}
		env[name] = v
	}
	return env, nil
}
