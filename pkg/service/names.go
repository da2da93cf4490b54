package service

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/partnership-grants/backend/pkg/grants"
)

// History in words (issue 26, item 10) names people, not their email
// addresses: the history records a person's address (grants.Actor.Name),
// and the pool knows their name.

// namesFor is how long a warm function keeps the names it read: a page of
// history reads the pool at most this often, not once a view.
const namesFor = 5 * time.Minute

type namesCache struct {
	mu    sync.Mutex
	by    map[string]map[string]string // programme → address → name
	until map[string]time.Time
}

// Names are the names of the people who hold a role in programme (in it
// or everywhere), by lower-case email address, for words that name them.
// Any member of staff reads them: they name colleagues the history
// already shows by address.
func (x *Staff) Names(ctx context.Context, programme string) (map[string]string, error) {
	now := x.now()
	c := &x.names
	c.mu.Lock()
	if by, ok := c.by[programme]; ok && now.Before(c.until[programme]) {
		c.mu.Unlock()
		return by, nil
	}
	c.mu.Unlock()
	by := map[string]string{}
	groups := []grants.Role{grants.RoleAdmin}
	for _, r := range grants.StaffRoles {
		groups = append(groups, r, r.In(programme))
	}
	for _, g := range groups {
		people, err := x.pool.Members(ctx, g)
		if err != nil {
			return nil, fmt.Errorf("list group %s: %w", g, err)
		}
		for _, p := range people {
			if p.Name != "" && p.Email != "" {
				by[strings.ToLower(p.Email)] = p.Name
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by, c.until = map[string]map[string]string{}, map[string]time.Time{}
	}
	c.by[programme], c.until[programme] = by, now.Add(namesFor)
	return by, nil
}
