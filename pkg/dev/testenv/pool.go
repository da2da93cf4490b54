package testenv

import (
	"context"
	"sync"

	"github.com/partnership-grants/backend/pkg/grants"
)

// Pool stands in for the user pool where a use case asks who is in a group
// now (service.Directory): everyone is in every group, except where Remove
// took them out. Which routes and pages a token's groups open is the HTTP
// layers' check, tested there; this answers only the later question, "still
// in it?". The user pool's own adapter is tested against the local
// stand-in (pkg/cognito).
type Pool struct {
	mu      sync.Mutex
	removed map[removal]bool
	asked   int
}

type removal struct {
	actorID string
	role    grants.Role
}

// Remove takes the person actorID names out of role's group.
func (p *Pool) Remove(actorID string, role grants.Role) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.removed == nil {
		p.removed = map[removal]bool{}
	}
	p.removed[removal{actorID, role}] = true
}

// StillIn is true unless a was removed from role.
func (p *Pool) StillIn(_ context.Context, a grants.Actor, role grants.Role) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked++
	return !p.removed[removal{a.ID, role}], nil
}

// Asked is how many times the pool was asked.
func (p *Pool) Asked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.asked
}
