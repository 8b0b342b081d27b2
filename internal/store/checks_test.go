package store

import (
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestChecks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		launchSeed(t, e)
		ci := as("ci-bot")

		none, err := e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if none != nil {
			t.Fatalf("LatestCheck with none recorded = %s", jsonOf(none))
		}

		c1 := &paved.CheckRecord{Service: "ledger", Commit: "abc123", Branch: "main", PullRequest: "https://git/pr/7",
			RunURL: "https://ci/run/9", ConfigVersion: "cfg-1", ResourceTypes: map[string]int{"aws_db_instance": 2, "aws_s3_bucket": 1},
			Rules: []string{"rds-encryption-at-rest", "rds-multi-az"},
			Findings: []paved.Finding{
				{Rule: "rds-multi-az", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main", ResourceType: "aws_db_instance",
					Message: "not multi-AZ", Path: "multi_az", Value: false, Fingerprint: "f1"},
				{Rule: "rds-password", Severity: paved.SeverityWarn, Resource: "aws_db_instance.main", Message: "password in plan",
					Path: "password", Value: paved.SensitiveValue, Fingerprint: "f2"},
			}}
		must(t, e.db.RecordCheck(ci, c1))
		if c1.ID == 0 || c1.Actor != "ci-bot" || !c1.At.Equal(e.clock.Now()) {
			t.Fatalf("recorded = %s", jsonOf(c1))
		}
		ev := lastEvent(t, e)
		if ev.Action != "check.record" || ev.ObjectType != "check" || string(ev.Changes["deny"].To) != "1" ||
			string(ev.Changes["warn"].To) != "1" || string(ev.Changes["resources"].To) != "3" || string(ev.Changes["service"].To) != `"ledger"` {
			t.Fatalf("check event = %+v", ev)
		}
		// The audit event carries counts, never a finding or its value.
		if b := string(ev.ChangesJSON()); strings.Contains(b, "password") || strings.Contains(b, "multi_az") {
			t.Fatalf("check event leaks findings: %s", b)
		}

		got, err := e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if !reflect.DeepEqual(got, c1) {
			t.Fatalf("LatestCheck =\n%s\nwant\n%s", jsonOf(got), jsonOf(c1))
		}
		if got.Findings[1].Value != paved.SensitiveValue {
			t.Fatalf("sensitive mask not kept: %v", got.Findings[1].Value)
		}

		// A newer check wins; at the same instant the later one does.
		e.clock.Advance(time.Minute)
		c2 := &paved.CheckRecord{Service: "ledger", Commit: "def456"}
		must(t, e.db.RecordCheck(ci, c2))
		c3 := &paved.CheckRecord{Service: "ledger", Commit: "fed789", Actor: "explicit"}
		must(t, e.db.RecordCheck(ci, c3))
		got, err = e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if !reflect.DeepEqual(got, c3) || got.Actor != "explicit" || got.ResourceTypes == nil || got.Rules == nil || got.Findings == nil {
			t.Fatalf("LatestCheck = %s, want %s", jsonOf(got), jsonOf(c3))
		}
		// Another service's checks do not count.
		e.clock.Advance(time.Minute)
		must(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "finder", Commit: "zzz"}))
		got, err = e.db.LatestCheck(e.ctx, "ledger")
		must(t, err)
		if got.Commit != "fed789" {
			t.Fatalf("LatestCheck of ledger = %s", got.Commit)
		}
		l, err := e.db.FindLaunch(e.ctx, "ledger")
		must(t, err)
		if !reflect.DeepEqual(l.LatestCheck, c3) {
			t.Fatalf("launch latest check = %s", jsonOf(l.LatestCheck))
		}

		_, err = e.db.LatestCheck(e.ctx, "nope")
		wantErr(t, err, paved.ENOTFOUND, "")
		wantErr(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "nope"}), paved.ENOTFOUND, "")
		wantErr(t, e.db.RecordCheck(ci, nil), paved.EINVALID, "")
		wantErr(t, e.db.RecordCheck(ci, &paved.CheckRecord{Service: "ledger", ResourceTypes: map[string]int{"x": -1}}), paved.EINVALID, "resource_types.x")
		verifyChain(t, e)
	})
}
