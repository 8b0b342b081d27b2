package paved

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// TokenScope limits what a token may do. A token without a scope acts with
// every right its user's roles give; a scoped token acts with the
// intersection of its scope and those rights, except a CI token (CI set),
// whose scope is its whole authority: it is no person's, so it has no roles
// to intersect with, and the CI token exchange that issued it has checked
// that the services it names are built from the repository that asked.
//
// A scope is fixed when the token is created; a token made from a token
// (issue 15's parent rule) may narrow it but never widen it: see Narrows.
type TokenScope struct {
	// Access is the most the token may do.
	Access ScopeAccess `json:"access"`
	// Services names the services a "checks" token may record checks and
	// request exceptions for (sorted, without repeats).
	Services []string `json:"services,omitempty"`
	// CI is the workload identity the token was exchanged for,
	// "ci:<issuer>/<repository>@<sha>" (CIRecorder); set only by the CI
	// token exchange. Whatever the token does is recorded as done by it.
	CI string `json:"ci,omitempty"`
}

// ScopeAccess is a kind of scope.
type ScopeAccess string

const (
	// ScopeRead: read what the user may read; change nothing.
	ScopeRead ScopeAccess = "read"
	// ScopeChecks: record guard-rail checks and request exceptions for the
	// named services, and read what `paved check --server` reads (the
	// catalog, exceptions and their coverage, spend for the budget guard).
	ScopeChecks ScopeAccess = "checks"
)

// MaxScopeServices bounds the services of one scope: a CI job builds a
// handful; a longer list is a token that should not be scoped per service.
const MaxScopeServices = 100

// CIPrefix starts every CI identity. User names cannot contain ':', so no
// person's name can pass for one.
const CIPrefix = "ci:"

// CIRecorder names a CI identity as checks and the audit log record it:
// ci:<issuer>/<repository>@<sha>. The issuer is written without its
// scheme (https://token.actions.githubusercontent.com becomes
// token.actions.githubusercontent.com) so that the name reads as a path.
func CIRecorder(issuer, repository, sha string) string {
	iss := strings.TrimSuffix(issuer, "/")
	iss = strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
	s := CIPrefix + iss + "/" + repository
	if sha != "" {
		s += "@" + sha
	}
	return s
}

// readActions are the actions that change nothing: what a read-only token
// may do (still subject to its user's roles: a read-only token of a
// developer does not read the audit log).
var readActions = map[Action]bool{
	ActReadCatalog:       true,
	ActReadAudit:         true,
	ActReadExceptions:    true,
	ActReadNotifications: true,
	ActReadCost:          true,
	ActConfigAdmin:       true,
}

// checkReadActions are what a checks token reads besides its writes.
var checkReadActions = map[Action]bool{
	ActReadCatalog:    true,
	ActReadExceptions: true,
	ActReadCost:       true,
}

// checkWriteActions are a checks token's writes; each needs the service it
// is about in Resource.Service.
var checkWriteActions = map[Action]bool{
	ActRecordCheck:      true,
	ActRequestException: true,
	// A pipeline's facts (a restore test, a load test, a deployment):
	// what the facts push is for (docs/facts.md#push), so a CI job's token
	// for the service may push them without a person's token.
	ActPushFacts: true,
}

// Validate checks a scope as given by a person (CLI, API) or the exchange.
func (s *TokenScope) Validate() error {
	if s == nil {
		return nil
	}
	switch s.Access {
	case ScopeRead:
		if len(s.Services) > 0 {
			return FieldErrorf(EINVALID, "scope", "a read-only scope names no services: it reads what its user may read")
		}
		if s.CI != "" {
			return FieldErrorf(EINVALID, "scope", "a CI identity records checks: its scope is checks, not read")
		}
	case ScopeChecks:
		if len(s.Services) == 0 {
			return FieldErrorf(EINVALID, "scope", "a checks scope names the services it records checks for: checks:SERVICE[,SERVICE...]")
		}
		if len(s.Services) > MaxScopeServices {
			return FieldErrorf(EINVALID, "scope", "a checks scope names %d services: at most %d", len(s.Services), MaxScopeServices)
		}
		for _, n := range s.Services {
			if err := ValidateName("scope", n); err != nil {
				return err
			}
		}
		if s.CI != "" {
			if !strings.HasPrefix(s.CI, CIPrefix) || len(s.CI) > 1000 || strings.IndexFunc(s.CI, unicode.IsControl) >= 0 {
				return FieldErrorf(EINVALID, "scope", "CI identity %.60q is not ci:<issuer>/<repository>@<sha>", s.CI)
			}
		}
	default:
		return FieldErrorf(EINVALID, "scope", "unknown scope %q: want read, or checks:SERVICE[,SERVICE...]", s.Access)
	}
	return nil
}

