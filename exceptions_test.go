package paved

import (
	"testing"
	"time"
)

var excNow = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

// dbFinding is the 1 TB RAM story: a database far beyond the ceiling.
func dbFinding() Finding {
	f := Finding{Rule: "aws-db-max-memory", Severity: SeverityDeny, Resource: "aws_db_instance.main",
		Path: "instance_class", Value: "db.x2iedn.32xlarge", Message: "db.x2iedn.32xlarge has 1024 GiB of memory"}
	f.Fingerprint = f.ComputeFingerprint()
	return f
}

func approvedFor(f Finding) *Exception {
	decided := excNow.Add(-excDay)
	return &Exception{ID: 7, Service: "checkout", Team: "payments", Rule: f.Rule, Resource: f.Resource,
		Fingerprint: ExceptionFingerprint(&f), Status: ExceptionApproved, RequestedBy: "bob",
		RequestedAt: excNow.Add(-2 * excDay), DecidedBy: "rita", DecidedAt: &decided, ExpiresAt: excNow.Add(30 * excDay)}
}

func TestExceptionFingerprint(t *testing.T) {
	f := dbFinding()
	if got := ExceptionFingerprint(&f); got != f.Fingerprint {
		t.Fatalf("a string value: ExceptionFingerprint = %s, want the finding's own %s", got, f.Fingerprint)
	}
	// A number reads back from JSON as float64: the same fingerprint.
	a := Finding{Rule: "r", Resource: "x", Path: "allocated_storage", Value: int64(1024)}
	b := a
	b.Value = float64(1024)
	if ExceptionFingerprint(&a) != ExceptionFingerprint(&b) {
		t.Fatal("int64 1024 and float64 1024 fingerprint differently")
	}
	c := a
	c.Value = 2048
	if ExceptionFingerprint(&a) == ExceptionFingerprint(&c) {
		t.Fatal("another value has the same fingerprint")
	}
	// A user policy's finding is fingerprinted by its message.
	u := Finding{Rule: "main/deny", Resource: "x", Message: "too big: 1 TB", Policy: "main"}
	fp := u
	fp.Path = u.Message
	if ExceptionFingerprint(&u) != fp.ComputeFingerprint() {
		t.Fatal("a user policy finding is not fingerprinted by its message")
	}
}

func TestCovers(t *testing.T) {
	f := dbFinding()
	changed := f
	changed.Value = "db.x2iedn.metal" // 1 TB -> 2 TB
	other := f
	other.Resource = "aws_db_instance.replica"
	otherRule := f
	otherRule.Rule = "aws-db-multi-az"
	revokedAt := excNow.Add(-time.Hour)
	tests := []struct {
		name    string
		e       func(e *Exception)
		service string
		f       Finding
		now     time.Time
		want    bool
	}{
		{"approved, same values", nil, "checkout", f, excNow, true},
		{"another service", nil, "ledger", f, excNow, false},
		{"a changed value", nil, "checkout", changed, excNow, false},
		{"another resource", nil, "checkout", other, excNow, false},
		{"another rule", nil, "checkout", otherRule, excNow, false},
		{"expired", nil, "checkout", f, excNow.Add(30 * excDay), false},
		{"one second before expiry", nil, "checkout", f, excNow.Add(30*excDay - time.Second), true},
		{"pending", func(e *Exception) { e.Status = ExceptionPending }, "checkout", f, excNow, false},
		{"rejected", func(e *Exception) { e.Status = ExceptionRejected }, "checkout", f, excNow, false},
		{"revoked", func(e *Exception) { e.Status, e.RevokedAt = ExceptionRevoked, &revokedAt }, "checkout", f, excNow, false},
		{"no fingerprint", func(e *Exception) { e.Fingerprint = "" }, "checkout", f, excNow, false},
	}
	for _, tt := range tests {
		e := approvedFor(f)
		if tt.e != nil {
			tt.e(e)
		}
		if got := Covers(e, tt.service, &tt.f, tt.now); got != tt.want {
			t.Errorf("%s: Covers = %v, want %v", tt.name, got, tt.want)
		}
	}
	if Covers(nil, "checkout", &f, excNow) || Covers(approvedFor(f), "checkout", nil, excNow) {
		t.Error("Covers with nil is true")
	}
}

func TestExceptionState(t *testing.T) {
	e := approvedFor(dbFinding())
	for _, tt := range []struct {
		status ExceptionStatus
		now    time.Time
		want   ExceptionStatus
	}{
		{ExceptionApproved, excNow, ExceptionApproved},
		{ExceptionApproved, e.ExpiresAt, ExceptionExpired},
		{ExceptionPending, excNow, ExceptionPending},
		{ExceptionPending, e.ExpiresAt.Add(time.Hour), ExceptionExpired},
		{ExceptionRejected, e.ExpiresAt.Add(time.Hour), ExceptionRejected},
		{ExceptionRevoked, e.ExpiresAt.Add(time.Hour), ExceptionRevoked},
	} {
		e.Status = tt.status
		if got := e.State(tt.now); got != tt.want {
			t.Errorf("%s at %s: State = %s, want %s", tt.status, tt.now, got, tt.want)
		}
	}
}

