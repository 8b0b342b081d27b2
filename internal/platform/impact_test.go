package platform

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

const ownerTagRule = `# METADATA
# title: Resources carry an owner tag
# custom:
#   id: require-owner-tag
#   severity: deny
#   resource_types: [aws_s3_bucket, aws_db_instance]
package paved.rules.require_owner_tag

import data.paved.lib

deny contains f if {
	some r in lib.candidates(["aws_s3_bucket", "aws_db_instance"])
	not r.tags.owner
	lib.judged(r)
	f := lib.finding(r, sprintf("%s has no owner tag", [r.address]), "tags", null)
}
`

// impactConfigs writes the config in force and a proposed one: the
// proposal raises the database memory ceiling, turns unencrypted storage
// into a warning and adds a rule that wants an owner tag.
func impactConfigs(t *testing.T) (current, proposed *Snapshot) {
	t.Helper()
	cur := t.TempDir()
	writeFile(t, cur, "paved.yaml", "organisation:\n  name: Example\n")
	next := t.TempDir()
	writeFile(t, next, "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    db-memory-ceiling:\n      params: {max_memory_gib: 8192}\n    db-storage-encrypted:\n      severity: warn\n")
	writeFile(t, next, "policies/owner.rego", ownerTagRule)
	var err error
	current, err = Load(cur, Options{})
	must(t, err)
	proposed, err = Load(next, Options{})
	must(t, err)
	return current, proposed
}