// ParseTokenScope reads a scope as the CLI and the API take it: "read", or
// "checks:SERVICE[,SERVICE...]". "" is no scope (nil).
func ParseTokenScope(v string) (*TokenScope, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	access, list, hasList := strings.Cut(v, ":")
	s := &TokenScope{Access: ScopeAccess(strings.ToLower(strings.TrimSpace(access)))}
	if hasList {
		for _, n := range strings.Split(list, ",") {
			if n = strings.TrimSpace(n); n != "" {
				s.Services = append(s.Services, n)
			}
		}
	}
	s.normalize()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *TokenScope) normalize() {
	sort.Strings(s.Services)
	s.Services = slices.Compact(s.Services)
}

// String writes the scope as ParseTokenScope reads it ("" for none).
func (s *TokenScope) String() string {
	switch {
	case s == nil:
		return ""
	case len(s.Services) > 0:
		return string(s.Access) + ":" + strings.Join(s.Services, ",")
	}
	return string(s.Access)
}

// HasService reports whether a checks scope names the service.
func (s *TokenScope) HasService(name string) bool {
	return s != nil && slices.Contains(s.Services, name)
}

// Narrows reports whether a token with scope child may be made by a token
// with scope s: every right of child is a right of s. A nil scope is every
// right; nil child of a scoped parent is wider and refused.
func (s *TokenScope) Narrows(child *TokenScope) bool {
	switch {
	case s == nil:
		return true
	case child == nil:
		return false
	case s.CI != "" && child.CI != s.CI:
		return false
	case s.Access == ScopeRead:
		return child.Access == ScopeRead
	case child.Access != ScopeChecks:
		// A read-only token reads more (the audit log, for a user whose
		// role allows) than a checks token, which reads only what paved
		// check needs.
		return false
	}
	for _, n := range child.Services {
		if !s.HasService(n) {
			return false
		}
	}
	return true
}

// permits is the scope's part of Authorize: nil when act on res is within
// the scope.
func (s *TokenScope) permits(act Action, res Resource) error {
	switch s.Access {
	case ScopeRead:
		if readActions[act] {
			return nil
		}
		return Errorf(EFORBIDDEN, "this token is read-only: %s changes something; use a token without the read scope", act)
	case ScopeChecks:
		if checkReadActions[act] {
			return nil
		}
		if !checkWriteActions[act] {
			return Errorf(EFORBIDDEN, "this token may only record checks and request exceptions (scope %s): %s is outside its scope", s.String(), act)
		}
		if res.Service == "" {
			return Errorf(EFORBIDDEN, "this token is scoped to services %s: the request names no service", strings.Join(s.Services, ", "))
		}
		if !s.HasService(res.Service) {
			if s.CI != "" {
				return Errorf(EFORBIDDEN, "this CI token was issued for services %s (their repository matched the job's): service %q is not one of them", strings.Join(s.Services, ", "), res.Service)
			}
			return Errorf(EFORBIDDEN, "this token is scoped to services %s: service %q is not one of them", strings.Join(s.Services, ", "), res.Service)
		}
		return nil
	}
	return Errorf(EFORBIDDEN, "unknown token scope %q", s.Access)
}

// CheckSource says where a recorded check came from, for the evidence
// rules: a CI job that proved its identity (the CI token exchange), or a
// person (a user's token or portal session, or the local CLI).
type CheckSource string

const (
	SourceCI     CheckSource = "ci"
	SourcePerson CheckSource = "person"
)

// CheckSources lists the sources in the order the docs give them.
var CheckSources = []CheckSource{SourceCI, SourcePerson}

// ParseCheckSource reads "ci" or "person".
func ParseCheckSource(v string) (CheckSource, error) {
	s := CheckSource(strings.ToLower(strings.TrimSpace(v)))
	if s != SourceCI && s != SourcePerson {
		return "", Errorf(EINVALID, "unknown check source %q: want ci (a CI job that exchanged its ID token) or person", v)
	}
	return s, nil
}

// SourceOf classifies a recorder: a CI identity (ci:...) or anything else,
// which a person did.
func SourceOf(recordedBy string) CheckSource {
	if strings.HasPrefix(recordedBy, CIPrefix) {
		return SourceCI
	}
	return SourcePerson
}

// Source says where the check came from.
func (c *CheckRecord) Source() CheckSource { return SourceOf(c.RecordedBy) }

// RecorderOf names who records what a context does: the CI identity of a
// CI token, else the actor's name (a user, local:<os user>, system).
func RecorderOf(a Actor) string {
	if a.User != nil && a.User.Scope != nil && a.User.Scope.CI != "" {
		return a.User.Scope.CI
	}
	return a.Name
}

// DescribeRecorder says who recorded something, for people: "CI (ci:...)"
// or the person's name.
func DescribeRecorder(recordedBy string) string {
	if SourceOf(recordedBy) == SourceCI {
		return fmt.Sprintf("CI (%s)", recordedBy)
	}
	return recordedBy
}
