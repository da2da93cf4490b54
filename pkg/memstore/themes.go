package memstore

import (
	"context"
	"fmt"

	"github.com/partnership-grants/backend/pkg/grants"
)

// themeBook is a programme's tags and actions in the order written, with
// the keys pkg/dynamo stores them under.
type themeBook struct {
	keys    map[string]bool
	tags    []grants.ThemeTag
	actions []grants.ThemeAction
}

func (st *Store) themeBook(programme string) *themeBook {
	if st.themes == nil {
		st.themes = map[string]*themeBook{}
	}
	b := st.themes[programme]
	if b == nil {
		b = &themeBook{keys: map[string]bool{}}
		st.themes[programme] = b
	}
	return b
}

// Themes reads a programme's tags and actions.
func (st *Store) Themes(ctx context.Context, programme string) ([]grants.ThemeTag, []grants.ThemeAction, error) {
	if err := live(ctx); err != nil {
		return nil, nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.themeBook(programme)
	return append([]grants.ThemeTag{}, b.tags...), append([]grants.ThemeAction{}, b.actions...), nil
}

// AddThemeTag stores a tag unless the same theme is on the same feedback.
func (st *Store) AddThemeTag(ctx context.Context, programme string, t grants.ThemeTag) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.themeBook(programme)
	k := fmt.Sprintf("T#%s#%02d#%s", t.AgreementID, t.CheckIn, grants.ThemeKey(t.Theme))
	if !b.keys[k] {
		b.keys[k] = true
		b.tags = append(b.tags, t)
	}
	return nil
}

// AddThemeAction stores an action unless one with its ID is stored.
func (st *Store) AddThemeAction(ctx context.Context, programme string, a grants.ThemeAction) error {
	if err := live(ctx); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	b := st.themeBook(programme)
	if k := "A#" + a.ID; !b.keys[k] {
		b.keys[k] = true
		b.actions = append(b.actions, a)
	}
	return nil
}
