package app

import (
	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
)

// ConfiguredProgrammes are the programmes the configuration names
// (PROGRAMME_CODE, PROGRAMME_NAME, TIME_ZONE, BANK_HOLIDAY_REGION): they
// exist without being created (issue 25, item 2), so a deployment upgraded
// in place keeps its programme. They publish as the deployment's funder.
func (c Config) ConfiguredProgrammes() []grants.Programme {
	var out []grants.Programme
	for _, code := range c.Programmes {
		p := grants.Programme{Code: code, Name: code, Currency: "GBP", TimeZone: c.TimeZone, Region: c.BankHolidayRegion}
		if code == c.ProgrammeCode && c.ProgrammeName != "" {
			p.Name = c.ProgrammeName
		}
		if p.TimeZone == "" {
			p.TimeZone = grants.DefaultTimeZone
		}
		if p.Region == "" {
			p.Region = grants.DefaultRegion
		}
		out = append(out, p)
	}
	return out
}

// Programmes is the programmes' use cases: those created, on the table, and
// the configuration's.
func (d *Deps) Programmes() *service.Programmes {
	return service.NewProgrammes(d.Store, d.Config.ConfiguredProgrammes()...)
}
