package stack

import (
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/partnership-grants/backend/pkg/dev/samtemplate"
)

// The local stack registers the sweep on the schedule the template gives
// SweepFunction (every half hour), so the stack's clock drives it as AWS
// does: a programme's reminders go with the first run at or after its send
// time, here as there.
func TestLocalSweepScheduleIsTheTemplates(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join("..", "..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var props struct {
		Events map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				ScheduleExpression yaml.Node `yaml:"ScheduleExpression"`
			} `yaml:"Properties"`
		} `yaml:"Events"`
	}
	sweep := tpl.Resources["SweepFunction"]
	if err := sweep.Properties.Decode(&props); err != nil {
		t.Fatal(err)
	}
	var got []string
	for name, e := range props.Events {
		if e.Type == "ScheduleV2" {
			got = append(got, name+": "+e.Properties.ScheduleExpression.Value)
		}
	}
	if len(got) != 1 || got[0] != "EveryHalfHour: "+sweepCron {
		t.Errorf("the template's sweep schedules: %v; the local stack's: %s", got, sweepCron)
	}
}
