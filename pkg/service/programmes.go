package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/partnership-grants/backend/pkg/export"
	"github.com/partnership-grants/backend/pkg/grants"
)

// ProgrammeStore keeps the programmes an administrator created (issue 25,
// item 2).
type ProgrammeStore interface {
	ProgrammeLister
	ProgrammeGetter
	// CreateProgramme stores p once (a code stored: a Conflict naming
	// "code") and gives its settings its name and region.
	CreateProgramme(ctx context.Context, p grants.Programme) error
	// ArchiveProgramme marks p archived, storing it if it was not.
	ArchiveProgramme(ctx context.Context, p grants.Programme) error
}

// ProgrammeGetter reads one programme stored; false if none was.
type ProgrammeGetter interface {
	Programme(ctx context.Context, code string) (grants.Programme, bool, error)
}

// ProgrammeLister lists the programmes stored.
type ProgrammeLister interface {
	Programmes(ctx context.Context) ([]grants.Programme, error)
}

// Programmes are the programmes a deployment runs: those an administrator
// created, and those its configuration names (PROGRAMME_CODE), which exist
// without being created, so a deployment upgraded in place keeps its
// programme. An administrator creates and archives them; everyone sees the
// programmes they hold a role in.
type Programmes struct {
	store ProgrammeStore
	// configured are the configuration's programmes, as they are until an
	// administrator archives one (then the store holds it).
	configured []grants.Programme
}

// NewProgrammes builds the programmes' use cases; configured are the
// programmes the deployment's configuration names.
func NewProgrammes(store ProgrammeStore, configured ...grants.Programme) *Programmes {
	return &Programmes{store: store, configured: slices.Clone(configured)}
}

// ProgrammeAdmins may create and archive programmes.
var ProgrammeAdmins = []grants.Role{grants.RoleAdmin}

// ProgrammeReaders may list programmes: whoever holds any role (each sees
// those they hold one in).
var ProgrammeReaders = append(slices.Clone(grants.Readers), grants.RoleAdmin)

func forbidden() error {
	return &grants.Error{Code: grants.Forbidden, Message: "Your role may not do this.", Reason: "forbidden"}
}

// noProgramme is the answer for a programme that does not exist or that
// the actor may not see: the same, so a list of codes cannot be probed.
func noProgramme(code string) error {
	return &grants.Error{Code: grants.NotFound, Reason: "programme_not_found", Message: fmt.Sprintf("There is no programme %s.", code)}
}

// Create validates and stores a new programme, for an administrator of
// every programme (a role held in one programme does not reach a new one):
// each bad field a 422 by its name, a code taken (stored or configured) a
// 409 naming "code". Its settings start with its name and region, so its
// settings page works at once.
func (x *Programmes) Create(ctx context.Context, actor grants.Actor, in grants.NewProgrammeInput) (grants.Programme, error) {
	if !slices.Contains(actor.Groups, grants.RoleAdmin) {
		return grants.Programme{}, forbidden()
	}
	p, err := grants.NewProgramme(in)
	if err != nil {
		return grants.Programme{}, err
	}
	if slices.ContainsFunc(x.configured, func(c grants.Programme) bool { return c.Code == p.Code }) {
		return grants.Programme{}, &grants.Error{Code: grants.Conflict, Reason: "programme_exists",
			Message: fmt.Sprintf("A programme with code %s already exists.", p.Code),
			Fields:  []grants.FieldError{{Field: "code", Reason: "is taken by another programme"}}}
	}
	if err := x.store.CreateProgramme(ctx, p); err != nil {
		return grants.Programme{}, err
	}
	return p, nil
}

// List is the programmes the actor sees (grants.Actor.Sees), archived ones
// only if asked, by name.
func (x *Programmes) List(ctx context.Context, actor grants.Actor, archived bool) ([]grants.Programme, error) {
	all, err := x.all(ctx)
	if err != nil {
		return nil, err
	}
	out := []grants.Programme{}
	for _, p := range all {
		if actor.Sees(p.Code) && (archived || !p.Archived) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b grants.Programme) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Code, b.Code))
	})
	return out, nil
}

