package cost

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Resources counts what template.yaml creates that costs by the month,
// with its conditions taken as given (e.g. {"PublishingGrantsData": false,
// "DetailedMonitoringOn": false}; a condition not given counts as true).
func Resources(path string, conditions map[string]bool) (Fixed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Fixed{}, err
	}
	var tpl struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Condition  string    `yaml:"Condition"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		return Fixed{}, fmt.Errorf("%s: %w", path, err)
	}
	var f Fixed
	for id, r := range tpl.Resources {
		if on, ok := conditions[r.Condition]; r.Condition != "" && ok && !on {
			continue
		}
		switch r.Type {
		case "AWS::CloudWatch::Alarm":
			var p struct {
				MetricName string `yaml:"MetricName"`
				Metrics    []struct {
					MetricStat *yaml.Node `yaml:"MetricStat"`
				} `yaml:"Metrics"`
			}
			if err := r.Properties.Decode(&p); err != nil {
				return Fixed{}, fmt.Errorf("%s: %w", id, err)
			}
			// Priced per metric the alarm evaluates: a metric-math
			// alarm costs as many as it reads.
			n := 0
			for _, m := range p.Metrics {
				if m.MetricStat != nil {
					n++
				}
			}
			f.AlarmMetrics += max(n, 1)
		case "AWS::CloudWatch::CompositeAlarm":
			f.CompositeAlarms++
		case "AWS::CloudWatch::Dashboard":
			f.Dashboards++
		case "AWS::SecretsManager::Secret":
			f.Secrets++
		}
	}
	return f, nil
}
