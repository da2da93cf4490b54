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
// is the sub itself; here it is derived from the demo username so that
// tokens, sample events and tests can name people.
func Subject(username string) string { return "local-" + username }

// groupInfo are the template's groups (ProgrammeGroup, FinanceGroup,
// ViewerGroup), by name.
var groupInfo = map[string]string{
	"programme": "Programme staff; create and manage agreements.",
	"finance":   "Finance staff; request and approve payments.",
	"viewer":    "Read-only access.",
	// Issue 25: the administrator (AdminGroup).
	"admin": "Administrators; edit programme settings. Nothing about money.",
}

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
// Role's group until the administration API changes it. p.mu is held.
func (p *Provider) membersLocked() map[string][]string {
	if p.members == nil {
		p.members = map[string][]string{}
		for _, x := range p.People {
			if x.Role != "" {
				p.members[x.Username] = []string{x.Role}
			} else {
				p.members[x.Username] = nil
			}
		}
	}
	return p.members
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
	m := p.membersLocked()
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
	for _, x := range p.People {
		if x.Email != "" && strings.EqualFold(x.Email, name) {
			return x.Username, true
		}
	}
	return "", false
}

// admin answers cognito-idp's AdminListGroupsForUser, AdminAddUserToGroup
// and AdminRemoveUserFromGroup (awsJson1.1), with Cognito's errors for an
// unknown pool, user or group. One liberty: AdminAddUserToGroup makes a
// user it has not heard of (Cognito would answer UserNotFoundException),
// so that make token can put anyone it names in the group its token
// claims. Requests are not authenticated: the stand-in listens on loopback.
func (p *Provider) admin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	fail := func(kind, msg string) {
		w.Header().Set("X-Amzn-ErrorType", kind)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if !ok {
		fail("UnknownOperationException", "not a cognito-idp operation")
		return
	}
	var in struct {
		UserPoolId, Username, GroupName, NextToken string
		Limit                                      int
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		fail("InvalidParameterException", "the request body is not JSON")
		return
	}
	if in.UserPoolId != p.PoolID() {
		fail("ResourceNotFoundException", "User pool "+in.UserPoolId+" does not exist.")
		return
	}
	if _, known := groupInfo[in.GroupName]; !known && op != "AdminListGroupsForUser" {
		fail("ResourceNotFoundException", "Group not found.")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.membersLocked()
	user, found := p.userLocked(in.Username)
	switch {
	case op == "AdminAddUserToGroup" && !found:
		user, found = in.Username, true
	case op != "AdminListGroupsForUser" && op != "AdminAddUserToGroup" && op != "AdminRemoveUserFromGroup":
		fail("UnknownOperationException", op+" is not supported locally")
		return
	case !found:
		fail("UserNotFoundException", "User does not exist.")
		return
	}
	switch op {
	case "AdminAddUserToGroup":
		if !slices.Contains(m[user], in.GroupName) {
			m[user] = append(m[user], in.GroupName)
		}
		_, _ = w.Write([]byte("{}"))
	case "AdminRemoveUserFromGroup":
		m[user] = slices.DeleteFunc(slices.Clone(m[user]), func(g string) bool { return g == in.GroupName })
		_, _ = w.Write([]byte("{}"))
	case "AdminListGroupsForUser":
		// Pages of Limit groups (Cognito's default and most, 60), the
		// NextToken the index of the next.
		limit := in.Limit
		if limit <= 0 || limit > 60 {
			limit = 60
		}
		from, _ := strconv.Atoi(in.NextToken)
		groups := m[user]
		from = min(max(from, 0), len(groups))
		to := min(from+limit, len(groups))
		out := map[string]any{}
		var page []map[string]string
		for _, g := range groups[from:to] {
			page = append(page, map[string]string{"GroupName": g, "UserPoolId": in.UserPoolId, "Description": groupInfo[g]})
		}
		out["Groups"] = page
		if to < len(groups) {
			out["NextToken"] = strconv.Itoa(to)
		}
		_ = json.NewEncoder(w).Encode(out)
	}
}
