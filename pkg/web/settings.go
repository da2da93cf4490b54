package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
	"github.com/partnership-grants/backend/pkg/service"
	"github.com/partnership-grants/backend/pkg/web/signin"
)

// The programme's settings on a page (issue 25, item 3): the administrator
// edits them, the programme role reads them. The form's fields are the
// settings' JSON names, so an error names the field it is shown by.

// settingsForm is the form as shown: each field's text (what was typed,
// when the change was refused) and the version it was read at.
type settingsForm struct {
	Values  map[string]string
	Version int
}

// settingFields are the form's fields in page order.
var settingFields = []string{"name", "sendTime", "region", "quietPeriod", "extraBankHolidays", "reminderDays", "maxReminders",
	"checkInLeadDays", "finalReportDays", "onTimeWorkingDays", "paymentPolicy", "checkInQuestions", "owner.name", "owner.email",
	"lateDigest", "senderName", "timeZone"}

func init() {
	for k, l := range map[string]string{
		"name": "Programme name", "sendTime": "Send time", "region": "Bank holidays of", "quietPeriod": "Quiet period",
		"extraBankHolidays": "One-off days off", "reminderDays": "Days between reminders", "maxReminders": "Reminders before overdue",
		"checkInLeadDays": "Check-in lead days", "finalReportDays": "Final report days", "onTimeWorkingDays": "On time within (working days)",
		"paymentPolicy": "Payment policy", "checkInQuestions": "Check-in questions", "owner.name": "Default officer's name",
		"owner.email": "Default officer's email", "version": "Version",
		"lateDigest": "Late-payment digest", "senderName": "Sender's name", "timeZone": "Time zone",
	} {
		if _, taken := fieldLabels[k]; !taken {
			fieldLabels[k] = l
		}
	}
	flashes["settings-changed"] = "The settings were changed. " + service.TakesEffect
	flashes["settings-unchanged"] = "Nothing was changed: the settings already said that."
}

// settingsText is each setting as the form shows it.
func settingsText(s service.EditableSettings) map[string]string {
	days := make([]string, len(s.ExtraBankHolidays))
	for i, d := range s.ExtraBankHolidays {
		days[i] = d.String()
	}
	qs := make([]string, len(s.CheckInQuestions))
	for i, q := range s.CheckInQuestions {
		line := q.Key
		if q.Text != "" {
			line = q.Text
		}
		if q.Optional {
			line += " (optional)"
		}
		qs[i] = line
	}
	optInt := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	return map[string]string{
		"name": s.Name, "sendTime": s.SendTime, "region": s.Region, "quietPeriod": s.QuietPeriod,
		"extraBankHolidays": strings.Join(days, "\n"), "reminderDays": strconv.Itoa(s.ReminderDays), "maxReminders": strconv.Itoa(s.MaxReminders),
		"checkInLeadDays": optInt(s.CheckInLeadDays), "finalReportDays": optInt(s.FinalReportDays), "onTimeWorkingDays": strconv.Itoa(s.OnTimeWorkingDays),
		"paymentPolicy": string(s.PaymentPolicy), "checkInQuestions": strings.Join(qs, "\n"), "owner.name": s.Owner.Name, "owner.email": s.Owner.Email,
		"lateDigest": string(s.LateDigest), "senderName": s.SenderName, "timeZone": s.TimeZone,
	}
}

// normalLines is a text area's lines, trimmed, without empty ones.
func normalLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// settingsPatch is the change the form asks for: only the fields whose text
// differs from what was shown, so a setting left alone stays as it was (a
// deployment default is not pinned). A number or date that does not read is
// an error by its field.
func settingsPatch(typed, shown map[string]string) (grants.SettingsPatch, []grants.FieldError) {
	var p grants.SettingsPatch
	var bad []grants.FieldError
	changed := func(f string) bool {
		if f == "extraBankHolidays" || f == "checkInQuestions" {
			return strings.Join(normalLines(typed[f]), "\n") != strings.Join(normalLines(shown[f]), "\n")
		}
		return strings.TrimSpace(typed[f]) != strings.TrimSpace(shown[f])
	}
	num := func(f string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(typed[f]))
		if err != nil {
			bad = append(bad, grants.FieldError{Field: f, Reason: "must be a whole number"})
			return nil
		}
		return &n
	}
	str := func(f string) *string { v := typed[f]; return &v }
	if changed("name") {
		p.Name = str("name")
	}
	if changed("sendTime") {
		p.SendTime = str("sendTime")
	}
	if changed("region") {
		p.Region = str("region")
	}
	if changed("quietPeriod") {
		p.QuietPeriod = str("quietPeriod")
	}
	if changed("extraBankHolidays") {
		var ds []grants.Date
		for _, l := range normalLines(typed["extraBankHolidays"]) {
			d, err := grants.ParseDate(l)
			if err != nil {
				bad = append(bad, grants.FieldError{Field: "extraBankHolidays", Reason: "must be dates such as 2026-05-26, one a line (" + l + " is not)"})
				break
			}
			ds = append(ds, d)
		}
		p.ExtraBankHolidays = &ds
	}
	for f, set := range map[string]**int{"reminderDays": &p.ReminderDays, "maxReminders": &p.MaxReminders, "checkInLeadDays": &p.CheckInLeadDays,
		"finalReportDays": &p.FinalReportDays, "onTimeWorkingDays": &p.OnTimeWorkingDays} {
		if changed(f) {
			*set = num(f)
		}
	}
	if changed("paymentPolicy") {
		pp := grants.PaymentPolicy(strings.TrimSpace(typed["paymentPolicy"]))
		p.PaymentPolicy = &pp
	}
	if changed("checkInQuestions") {
		qs := []grants.CheckInQuestion{}
		for _, l := range normalLines(typed["checkInQuestions"]) {
			q := grants.CheckInQuestion{}
			if t, ok := strings.CutSuffix(l, "(optional)"); ok {
				l, q.Optional = strings.TrimSpace(t), true
			}
			if isDefaultQuestion(l) {
				q.Key = l
			} else {
				q.Text = l
			}
			qs = append(qs, q)
		}
		p.CheckInQuestions = &qs
	}
	if changed("owner.name") || changed("owner.email") {
		p.Owner = &grants.Officer{Name: typed["owner.name"], Email: typed["owner.email"]}
	}
	if changed("lateDigest") {
		f := grants.DigestFrequency(strings.TrimSpace(typed["lateDigest"]))
		p.LateDigest = &f
	}
	if changed("senderName") {
		p.SenderName = str("senderName")
	}
	if changed("timeZone") {
		p.TimeZone = str("timeZone")
	}
	return p, bad
}