func TestCanDecide(t *testing.T) {
	enablement := func(team string) bool { return team == "platform" || team == "security" }
	u := func(name string, roles []Role, teams ...string) *User {
		return &User{Name: name, Roles: roles, Teams: teams}
	}
	retired := u("old", []Role{RoleReviewer}, "platform")
	retired.RetiredAt = &excNow
	rita := u("rita", []Role{RoleReviewer}, "platform")
	tests := []struct {
		name     string
		u        *User
		security bool
		owner    string
		want     string
	}{
		{"reviewer in an enablement team", rita, false, "payments", ""},
		{"self-approval", u("bob", []Role{RoleReviewer, RoleDeveloper}, "platform"), false, "payments", EFORBIDDEN},
		{"member of the requesting team", u("pat", []Role{RoleReviewer}, "platform", "payments"), false, "payments", EFORBIDDEN},
		{"member of the owner team now", u("pat", []Role{RoleReviewer}, "platform", "search"), false, "search", EFORBIDDEN},
		{"not a reviewer", u("dev", []Role{RoleDeveloper}, "platform"), false, "payments", EFORBIDDEN},
		{"architect is not a reviewer", u("arc", []Role{RoleArchitect}, "platform"), false, "payments", EFORBIDDEN},
		{"reviewer in a product team only", u("pr", []Role{RoleReviewer}, "search"), false, "payments", EFORBIDDEN},
		{"security rule needs security", rita, true, "payments", EFORBIDDEN},
		{"security decides a security rule", u("sec", []Role{RoleSecurity}, "security"), true, "payments", ""},
		{"security alone does not decide other rules", u("sec", []Role{RoleSecurity}, "security"), false, "payments", EFORBIDDEN},
		{"admin in an enablement team", u("ada", []Role{RoleAdmin}, "platform"), true, "payments", ""},
		{"admin outside enablement teams", u("ada", []Role{RoleAdmin}), false, "payments", EFORBIDDEN},
		{"admin of the requesting team", u("ada", []Role{RoleAdmin}, "platform", "payments"), false, "payments", EFORBIDDEN},
		{"retired", retired, false, "payments", EFORBIDDEN},
		{"nobody", nil, false, "payments", EUNAUTHORIZED},
	}
	for _, tt := range tests {
		e := approvedFor(dbFinding())
		e.Status = ExceptionPending
		err := CanDecide(tt.u, e, DecideContext{Rule: Rule{ID: e.Rule, Security: tt.security}, Owner: tt.owner, Enablement: enablement})
		if ErrorCode(err) != tt.want {
			t.Errorf("%s: CanDecide = %v, want code %q", tt.name, err, tt.want)
		}
	}
	// The exception's own security mark counts as much as the rule's.
	e := approvedFor(dbFinding())
	e.Security = true
	if err := CanDecide(rita, e, DecideContext{Owner: "payments", Enablement: enablement}); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("a request marked security decided by a reviewer: %v", err)
	}
}

func TestCanBeDecided(t *testing.T) {
	e := approvedFor(dbFinding())
	for _, tt := range []struct {
		status ExceptionStatus
		now    time.Time
		want   string
	}{
		{ExceptionPending, excNow, ""},
		{ExceptionPending, e.ExpiresAt, ECONFLICT},
		{ExceptionApproved, excNow, ECONFLICT},
		{ExceptionApproved, e.ExpiresAt, ECONFLICT},
		{ExceptionRejected, excNow, ECONFLICT},
		{ExceptionRevoked, excNow, ECONFLICT},
	} {
		e.Status = tt.status
		if err := CanBeDecided(e, tt.now); ErrorCode(err) != tt.want {
			t.Errorf("%s at %s: CanBeDecided = %v, want %q", tt.status, tt.now, err, tt.want)
		}
	}
	for _, tt := range []struct {
		status ExceptionStatus
		now    time.Time
		want   string
	}{
		{ExceptionPending, excNow, ""},
		{ExceptionApproved, excNow, ""},
		{ExceptionApproved, e.ExpiresAt, ECONFLICT},
		{ExceptionRejected, excNow, ECONFLICT},
		{ExceptionRevoked, excNow, ECONFLICT},
	} {
		e.Status = tt.status
		if err := CanBeRevoked(e, tt.now); ErrorCode(err) != tt.want {
			t.Errorf("%s at %s: CanBeRevoked = %v, want %q", tt.status, tt.now, err, tt.want)
		}
	}
}

