package paved

import (
	"testing"
	"time"
)

func TestAuthorizeFacts(t *testing.T) {
	u := func(roles []Role, teams ...string) *User { return &User{Name: "u", Roles: roles, Teams: teams} }
	dev := u([]Role{RoleDeveloper}, "payments")
	viewer := u([]Role{RoleViewer}, "payments")
	reviewer := u([]Role{RoleReviewer}, "platform")
	security := u([]Role{RoleSecurity}, "security")
	admin := u([]Role{RoleAdmin})
	payments, search := Resource{Team: "payments"}, Resource{Team: "search"}
	tests := []struct {
		who  string
		u    *User
		act  Action
		res  Resource
		want string
	}{
		{"anonymous cannot push", nil, ActPushFacts, payments, EUNAUTHORIZED},
		{"developer pushes for own team", dev, ActPushFacts, payments, ""},
		{"developer cannot push for another team", dev, ActPushFacts, search, EFORBIDDEN},
		{"viewer cannot push", viewer, ActPushFacts, payments, EFORBIDDEN},
		{"reviewer cannot push", reviewer, ActPushFacts, payments, EFORBIDDEN},
		{"admin pushes", admin, ActPushFacts, search, ""},
		{"developer cannot run a collector", dev, ActCollectFacts, Resource{}, EFORBIDDEN},
		{"security cannot run a collector", security, ActCollectFacts, Resource{}, EFORBIDDEN},
		{"admin runs a collector", admin, ActCollectFacts, Resource{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			if got := ErrorCode(Authorize(tt.u, tt.act, tt.res)); got != tt.want {
				t.Fatalf("Authorize = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFactKeyAndValue(t *testing.T) {
	for _, k := range []string{"github.branch_protection.required_reviews", "backup.last_restore_test", "kube.pdb.covered", "loadtest.p99-ms"} {
		if err := ValidateFactKey("key", k); err != nil {
			t.Errorf("ValidateFactKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", "github", "GitHub.x", "github..x", ".x", "github.x.", "1github.x", "github x.y", "github.x/y"} {
		if err := ValidateFactKey("key", k); ErrorCode(err) != EINVALID {
			t.Errorf("ValidateFactKey(%q) = %v, want invalid", k, err)
		}
	}
	if FactKind("github.branch_protection.required_reviews") != "github" {
		t.Fatal("FactKind")
	}
	v, err := ValidateFactValue("value", map[string]any{"b": 1, "a": []int{2}})
	if err != nil || FactValueJSON(v) != `{"a":[2],"b":1}` {
		t.Fatalf("ValidateFactValue = %v, %v", FactValueJSON(v), err)
	}
	if _, err := ValidateFactValue("value", nil); ErrorCode(err) != EINVALID {
		t.Fatalf("null value: %v", err)
	}
	big := make([]byte, MaxFactValueBytes)
	for i := range big {
		big[i] = 'a'
	}
	if _, err := ValidateFactValue("value", string(big)); ErrorCode(err) != ETOOLARGE {
		t.Fatalf("oversized value: %v", err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &Fact{ExpiresAt: now.Add(time.Second)}
	if !f.Current(now) || f.Current(now.Add(time.Second)) || (*Fact)(nil).Current(now) {
		t.Fatal("Current")
	}
}
