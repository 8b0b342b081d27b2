package identity

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	paved "github.com/paved-dev/paved"
)

// Person is who the provider says signed in, read from a verified ID token
// (and the userinfo endpoint for claims the token left out).
type Person struct {
	Issuer  string
	Subject string
	// Username is the paved user name (MapUsername): checked against
	// paved's name rule.
	Username      string
	DisplayName   string
	Email         string
	EmailVerified bool
	// Groups are the groups claim's values as the provider sent them.
	Groups []string
}

// Bounds on what a provider may send: a groups claim of thousands is a
// misconfigured mapper (or Entra's overage marker), and names longer than
// these are not names.
const (
	maxGroups     = 1000
	maxGroupBytes = 512
	maxClaimBytes = 1024
)

// claim looks a claim up by its full name first (Auth0-style namespaced
// claims contain dots), then as a dotted path into nested objects
// (Keycloak's realm_access.roles).
func claim(claims map[string]any, name string) (any, bool) {
	if v, ok := claims[name]; ok {
		return v, true
	}
	if !strings.Contains(name, ".") {
		return nil, false
	}
	var cur any = claims
	for _, part := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// stringClaim returns a string claim, "" when missing; an error when it is
// there but not a string or too long.
func stringClaim(claims map[string]any, name string) (string, error) {
	v, ok := claim(claims, name)
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("claim %q is not a string", name)
	}
	if len(s) > maxClaimBytes || strings.ContainsFunc(s, unicode.IsControl) {
		return "", fmt.Errorf("claim %q is longer than %d bytes or holds control characters", name, maxClaimBytes)
	}
	return strings.TrimSpace(s), nil
}

// groupsClaim reads the groups claim: a list of strings, or one string.
// Missing is no groups.
func groupsClaim(claims map[string]any, name string) ([]string, error) {
	v, ok := claim(claims, name)
	if !ok || v == nil {
		return nil, nil
	}
	var raw []any
	switch x := v.(type) {
	case string:
		raw = []any{x}
	case []any:
		raw = x
	default:
		return nil, fmt.Errorf("claim %q is neither a list of group names nor one name", name)
	}
	if len(raw) > maxGroups {
		return nil, fmt.Errorf("claim %q lists %d groups: at most %d (narrow the provider's groups mapper to the groups paved maps)", name, len(raw), maxGroups)
	}
	out := make([]string, 0, len(raw))
	for _, g := range raw {
		s, ok := g.(string)
		if !ok {
			return nil, fmt.Errorf("claim %q holds a value that is not a group name", name)
		}
		if len(s) > maxGroupBytes || strings.ContainsFunc(s, unicode.IsControl) {
			return nil, fmt.Errorf("claim %q holds a group name longer than %d bytes or with control characters", name, maxGroupBytes)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

// PersonFromClaims maps verified claims onto a Person by the section's
// claim names. The username comes from username_claim, else
// preferred_username, else a verified email; an address gives its local
// part, lower-cased (as Backstage's emailLocalPart resolver does), and the
// result must be a valid paved name.
func (o *OIDC) PersonFromClaims(issuer, subject string, claims map[string]any) (*Person, error) {
	if subject == "" {
		return nil, fmt.Errorf("the ID token has no subject")
	}
	p := &Person{Issuer: issuer, Subject: subject}
	var err error
	if p.Email, err = stringClaim(claims, "email"); err != nil {
		return nil, err
	}
	if v, ok := claims["email_verified"]; ok {
		p.EmailVerified = v == true || v == "true"
	}
	if p.DisplayName, err = stringClaim(claims, o.nameClaim()); err != nil {
		return nil, err
	}
	if p.Groups, err = groupsClaim(claims, o.groupsClaim()); err != nil {
		return nil, err
	}
	from := o.UsernameClaim
	var raw string
	if from != "" {
		if raw, err = stringClaim(claims, from); err != nil {
			return nil, err
		}
	} else {
		from = "preferred_username"
		if raw, err = stringClaim(claims, from); err != nil {
			return nil, err
		}
		if raw == "" {
			from = "email"
			raw = p.Email
		}
	}
	if raw == "" {
		return nil, fmt.Errorf("the provider sent no %s claim to name the user by: set server.oidc.username_claim to a claim it sends, or add the claim to the client's scopes", from)
	}
	if from == "email" {
		// An unverified address may belong to someone else: some providers
		// let a person type any address into their profile.
		if v, ok := claims["email_verified"]; ok && v != true && v != "true" {
			return nil, fmt.Errorf("the provider says email %q is not verified: paved does not name a user by an unverified address", raw)
		}
	}
	p.Username = MapUsername(raw)
	if err := paved.ValidateName("username", p.Username); err != nil {
		return nil, fmt.Errorf("the %s claim %q does not make a paved user name: %s", from, raw, paved.ErrorMessage(err))
	}
	if p.DisplayName == "" {
		p.DisplayName = p.Username
	}
	return p, nil
}

// MapUsername turns a username claim into a paved user name: the local
// part of an address, lower-cased.
func MapUsername(v string) string {
	if at := strings.LastIndex(v, "@"); at > 0 {
		v = v[:at]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// Mapping is what the group rules grant one person.
type Mapping struct {
	Teams []string
	Roles []paved.Role
	// Rules are the indexes of the rules that matched; none means the
	// person signed in without a mapping.
	Rules []int
}

// Matched reports whether any rule matched.
func (m Mapping) Matched() bool { return len(m.Rules) > 0 }

// MapGroups applies the rules to a person's groups. Group names match
// exactly (providers differ in case rules; the claim's spelling is the
// one to write).
func MapGroups(rules []GroupRule, groups []string) Mapping {
	m := Mapping{Teams: []string{}, Roles: []paved.Role{}}
	have := make(map[string]bool, len(groups))
	for _, g := range groups {
		have[g] = true
	}
	for i, r := range rules {
		if !have[r.Group] {
			continue
		}
		m.Rules = append(m.Rules, i)
		if r.Team != "" && !slices.Contains(m.Teams, r.Team) {
			m.Teams = append(m.Teams, r.Team)
		}
		if r.Role != "" && !slices.Contains(m.Roles, r.Role) {
			m.Roles = append(m.Roles, r.Role)
		}
	}
	sort.Strings(m.Teams)
	roles := []paved.Role{}
	for _, r := range paved.Roles {
		if slices.Contains(m.Roles, r) {
			roles = append(roles, r)
		}
	}
	m.Roles = roles
	return m
}