func TestValidateExpiry(t *testing.T) {
	max := 180 * excDay
	for _, tt := range []struct {
		name string
		exp  time.Time
		want string
	}{
		{"90 days", excNow.Add(90 * excDay), ""},
		{"exactly the maximum", excNow.Add(max), ""},
		{"a second beyond the maximum", excNow.Add(max + time.Second), EUNPROCESSABLE},
		{"a year", excNow.Add(365 * excDay), EUNPROCESSABLE},
		{"now", excNow, EINVALID},
		{"the past", excNow.Add(-excDay), EINVALID},
	} {
		if err := ValidateExpiry("expires", tt.exp, excNow, max); ErrorCode(err) != tt.want {
			t.Errorf("%s: ValidateExpiry = %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := ValidateExpiry("expires", excNow.Add(10000*excDay), excNow, 0); err != nil {
		t.Errorf("no maximum: %v", err)
	}
}

func TestParseDaysAndExpiry(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * excDay, true},
		{"90", 90 * excDay, true},
		{" 2W ", 14 * excDay, true},
		{"36h", 36 * time.Hour, true},
		{"0d", 0, false},
		{"-3d", 0, false},
		{"d", 0, false},
		{"1y", 0, false},
		{"99999999999999d", 0, false},
		{"", 0, false},
		{"-1h", 0, false},
	} {
		got, err := ParseDays(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDays(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"30d", excNow.Add(30 * excDay), true},
		{"2026-06-30", time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), true},
		{"2026-06-30T10:00:00+02:00", time.Date(2026, 6, 30, 8, 0, 0, 0, time.UTC), true},
		{"soon", time.Time{}, false},
	} {
		got, err := ParseExpiry(tt.in, excNow)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseExpiry(%q) = %v, %v; want %v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestExpiring(t *testing.T) {
	e := approvedFor(dbFinding()) // expires in 30 days
	notice := 14 * excDay
	if ExceptionExpiring(e, excNow, notice) {
		t.Error("30 days before expiry is not within a 14-excDay notice")
	}
	if !ExceptionExpiring(e, excNow.Add(16*excDay), notice) {
		t.Error("14 days before expiry is within the notice")
	}
	sent := excNow
	e.ExpiringNoticeAt = &sent
	if ExceptionExpiring(e, excNow.Add(16*excDay), notice) {
		t.Error("announced twice")
	}
	e.ExpiringNoticeAt = nil
	if ExceptionExpiring(e, e.ExpiresAt, notice) {
		t.Error("an expired exception is announced as expiring")
	}
}

func TestCover(t *testing.T) {
	f := dbFinding()
	warn := Finding{Rule: "tags", Severity: SeverityWarn, Resource: "x"}
	other := f
	other.Resource = "aws_db_instance.replica"
	other.Fingerprint = other.ComputeFingerprint()
	findings := []Finding{f, warn, other}

	approved := approvedFor(f)
	pending := approvedFor(other)
	pending.ID, pending.Status, pending.DecidedBy, pending.DecidedAt = 8, ExceptionPending, "", nil
	rejected := approvedFor(other)
	rejected.ID, rejected.Status, rejected.RequestedAt = 6, ExceptionRejected, excNow.Add(-5*excDay)

	got := CoverFindings("checkout", findings, []*Exception{approved, pending, rejected}, excNow)
	if len(got) != 2 {
		t.Fatalf("Cover = %+v: want the two deny findings", got)
	}
	if got[0].State != FindingCovered || got[0].Exception.ID != 7 || got[1].State != FindingPending || got[1].Exception.ID != 8 {
		t.Fatalf("Cover = %+v %+v", got[0], got[1])
	}
	c := NewExceptionCoverage(3, "checkout", got)
	if c.Passed || c.Pending != 1 {
		t.Fatalf("coverage = %+v: want not passed, one pending", c)
	}

	// The newest request decides between pending and rejected.
	got = CoverFindings("checkout", findings, []*Exception{approved, rejected}, excNow)
	if got[1].State != FindingRejected {
		t.Fatalf("only a rejected request: state %s", got[1].State)
	}
	// Once expired, the approval covers nothing.
	got = CoverFindings("checkout", findings, []*Exception{approved}, approved.ExpiresAt)
	if got[0].State != FindingUncovered || got[1].State != FindingUncovered {
		t.Fatalf("after expiry: %+v", got)
	}
	// Another service's exception never covers.
	got = CoverFindings("ledger", findings, []*Exception{approved}, excNow)
	if got[0].State != FindingUncovered {
		t.Fatalf("another service: %+v", got[0])
	}
	// Everything covered: passed.
	a2 := approvedFor(other)
	a2.ID = 9
	if c := NewExceptionCoverage(3, "checkout", CoverFindings("checkout", findings, []*Exception{approved, a2}, excNow)); !c.Passed {
		t.Fatalf("all covered, not passed: %+v", c)
	}
	if c := NewExceptionCoverage(3, "checkout", nil); !c.Passed || c.Findings == nil {
		t.Fatalf("no deny findings: %+v", c)
	}
}

func TestParseExceptionStatus(t *testing.T) {
	for _, s := range []string{"pending", "Approved", " expired "} {
		if _, err := ParseExceptionStatus(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := ParseExceptionStatus("open"); ErrorCode(err) != EINVALID {
		t.Errorf("open: %v", err)
	}
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"90d", "2w", "36h", "", "-1d", "1e9d", "9223372036854775807d", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDays(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ParseDays(%q): %v is not invalid input", s, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseDays(%q) = %v: not positive", s, d)
		}
		if _, err := ParseExpiry(s, excNow); err != nil {
			t.Fatalf("ParseExpiry(%q) refuses what ParseDays takes: %v", s, err)
		}
	})
}