// Visible is the programmes the actor may switch between: those they see,
// not archived, by name (the web app's programme switcher).
func (x *Programmes) Visible(ctx context.Context, actor grants.Actor) ([]grants.Programme, error) {
	return x.List(ctx, actor, false)
}

// Get reads a programme the actor sees, archived or not.
func (x *Programmes) Get(ctx context.Context, actor grants.Actor, code string) (grants.Programme, error) {
	if !actor.Sees(code) {
		return grants.Programme{}, noProgramme(code)
	}
	p, ok, err := x.find(ctx, code)
	if err != nil {
		return grants.Programme{}, err
	}
	if !ok {
		return grants.Programme{}, noProgramme(code)
	}
	return p, nil
}

// Archive archives a programme, for its administrator: it takes no new
// agreement and leaves the lists; what it holds stays readable. Archiving
// an archived programme changes nothing.
func (x *Programmes) Archive(ctx context.Context, actor grants.Actor, code string) (grants.Programme, error) {
	if !actor.HasIn(code, ProgrammeAdmins...) {
		if actor.Sees(code) {
			return grants.Programme{}, forbidden()
		}
		return grants.Programme{}, noProgramme(code)
	}
	p, ok, err := x.find(ctx, code)
	if err != nil {
		return grants.Programme{}, err
	}
	if !ok {
		return grants.Programme{}, noProgramme(code)
	}
	if p.Archived {
		return p, nil
	}
	if err := x.store.ArchiveProgramme(ctx, p); err != nil {
		return grants.Programme{}, err
	}
	p.Archived = true
	return p, nil
}

// Active is the codes of every programme not archived, stored or
// configured, by code: what the daily run goes over.
func (x *Programmes) Active(ctx context.Context) ([]string, error) {
	all, err := x.all(ctx)
	if err != nil {
		return nil, err
	}
	return activeCodes(all), nil
}

// find is a programme by code: the store's, else the configuration's.
func (x *Programmes) find(ctx context.Context, code string) (grants.Programme, bool, error) {
	p, ok, err := x.store.Programme(ctx, code)
	if err != nil || ok {
		return p, ok, err
	}
	for _, c := range x.configured {
		if c.Code == code {
			return c, true, nil
		}
	}
	return grants.Programme{}, false, nil
}

// all is the programmes stored and configured, by code; the store's record
// of a configured programme (once archived) is the one.
func (x *Programmes) all(ctx context.Context) ([]grants.Programme, error) {
	stored, err := x.store.Programmes(ctx)
	if err != nil {
		return nil, err
	}
	return mergeProgrammes(stored, x.configured), nil
}

func mergeProgrammes(stored, configured []grants.Programme) []grants.Programme {
	out := slices.Clone(stored)
	for _, c := range configured {
		if !slices.ContainsFunc(stored, func(p grants.Programme) bool { return p.Code == c.Code }) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b grants.Programme) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// activeCodes are the codes of the programmes not archived, by code.
func activeCodes(all []grants.Programme) []string {
	var out []string
	for _, p := range all {
		if !p.Archived {
			out = append(out, p.Code)
		}
	}
	return out
}

// FunderOf is the publisher of a programme's 360Giving file: the
// programme's own funder where it has one, else the deployment's, under
// the programme's name where the deployment names no title for it.
func FunderOf(p grants.Programme, deployment export.Funder) export.Funder {
	f := deployment
	if p.HasFunder() {
		f.Prefix, f.OrgID, f.OrgName = p.Funder360GPrefix, p.FunderOrgID, p.FunderName
	}
	if _, named := deployment.ProgrammeTitles[p.Code]; !named && p.Name != "" {
		f.ProgrammeTitles = map[string]string{}
		for k, v := range deployment.ProgrammeTitles {
			f.ProgrammeTitles[k] = v
		}
		f.ProgrammeTitles[p.Code] = p.Name
	}
	return f
}

// programmeArchived refuses a new agreement in an archived programme.
func programmeArchived(code string) error {
	return &grants.Error{Code: grants.Conflict, Reason: "programme_archived",
		Message: fmt.Sprintf("Programme %s is archived: it takes no new agreements.", code),
		Fields:  []grants.FieldError{{Field: "programme", Reason: "is archived"}}}
}
