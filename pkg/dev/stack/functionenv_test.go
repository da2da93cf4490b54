package stack

import (
	"path/filepath"
	"testing"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// TestFunctionEnvironment: what make invoke and make initbench give a
// function is what the template gives it and no more, valued as make run's
// stack is, with the runtime's region and keys; the GrantsDataFunction, which
// exists only with its bucket, is given the bucket.
func TestFunctionEnvironment(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions(root)
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	set := localSettings(opts)
	for _, id := range tpl.Functions() {
		fn, err := tpl.Function(id)
		if err != nil {
			t.Fatal(err)
		}
		env, err := FunctionEnvironment(opts, id)
		if err != nil {
			t.Fatal(err)
		}
		runtime := map[string]string{"AWS_REGION": localRegion, "AWS_DEFAULT_REGION": localRegion, "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}
		if len(env) != len(fn.Environment)+len(runtime) {
			t.Errorf("%s: %d variables, the template gives %d (and the runtime %d)", id, len(env), len(fn.Environment), len(runtime))
		}
		for k, v := range runtime {
			if env[k] != v {
				t.Errorf("%s: %s=%q", id, k, env[k])
			}
		}
		for _, name := range fn.Environment {
			want := set[name]
			if name == "GRANTS_DATA_BUCKET" {
				want = GrantsDataBucket
			}
			if got, ok := env[name]; !ok || got != want {
				t.Errorf("%s: %s=%q, make run's stack sets %q", id, name, got, want)
			}
		}
	}
	payments, _ := FunctionEnvironment(opts, "PaymentsFunction")
	if _, ok := payments["SIGNIN_ISSUER"]; ok {
		t.Error("PaymentsFunction is given the WebFunction's SIGNIN_ISSUER")
	}
	if _, err := FunctionEnvironment(opts, "NoSuchFunction"); err == nil {
		t.Error("an unknown function has an environment")
	}
}
