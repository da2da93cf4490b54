package idp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Subject is the sub of the person with username in the local pool. In a
// pool whose sign-in name is the email (the template's), Cognito's username
// is the sub itself; here it is derived from the username so that tokens,
// sample events and tests can name people.
func Subject(username string) string { return "local-" + username }

// groupInfo are the template's groups (ProgrammeGroup, FinanceGroup,
// ViewerGroup, AdminGroup), by name: the groups the pool starts with.
var groupInfo = map[string]string{
	"programme": "Programme staff; create and manage agreements.",
	"finance":   "Finance staff; request and approve payments.",
	"viewer":    "Read-only access.",
	// Issue 25: the administrator (AdminGroup).
	"admin": "Administrators; edit programme settings. Nothing about money.",
}

// user is a person the pool has: a demo person, or one invited through
// AdminCreateUser (issue 25, item 4).
type user struct {
	Person
	enabled bool
	status  string
}

// Invitation is an invitation AdminCreateUser would have Cognito email.
type Invitation struct{ Email, Username string }

// PoolID is the user pool's ID: the last segment of the issuer's path, as
// in https://cognito-idp.<region>.amazonaws.com/<pool id>.
func (p *Provider) PoolID() string {
	u, err := url.Parse(p.Issuer)
	if err != nil {
		return ""
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

// membersLocked is who is in which group, by username: each person in their
// Role's group until the administration API changes it. It also sets up
// the pool's people and groups on first use. p.mu is held.
func (p *Provider) membersLocked() map[string][]string {
	if p.members == nil {
		p.members = map[string][]string{}
		p.users = map[string]*user{}
		p.groups = map[string]string{}
		for g, d := range groupInfo {
			p.groups[g] = d
		}
		for _, x := range p.People {
			p.users[x.Username] = &user{Person: x, enabled: true, status: "CONFIRMED"}
			p.order = append(p.order, x.Username)
			if x.Role != "" {
				p.members[x.Username] = []string{x.Role}
			} else {
				p.members[x.Username] = nil
			}
		}
	}
	return p.members
}

// peopleLocked are the people the sign-in page offers: the demo people,
// then those invited, in the order they came. p.mu is held.
func (p *Provider) peopleLocked() []*user {
	p.membersLocked()
	out := make([]*user, 0, len(p.order))
	for _, u := range p.order {
		out = append(out, p.users[u])
	}
	return out
}

// groupsOf is the groups username is in now.
func (p *Provider) groupsOf(username string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.membersLocked()[username])
}

// addToGroup puts username in group, making the user if the pool has not
// heard of them.
func (p *Provider) addToGroup(username, group string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addLocked(username, group)
}

func (p *Provider) addLocked(username, group string) {
	m := p.membersLocked()
	if _, ok := p.users[username]; !ok {
		p.users[username] = &user{Person: Person{Username: username}, enabled: true, status: "CONFIRMED"}
	}
	if !slices.Contains(m[username], group) {
		m[username] = append(m[username], group)
	}
}

// userLocked is the username the administration API's Username names: a
// username, a sub (what the product sends: Cognito accepts it in every
// pool) or a person's email (an alias in the template's pool). p.mu is held.
func (p *Provider) userLocked(name string) (string, bool) {
	m := p.membersLocked()
	if _, ok := m[name]; ok {
		return name, true
	}
	if u, ok := strings.CutPrefix(name, Subject("")); ok {
		if _, ok := m[u]; ok {
			return u, true
		}
	}
	for _, u := range p.order {
		if x := p.users[u]; x.Email != "" && strings.EqualFold(x.Email, name) {
			return x.Username, true
		}
	}
	return "", false
}

// Invitations are the invitations AdminCreateUser made, oldest first
// (Cognito emails them; the stand-in sends nothing).
func (p *Provider) Invitations() []Invitation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.invitations)
}

type attribute struct{ Name, Value string }

// userType is Cognito's UserType (and AdminGetUser's answer) for u.
func userType(u *user) map[string]any {
	attrs := []attribute{{"sub", Subject(u.Username)}}
	if u.Email != "" {
		attrs = append(attrs, attribute{"email", u.Email}, attribute{"email_verified", "true"})
	}
	if u.Name != "" {
		attrs = append(attrs, attribute{"name", u.Name})
	}
	return map[string]any{"Username": u.Username, "Attributes": attrs, "UserAttributes": attrs,
		"Enabled": u.enabled, "UserStatus": u.status}
}