func isDefaultQuestion(key string) bool {
	for _, q := range grants.DefaultQuestions {
		if q.Key == key {
			return true
		}
	}
	return false
}

// settings shows the programme's settings: a form for the administrator,
// the values for the programme role, and the history of changes.
func (a *App) settings(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programme settings", "settings", service.SettingsReaders...)
	if !ok {
		return
	}
	s, err := a.Settings.Get(r.Context(), v.Actor, v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, layout(v, settingsPage(v, s, settingsForm{Values: settingsText(s.Settings), Version: s.Version})))
}

// changeSettings changes the settings from the form, for the administrator;
// refused, the page shows again with what was typed and each error by its
// field.
func (a *App) changeSettings(w http.ResponseWriter, r *http.Request) {
	v, ok := a.page(w, r, "Programme settings", "settings", service.SettingsEditors...)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		a.fail(w, r, &grants.Error{Code: grants.Malformed, Message: "The form could not be read."})
		return
	}
	current, err := a.Settings.Get(r.Context(), v.Actor, v.Programme)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	typed := map[string]string{}
	for _, f := range settingFields {
		typed[f] = r.PostForm.Get(f)
	}
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	form := settingsForm{Values: typed, Version: version}
	patch, bad := settingsPatch(typed, settingsText(current.Settings))
	if verr != nil || version < 1 {
		bad = append(bad, grants.FieldError{Field: "version", Reason: "is missing: reload the page"})
	}
	var changed service.SettingsView
	if len(bad) > 0 {
		err = grants.Validation(bad)
	} else {
		changed, err = a.Settings.Change(r.Context(), v.Actor, v.Programme, version, patch)
	}
	if err != nil {
		switch grants.ErrorCode(err) {
		case grants.Invalid, grants.PreconditionFailed:
		default:
			a.fail(w, r, err)
			return
		}
		v.Error, v.Fields = "The settings were not changed: "+message(err), settingFieldErrors(err)
		if grants.ErrorCode(err) == grants.PreconditionFailed {
			// Someone changed them meanwhile: what was typed stays, at the
			// version now stored, to be sent again once checked.
			form.Version = current.Version
		}
		a.render(w, r, status(err), layout(v, settingsPage(v, current, form)))
		return
	}
	if len(changed.Changed) == 0 {
		done(w, r, "/app/settings", "settings-unchanged")
		return
	}
	done(w, r, "/app/settings", "settings-changed")
}

// settingFieldErrors are the errors by the form's fields: a question's
// error ("checkInQuestions[2].text") shows by the questions.
func settingFieldErrors(err error) map[string]string {
	out := map[string]string{}
	for f, why := range fieldsOf(err) {
		if strings.HasPrefix(f, "checkInQuestions") {
			if i := strings.IndexByte(f, '['); i > 0 {
				if n, e := strconv.Atoi(strings.TrimSuffix(strings.SplitN(f[i+1:], "]", 2)[0], "")); e == nil {
					why = "question " + strconv.Itoa(n+1) + ": " + why
				}
			}
			f = "checkInQuestions"
		}
		if prev, ok := out[f]; ok {
			why = prev + "; " + why
		}
		out[f] = why
	}
	return out
}

func contains(options []string, v string) bool { return slices.Contains(options, v) }

// digestFrequencies are the late-payment digest's choices, as the select
// offers them.
func digestFrequencies() []string {
	out := make([]string, len(grants.DigestFrequencies))
	for i, f := range grants.DigestFrequencies {
		out[i] = string(f)
	}
	return out
}

// toSettings sends an administrator who reads nothing else on to the
// settings, the one page of theirs; it reports whether it did.
func toSettings(w http.ResponseWriter, r *http.Request) bool {
	actor, ok := signin.ActorFrom(r.Context())
	if !ok || !actor.Has(grants.RoleAdmin) || actor.Has(grants.Readers...) {
		return false
	}
	http.Redirect(w, r, base(r)+"/app/settings", http.StatusSeeOther)
	return true
}
