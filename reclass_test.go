package paved

import "testing"

func TestStricterAndLowers(t *testing.T) {
	c := func(t Tier, d DataClass) Classification { return Classification{Tier: t, DataClass: d} }
	tests := []struct {
		a, b, stricter Classification
		lowers         bool // a -> b lowers
	}{
		{c(1, DataRestricted), c(4, DataInternal), c(1, DataRestricted), true},
		{c(4, DataInternal), c(1, DataRestricted), c(1, DataRestricted), false},
		{c(1, DataPublic), c(4, DataRestricted), c(1, DataRestricted), true}, // tier lowered, data raised
		{c(2, DataConfidential), c(2, DataInternal), c(2, DataConfidential), true},
		{c(2, DataConfidential), c(2, DataConfidential), c(2, DataConfidential), false},
		{c(3, DataInternal), Classification{}, c(3, DataInternal), false}, // nothing kept: never wins
	}
	for _, tt := range tests {
		if got := Stricter(tt.a, tt.b); got != tt.stricter {
			t.Errorf("Stricter(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.stricter)
		}
		if tt.b.IsZero() {
			continue
		}
		if got := tt.a.Lowers(tt.b); got != tt.lowers {
			t.Errorf("%v.Lowers(%v) = %v, want %v", tt.a, tt.b, got, tt.lowers)
		}
	}
}

func TestCanDecideReclassification(t *testing.T) {
	u := func(name string, roles []Role, teams ...string) *User {
		return &User{Name: name, Roles: roles, Teams: teams}
	}
	r := &Reclassification{ID: 7, Service: "vault", Team: "payments", RequestedBy: "dev"}
	tests := []struct {
		who   string
		u     *User
		owner string
		want  string
	}{
		{"architect of another team", u("ari", []Role{RoleArchitect}, "architecture"), "payments", ""},
		{"security of another team", u("sam", []Role{RoleSecurity}, "security"), "payments", ""},
		{"the requester", u("dev", []Role{RoleArchitect}, "architecture"), "payments", EFORBIDDEN},
		{"an architect of the team that asked", u("ari", []Role{RoleArchitect}, "payments"), "search", EFORBIDDEN},
		{"an architect of the team that owns it now", u("ari", []Role{RoleArchitect}, "search"), "search", EFORBIDDEN},
		{"an admin in the owning team", u("boss", []Role{RoleAdmin}, "payments"), "payments", EFORBIDDEN},
		{"an admin outside the team", u("ada", []Role{RoleAdmin}), "payments", ""},
		{"a reviewer", u("erin", []Role{RoleReviewer}, "platform"), "payments", EFORBIDDEN},
		{"a developer of another team", u("olu", []Role{RoleDeveloper}, "search"), "payments", EFORBIDDEN},
		{"nobody", nil, "payments", EUNAUTHORIZED},
	}
	for _, tt := range tests {
		if got := ErrorCode(CanDecideReclassification(tt.u, r, tt.owner)); got != tt.want {
			t.Errorf("%s: code %q, want %q", tt.who, got, tt.want)
		}
	}
	done := *r
	done.Status, done.DecidedBy = ReclassApproved, "ari"
	if ErrorCode(CanBeDecidedReclassification(&done)) != ECONFLICT {
		t.Error("a decided request can be decided again")
	}
}
