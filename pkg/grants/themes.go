package grants

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Themes are "you said, we did" (issue 24, item 3): on the feedback page an
// officer tags partners' feedback with themes, free words suggested from
// the programme's earlier ones, and records what the programme did about
// a theme. Tags and actions are kept as written, each with who and when:
// they are the history.

// MaxThemeLength bounds a theme's words; MaxActionLength an action's.
const (
	MaxThemeLength  = 80
	MaxActionLength = 2000
	MaxWhoLength    = 200
)

// ThemeTag is one theme given to one partner's feedback: the agreement's
// reply (or replies) to a check-in.
type ThemeTag struct {
	Theme       string    `json:"theme"`
	AgreementID string    `json:"agreementId"`
	CheckIn     int       `json:"checkIn"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// ThemeAction is what the programme did about a theme: the action, the
// day it was done and who did it, recorded by By at At.
type ThemeAction struct {
	ID    string    `json:"id"`
	Theme string    `json:"theme"`
	What  string    `json:"what"`
	On    Date      `json:"on"`
	Who   string    `json:"who"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}

// Theme is one theme of a programme with the feedback tagged with it and
// what was done about it, oldest first.
type Theme struct {
	Name    string        `json:"name"`
	Tags    []ThemeTag    `json:"tags"`
	Actions []ThemeAction `json:"actions"`
}

// CleanTheme is a theme's words as kept: trimmed, inner spaces made one.
func CleanTheme(s string) string { return strings.Join(strings.Fields(s), " ") }

// ThemeKey is what tells themes apart: "Late payments" and "late  payments"
// are one theme.
func ThemeKey(s string) string { return strings.ToLower(CleanTheme(s)) }

func checkTheme(f *fieldErrors, field, theme string) string {
	theme = CleanTheme(theme)
	switch {
	case theme == "":
		f.add(field, "is required: a few words, e.g. \"late payments\"")
	case utf8.RuneCountInString(theme) > MaxThemeLength:
		f.add(field, "must be at most %d characters", MaxThemeLength)
	}
	return theme
}

// NewThemeTag checks and makes a tag of an agreement's feedback to check-in
// checkIn (its end-of-agreement report is its last check-in's number).
func NewThemeTag(theme, agreementID string, checkIn int, at time.Time, by string) (ThemeTag, error) {
	var f fieldErrors
	theme = checkTheme(&f, "theme", theme)
	if strings.TrimSpace(agreementID) == "" {
		f.add("agreementId", "is required: the agreement whose feedback the theme is for")
	}
	if checkIn < 1 {
		f.add("checkIn", "must be the check-in whose feedback the theme is for, 1 or more")
	}
	return ThemeTag{Theme: theme, AgreementID: strings.TrimSpace(agreementID), CheckIn: checkIn, By: by, At: at}, f.err()
}

// NewThemeAction checks and makes an action on a theme: what was done
// (what), on which day (on, YYYY-MM-DD) and by whom (who). Its ID follows
// from the theme, the words and the day, so recording it twice keeps one.
func NewThemeAction(theme, what, on, who string, at time.Time, by string) (ThemeAction, error) {
	var f fieldErrors
	theme = checkTheme(&f, "theme", theme)
	what, who = strings.TrimSpace(what), strings.TrimSpace(who)
	switch {
	case what == "":
		f.add("what", "is required: what the programme did about the theme")
	case utf8.RuneCountInString(what) > MaxActionLength:
		f.add("what", "must be at most %d characters", MaxActionLength)
	}
	day, err := ParseDate(strings.TrimSpace(on))
	if err != nil {
		f.add("on", "must be the day it was done, as YYYY-MM-DD")
	}
	switch {
	case who == "":
		f.add("who", "is required: who did it")
	case utf8.RuneCountInString(who) > MaxWhoLength:
		f.add("who", "must be at most %d characters", MaxWhoLength)
	}
	if err := f.err(); err != nil {
		return ThemeAction{}, err
	}
	sum := sha256.Sum256([]byte(ThemeKey(theme) + "\x00" + what + "\x00" + day.String()))
	return ThemeAction{ID: hex.EncodeToString(sum[:10]), Theme: theme, What: what, On: day, Who: who, By: by, At: at}, nil
}

// GatherThemes groups a programme's tags and actions by theme, themes by
// name; a theme is named as it was first written.
func GatherThemes(tags []ThemeTag, actions []ThemeAction) []Theme {
	by := map[string]*Theme{}
	var order []string
	get := func(name string) *Theme {
		k := ThemeKey(name)
		th := by[k]
		if th == nil {
			th = &Theme{Name: CleanTheme(name), Tags: []ThemeTag{}, Actions: []ThemeAction{}}
			by[k] = th
			order = append(order, k)
		}
		return th
	}
	tags = slices.SortedStableFunc(slices.Values(tags), func(x, y ThemeTag) int { return x.At.Compare(y.At) })
	actions = slices.SortedStableFunc(slices.Values(actions), func(x, y ThemeAction) int {
		return cmp.Or(strings.Compare(x.On.String(), y.On.String()), x.At.Compare(y.At))
	})
	for _, t := range tags {
		th := get(t.Theme)
		th.Tags = append(th.Tags, t)
	}
	for _, a := range actions {
		th := get(a.Theme)
		th.Actions = append(th.Actions, a)
	}
	out := make([]Theme, 0, len(order))
	for _, k := range order {
		out = append(out, *by[k])
	}
	slices.SortFunc(out, func(x, y Theme) int { return strings.Compare(ThemeKey(x.Name), ThemeKey(y.Name)) })
	return out
}

// ThemesOf are the themes given to an agreement's feedback to a check-in.
func ThemesOf(tags []ThemeTag, agreementID string, checkIn int) []string {
	var out []string
	for _, t := range tags {
		if t.AgreementID == agreementID && t.CheckIn == checkIn && !slices.ContainsFunc(out, func(s string) bool { return ThemeKey(s) == ThemeKey(t.Theme) }) {
			out = append(out, t.Theme)
		}
	}
	return out
}

// ValidProgramme reports whether p is a programme code: 1 to 64 letters,
// digits, '-' or '_' (the rule agreements are created with).
func ValidProgramme(p string) bool { return validProgramme(p) }
