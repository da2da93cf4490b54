package service

import (
	"context"
	"slices"
	"strings"

	"github.com/partnership-grants/backend/pkg/grants"
)

// ThemeStore keeps a programme's themes (issue 24, item 3): each tag and
// each action once, with who and when, read back all together.
type ThemeStore interface {
	Themes(ctx context.Context, programme string) ([]grants.ThemeTag, []grants.ThemeAction, error)
	// AddThemeTag and AddThemeAction keep the first of equal ones (the
	// same theme on the same feedback; an action's ID): adding again is
	// no change.
	AddThemeTag(ctx context.Context, programme string, t grants.ThemeTag) error
	AddThemeAction(ctx context.Context, programme string, a grants.ThemeAction) error
	GetAgreement(ctx context.Context, id string) (*grants.Agreement, error)
}

// Themes are "you said, we did": feedback tagged with themes and what the
// programme did about them, for the programme role.
type Themes struct {
	store ThemeStore
	env   Env
}

// NewThemes builds the themes' use cases.
func NewThemes(store ThemeStore, env Env) *Themes { return &Themes{store: store, env: env} }

// ThemeList is a programme's themes with their tags and actions, and the
// names earlier themes suggest.
type ThemeList struct {
	Programme   string         `json:"programme"`
	Themes      []grants.Theme `json:"themes"`
	Suggestions []string       `json:"suggestions"`
	// Tags are every tag, for finding an entry's themes.
	Tags []grants.ThemeTag `json:"-"`
}

// List reads a programme's themes.
func (x *Themes) List(ctx context.Context, programme string) (ThemeList, error) {
	tags, actions, err := x.store.Themes(ctx, programme)
	if err != nil {
		return ThemeList{}, err
	}
	out := ThemeList{Programme: programme, Themes: grants.GatherThemes(tags, actions), Suggestions: []string{}, Tags: tags}
	for _, th := range out.Themes {
		out.Suggestions = append(out.Suggestions, th.Name)
	}
	return out, nil
}

// ThemeTagInput tags one partner's feedback to a check-in with a theme.
type ThemeTagInput struct {
	Theme       string `json:"theme"`
	AgreementID string `json:"agreementId"`
	CheckIn     int    `json:"checkIn"`
}

// Tag tags an agreement's feedback with a theme, named as the programme
// first wrote it when the theme is an earlier one. The agreement must be
// the programme's.
func (x *Themes) Tag(ctx context.Context, actor, programme string, in ThemeTagInput) (grants.ThemeTag, error) {
	t, err := grants.NewThemeTag(in.Theme, in.AgreementID, in.CheckIn, x.env.Now(), actor)
	if err != nil {
		return t, err
	}
	a, err := x.store.GetAgreement(ctx, t.AgreementID)
	if grants.ErrorCode(err) == grants.NotFound || (err == nil && a.Programme != programme) {
		return t, grants.Validation([]grants.FieldError{{Field: "agreementId", Reason: "must be an agreement of this programme"}})
	}
	if err != nil {
		return t, err
	}
	t.Theme, err = x.named(ctx, programme, t.Theme)
	if err != nil {
		return t, err
	}
	return t, x.store.AddThemeTag(ctx, programme, t)
}

// ThemeActionInput records what the programme did about a theme.
type ThemeActionInput struct {
	Theme string `json:"theme"`
	What  string `json:"what"`
	On    string `json:"on"`
	Who   string `json:"who"`
}

// Act records an action on a theme; the same action recorded again is kept once.
func (x *Themes) Act(ctx context.Context, actor, programme string, in ThemeActionInput) (grants.ThemeAction, error) {
	a, err := grants.NewThemeAction(in.Theme, in.What, in.On, in.Who, x.env.Now(), actor)
	if err != nil {
		return a, err
	}
	a.Theme, err = x.named(ctx, programme, a.Theme)
	if err != nil {
		return a, err
	}
	return a, x.store.AddThemeAction(ctx, programme, a)
}

// named is a theme's name as the programme first wrote it, if it has it.
func (x *Themes) named(ctx context.Context, programme, theme string) (string, error) {
	tags, actions, err := x.store.Themes(ctx, programme)
	if err != nil {
		return "", err
	}
	k := grants.ThemeKey(theme)
	for _, th := range grants.GatherThemes(tags, actions) {
		if grants.ThemeKey(th.Name) == k {
			return th.Name, nil
		}
	}
	return strings.TrimSpace(theme), nil
}

// Of is the themes of an agreement's feedback to a check-in.
func (l ThemeList) Of(agreementID string, checkIn int) []string {
	return slices.Clip(grants.ThemesOf(l.Tags, agreementID, checkIn))
}