// admin answers the cognito-idp operations the product and its tests call
// (awsJson1.1): the group operations (AdminListGroupsForUser,
// AdminAddUserToGroup, AdminRemoveUserFromGroup, ListUsersInGroup,
// CreateGroup, GetGroup) and the staff's accounts (AdminCreateUser,
// AdminGetUser, AdminDisableUser, AdminEnableUser,
// AdminUserGlobalSignOut), with Cognito's error types for an unknown pool,
// user or group and for a user or group that exists already. One liberty:
// AdminAddUserToGroup makes a user it has not heard of (Cognito would
// answer UserNotFoundException), so that make token can put anyone it
// names in the group its token claims. Requests are not authenticated: the
// stand-in listens on loopback.
func (p *Provider) admin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(kind, msg string) {
		w.Header().Set("X-Amzn-ErrorType", kind)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	answer := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if !ok {
		fail("UnknownOperationException", "not a cognito-idp operation")
		return
	}
	var in struct {
		UserPoolId, Username, GroupName, NextToken, Description, MessageAction string
		Limit                                                                  int
		UserAttributes                                                         []attribute
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail("InvalidParameterException", "the request body is not JSON")
		return
	}
	if in.UserPoolId != p.PoolID() {
		fail("ResourceNotFoundException", "User pool "+in.UserPoolId+" does not exist.")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.membersLocked()
	switch op {
	case "AdminAddUserToGroup", "AdminRemoveUserFromGroup", "ListUsersInGroup", "GetGroup":
		if _, known := p.groups[in.GroupName]; !known {
			fail("ResourceNotFoundException", "Group not found.")
			return
		}
	case "AdminListGroupsForUser", "AdminCreateUser", "CreateGroup", "AdminGetUser", "AdminDisableUser", "AdminEnableUser", "AdminUserGlobalSignOut":
	default:
		fail("UnknownOperationException", op+" is not supported locally")
		return
	}
	switch op {
	case "CreateGroup":
		if in.GroupName == "" || len(in.GroupName) > 128 || strings.ContainsAny(in.GroupName, " \t\r\n") {
			fail("InvalidParameterException", "1 validation error detected: Value at 'groupName' failed to satisfy constraint")
			return
		}
		if _, exists := p.groups[in.GroupName]; exists {
			fail("GroupExistsException", "A group with the name already exists.")
			return
		}
		p.groups[in.GroupName] = in.Description
		answer(map[string]any{"Group": map[string]string{"GroupName": in.GroupName, "UserPoolId": in.UserPoolId, "Description": in.Description}})
		return
	case "GetGroup":
		answer(map[string]any{"Group": map[string]string{"GroupName": in.GroupName, "UserPoolId": in.UserPoolId, "Description": p.groups[in.GroupName]}})
		return
	case "ListUsersInGroup":
		var users []map[string]any
		for _, u := range p.order {
			if slices.Contains(m[u], in.GroupName) {
				users = append(users, userType(p.users[u]))
			}
		}
		page, next := pageOf(users, in.Limit, in.NextToken)
		out := map[string]any{"Users": page}
		if next != "" {
			out["NextToken"] = next
		}
		answer(out)
		return
	case "AdminCreateUser":
		email := in.Username
		for _, a := range in.UserAttributes {
			if a.Name == "email" && a.Value != "" {
				email = a.Value
			}
		}
		// The template's pool signs in by email (UsernameAttributes).
		if !strings.Contains(in.Username, "@") {
			fail("InvalidParameterException", "Username should be an email.")
			return
		}
		if _, exists := p.userLocked(in.Username); exists {
			fail("UsernameExistsException", "An account with the given email already exists.")
			return
		}
		u := &user{Person: Person{Username: strings.ToLower(in.Username), Email: email, Label: "invited"}, enabled: true, status: "FORCE_CHANGE_PASSWORD"}
		for _, a := range in.UserAttributes {
			if a.Name == "name" {
				u.Name = a.Value
			}
		}
		if u.Name == "" {
			u.Name = email
		}
		p.users[u.Username] = u
		p.order = append(p.order, u.Username)
		m[u.Username] = nil
		if in.MessageAction != "SUPPRESS" {
			p.invitations = append(p.invitations, Invitation{Email: email, Username: u.Username})
		}
		answer(map[string]any{"User": userType(u)})
		return
	}
	name, found := p.userLocked(in.Username)
	switch {
	case op == "AdminAddUserToGroup" && !found:
		name, found = in.Username, true
	case !found:
		fail("UserNotFoundException", "User does not exist.")
		return
	}
	switch op {
	case "AdminGetUser":
		answer(userType(p.users[name]))
	case "AdminDisableUser", "AdminEnableUser":
		p.users[name].enabled = op == "AdminEnableUser"
		_, _ = w.Write([]byte("{}"))
	case "AdminUserGlobalSignOut":
		for t, g := range p.refresh {
			if g.person.Username == name {
				delete(p.refresh, t)
			}
		}
		_, _ = w.Write([]byte("{}"))
	case "AdminAddUserToGroup":
		p.addLocked(name, in.GroupName)
		_, _ = w.Write([]byte("{}"))
	case "AdminRemoveUserFromGroup":
		m[name] = slices.DeleteFunc(slices.Clone(m[name]), func(g string) bool { return g == in.GroupName })
		_, _ = w.Write([]byte("{}"))
	case "AdminListGroupsForUser":
		var groups []map[string]string
		for _, g := range m[name] {
			groups = append(groups, map[string]string{"GroupName": g, "UserPoolId": in.UserPoolId, "Description": p.groups[g]})
		}
		page, next := pageOf(groups, in.Limit, in.NextToken)
		out := map[string]any{"Groups": page}
		if next != "" {
			out["NextToken"] = next
		}
		answer(out)
	}
}

// pageOf is a page of Limit items (Cognito's default and most, 60), the
// NextToken the index of the next ("" after the last).
func pageOf[T any](items []T, limit int, token string) ([]T, string) {
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	from, _ := strconv.Atoi(token)
	from = min(max(from, 0), len(items))
	to := min(from+limit, len(items))
	if to < len(items) {
		return items[from:to], strconv.Itoa(to)
	}
	return items[from:to], ""
}