func TestImpactAgainstStoredChecks(t *testing.T) {
	current, proposed := impactConfigs(t)
	forEachStore(t, func(t *testing.T, db *store.DB) {
		checks := seedChecks(t, db)
		pending := exceptionFor(t, db, current, checks["cart"], "db-memory-ceiling", "aws_db_instance.main", false)
		approved := exceptionFor(t, db, current, checks["ledger"], "db-storage-encrypted", "aws_db_instance.db", true)
		// An exception the proposal leaves needed: web's bucket has no
		// finding of its own to lose, so take one the rules still deny.
		rep, err := Impact(context.Background(), db, current, proposed, testClock)
		must(t, err)
		if rep.Services != 3 || rep.WithoutCheck != 1 {
			t.Fatalf("services %d, without check %d; want 3 and 1", rep.Services, rep.WithoutCheck)
		}
		if len(rep.Teams) != 1 || rep.Teams[0].Team != "checkout" {
			t.Fatalf("teams = %+v, want checkout only (web's findings do not change)", rep.Teams)
		}
		byService := map[string]*paved.ServiceImpact{}
		for _, s := range rep.Teams[0].Services {
			byService[s.Service] = s
		}
		type change struct{ change, rule, res string }
		has := func(s *paved.ServiceImpact, want change) *paved.FindingChange {
			for i, c := range s.Changes {
				if c.Change == want.change && c.Rule == want.rule && c.Resource == want.res {
					return &s.Changes[i]
				}
			}
			t.Fatalf("%s: no %+v in %+v", s.Service, want, s.Changes)
			return nil
		}
		cart, ledger := byService["cart"], byService["ledger"]
		if cart == nil || ledger == nil {
			t.Fatalf("services = %+v", byService)
		}
		has(cart, change{paved.FindingDisappears, "db-memory-ceiling", "aws_db_instance.main"})
		if c := has(cart, change{paved.FindingAppears, "require-owner-tag", "aws_s3_bucket.logs"}); c.After.Severity != paved.SeverityDeny {
			t.Fatalf("new rule's finding = %+v", c.After)
		}
		has(cart, change{paved.FindingAppears, "require-owner-tag", "aws_db_instance.main"})
		if c := has(ledger, change{paved.FindingChanges, "db-storage-encrypted", "aws_db_instance.db"}); c.Before.Severity != paved.SeverityDeny || c.After.Severity != paved.SeverityWarn {
			t.Fatalf("severity change = %+v -> %+v", c.Before, c.After)
		}
		if len(cart.Changes) != 3 || len(ledger.Changes) != 1 {
			t.Fatalf("changes: cart %+v, ledger %+v", cart.Changes, ledger.Changes)
		}
		if len(cart.Exceptions) != 1 || cart.Exceptions[0].ID != pending.ID || cart.Exceptions[0].Status != paved.ExceptionPending ||
			cart.Exceptions[0].Why != "the finding would no longer be reported" {
			t.Fatalf("cart exceptions = %+v", cart.Exceptions)
		}
		if len(ledger.Exceptions) != 1 || ledger.Exceptions[0].ID != approved.ID || ledger.Exceptions[0].Status != paved.ExceptionApproved ||
			ledger.Exceptions[0].Why != "the finding would be a warning" {
			t.Fatalf("ledger exceptions = %+v", ledger.Exceptions)
		}
		want := paved.ImpactSummary{Appear: 2, Disappear: 1, Change: 1, NewDeny: 2, Unnecessary: 2, Services: 2}
		if rep.Summary != want || rep.Teams[0].Summary != want {
			t.Fatalf("summary = %+v, team %+v, want %+v", rep.Summary, rep.Teams[0].Summary, want)
		}
		rules := map[string]string{}
		for _, c := range rep.Rules {
			rules[c.Rule] = c.Change
		}
		if rules["require-owner-tag"] != "added" || rules["db-storage-encrypted"] != "severity" || len(rules) != 2 {
			t.Fatalf("rule changes = %+v", rep.Rules)
		}

		// The same config on both sides changes nothing.
		same, err := Impact(context.Background(), db, current, current, testClock)
		must(t, err)
		if len(same.Teams) != 0 || same.Summary != (paved.ImpactSummary{}) {
			t.Fatalf("a config against itself: %+v", same)
		}

		// The Markdown fits a pull-request comment; both engines write
		// the same bytes.
		var md bytes.Buffer
		must(t, WriteImpactMarkdown(&md, rep))
		out := strings.ReplaceAll(md.String(), rep.Current, "CURRENT")
		out = strings.ReplaceAll(out, rep.Proposed, "PROPOSED")
		testutil.Golden(t, filepath.Join("testdata", "impact.md"), []byte(out))
		var txt bytes.Buffer
		must(t, WriteImpactText(&txt, rep))
		for _, w := range []string{"Team checkout", "cart (check #1, 2029-12-01)", "exception #1 (pending, db-memory-ceiling aws_db_instance.main) would become unnecessary"} {
			if !strings.Contains(txt.String(), w) {
				t.Errorf("text report lacks %q:\n%s", w, txt.String())
			}
		}
	})
}

func TestImpactMarkdownStaysInAComment(t *testing.T) {
	rep := &paved.ImpactReport{Current: "a", Proposed: "b", Services: 400}
	for i := 0; i < 400; i++ {
		si := &paved.ServiceImpact{Service: strings.Repeat("s", 40) + string(rune('a'+i%26)), Team: "team"}
		for j := 0; j < 60; j++ {
			si.Changes = append(si.Changes, paved.FindingChange{Change: paved.FindingAppears, Rule: "rule-x", Resource: strings.Repeat("r", 80),
				After: &paved.FindingSide{Severity: paved.SeverityDeny, Message: strings.Repeat("m|<b>", 30)}})
		}
		rep.Teams = append(rep.Teams, &paved.TeamImpact{Team: "team-" + string(rune('a'+i%26)) + strings.Repeat("x", i%7), Services: []*paved.ServiceImpact{si}})
	}
	var md bytes.Buffer
	must(t, WriteImpactMarkdown(&md, rep))
	if md.Len() > MaxMarkdownBytes+2000 {
		t.Fatalf("markdown is %d bytes", md.Len())
	}
	if !strings.Contains(md.String(), "more teams are left out") || strings.Contains(md.String(), "m|<b>") {
		t.Fatalf("markdown does not say what it left out, or lets HTML through:\n%s", md.String()[:2000])
	}
}
