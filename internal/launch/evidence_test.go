package launch

import (
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestEvidenceFor(t *testing.T) {
	checkAt := now.Add(-3*24*time.Hour - time.Hour)
	check := func(findings ...paved.Finding) *paved.CheckRecord {
		return &paved.CheckRecord{ID: 12, Commit: "abc123def456", At: checkAt, RecordedBy: ciRecorder,
			ResourceTypes: map[string]int{"aws_db_instance": 2},
			Rules:         []string{"rds-encryption-at-rest", "rds-multi-az"}, Findings: findings}
	}
	rdsRules := &paved.EvidenceRule{Source: SourceCheckRules, Rules: []string{"rds-encryption-at-rest"}}
	ciOnly := &paved.EvidenceRule{Source: SourceCheckRules, Rules: []string{"rds-encryption-at-rest"}, Sources: []paved.CheckSource{paved.SourceCI}}
	tests := []struct {
		name   string
		rule   *paved.EvidenceRule
		change func(l *paved.Launch)
		want   Evidence
	}{
		{"link by type", &paved.EvidenceRule{Source: SourceCatalogLink, Value: "Runbook"}, nil,
			Evidence{Source: "catalog link Runbook", Satisfied: true, Detail: "Runbook link https://runbooks.example.com/payments in the catalog", AsOf: t0}},
		{"link by title", &paved.EvidenceRule{Source: SourceCatalogLink, Value: "on-call"}, nil,
			Evidence{Source: "catalog link on-call", Satisfied: true, Detail: "on-call link https://oncall.example.com/payments in the catalog", AsOf: t0}},
		{"link missing", &paved.EvidenceRule{Source: SourceCatalogLink, Value: "dashboard"}, nil,
			Evidence{Source: "catalog link dashboard", Detail: "no dashboard link in the catalog: add one (type dashboard) to the service's links", AsOf: t0}},
		{"annotation set", &paved.EvidenceRule{Source: SourceCatalogField, Value: "pagerduty.com/service-id"}, func(l *paved.Launch) {
			l.Service.Annotations = map[string]string{"pagerduty.com/service-id": "P123"}
		}, Evidence{Source: "catalog field pagerduty.com/service-id", Satisfied: true, Detail: "annotation pagerduty.com/service-id = P123 in the catalog", AsOf: t0}},
		{"annotation blank", &paved.EvidenceRule{Source: SourceCatalogField, Value: "pagerduty.com/service-id"}, func(l *paved.Launch) {
			l.Service.Annotations = map[string]string{"pagerduty.com/service-id": " "}
		}, Evidence{Source: "catalog field pagerduty.com/service-id", Detail: "annotation pagerduty.com/service-id is not set in the catalog: add it to the service's annotations", AsOf: t0}},
		{"check passed", rdsRules, func(l *paved.Launch) { l.LatestCheck = check() },
			Evidence{Source: "check #12 (commit abc123d)", Satisfied: true, Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest passed on 2 resources", AsOf: checkAt}},
		{"check denied", rdsRules, func(l *paved.Launch) {
			l.LatestCheck = check(paved.Finding{Rule: "rds-encryption-at-rest", Severity: paved.SeverityDeny, Resource: "aws_db_instance.a"},
				paved.Finding{Rule: "rds-encryption-at-rest", Severity: paved.SeverityDeny, Resource: "aws_db_instance.b"},
				paved.Finding{Rule: "rds-multi-az", Severity: paved.SeverityDeny, Resource: "aws_db_instance.a"})
		}, Evidence{Source: "check #12 (commit abc123d)", Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest denied aws_db_instance.a, aws_db_instance.b", AsOf: checkAt}},
		{"rule did not run", &paved.EvidenceRule{Source: SourceCheckRules, Rules: []string{"rds-backup-retention"}}, func(l *paved.Launch) { l.LatestCheck = check() },
			Evidence{Source: "check #12 (commit abc123d)", Detail: "check #12 on commit abc123d, 3 days old: rds-backup-retention did not run (is the rule disabled in the platform config?)", AsOf: checkAt}},
		{"no resources", rdsRules, func(l *paved.Launch) {
			c := check()
			c.ResourceTypes = nil
			c.Commit = ""
			c.At = now.Add(-time.Hour)
			l.LatestCheck = c
		},
			Evidence{Source: "check #12", Detail: "check #12, less than a day old: no resources were evaluated, so rds-encryption-at-rest showed nothing", AsOf: now.Add(-time.Hour)}},
		{"no check", rdsRules, func(l *paved.Launch) { l.LatestCheck = nil },
			Evidence{Source: "guard-rail check", Detail: "no guard-rail check recorded for the service: run `paved check --server` in CI (with the job's ID token: docs/ci.md)"}},
		// Whose checks count (issue 16): a template may require CI.
		{"a person's check where CI is required", ciOnly, func(l *paved.Launch) { l.LatestCheck = check(); l.LatestCheck.RecordedBy = "dev" },
			Evidence{Source: "check #12 (commit abc123d)", Detail: "check #12 on commit abc123d, 3 days old: recorded by dev, but guard-rail evidence for this item must come from CI (a check that `paved check --server` records with the job's ID token, docs/ci.md): a person can send any findings", AsOf: checkAt}},
		{"CI's check where CI is required", ciOnly, func(l *paved.Launch) {
			l.LatestCheck = check()
			l.LatestCheck.RecordedBy = "ci:gh/acme/payments@abc123def456"
		},
			Evidence{Source: "check #12 (commit abc123d)", Satisfied: true, Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest passed on 2 resources", AsOf: checkAt}},
		{"the latest CI check behind a person's", ciOnly, func(l *paved.Launch) {
			l.LatestCheck = check()
			l.LatestCheck.ID, l.LatestCheck.RecordedBy = 13, "dev"
			l.LatestCICheck = check()
			l.LatestCICheck.RecordedBy = "ci:gh/acme/payments@abc123def456"
		}, Evidence{Source: "check #12 (commit abc123d)", Satisfied: true, Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest passed on 2 resources", AsOf: checkAt}},
		{"a person's check where people count", &paved.EvidenceRule{Source: SourceCheckRules, Rules: []string{"rds-encryption-at-rest"}, Sources: []paved.CheckSource{paved.SourcePerson}},
			func(l *paved.Launch) { l.LatestCheck = check(); l.LatestCheck.RecordedBy = "dev" },
			Evidence{Source: "check #12 (commit abc123d)", Satisfied: true, Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest passed on 2 resources", AsOf: checkAt}},
		// The default (paved.DefaultCheckSources): CI only for tiers 1-2.
		{"a person's check on a tier 2 service by default", rdsRules, func(l *paved.Launch) { l.LatestCheck = check(); l.LatestCheck.RecordedBy = "dev" },
			Evidence{Source: "check #12 (commit abc123d)", Detail: "check #12 on commit abc123d, 3 days old: recorded by dev, but guard-rail evidence for a tier 2 service must come from CI (a check that `paved check --server` records with the job's ID token, docs/ci.md): a person can send any findings", AsOf: checkAt}},
		{"a person's check before recorders were kept reads as its actor", rdsRules, func(l *paved.Launch) {
			l.LatestCheck = check()
			l.LatestCheck.RecordedBy, l.LatestCheck.Actor = "", "dev"
		}, Evidence{Source: "check #12 (commit abc123d)", Detail: "check #12 on commit abc123d, 3 days old: recorded by dev, but guard-rail evidence for a tier 2 service must come from CI (a check that `paved check --server` records with the job's ID token, docs/ci.md): a person can send any findings", AsOf: checkAt}},
		{"a person's check on a tier 3 service by default", rdsRules, func(l *paved.Launch) {
			l.Service.Tier = 3
			l.LatestCheck = check()
			l.LatestCheck.RecordedBy = "dev"
		}, Evidence{Source: "check #12 (commit abc123d)", Satisfied: true, Detail: "check #12 on commit abc123d, 3 days old: rds-encryption-at-rest passed on 2 resources", AsOf: checkAt}},
		{"no check where CI is required", ciOnly, func(l *paved.Launch) { l.LatestCheck = nil },
			Evidence{Source: "guard-rail check", Detail: "no guard-rail check recorded for the service: run `paved check --server` in CI (with the job's ID token: docs/ci.md)"}},
		{"load profile", &paved.EvidenceRule{Source: SourceAssessment, Value: "load"}, nil,
			Evidence{Source: "load profile #2", Satisfied: true, Detail: "load profile #2 recorded by dev on 2026-03-02, 11 days old: tested 300 rps against an expected peak of 200 rps, p99 120 ms", AsOf: t0}},
		{"security assessment", &paved.EvidenceRule{Source: SourceAssessment, Value: "security"}, nil,
			Evidence{Source: "security assessment #1", Satisfied: true, Detail: "security assessment #1 recorded by sam on 2026-03-02, 11 days old: risk medium", AsOf: t0}},
		{"assessment missing", &paved.EvidenceRule{Source: SourceAssessment, Value: "security"}, func(l *paved.Launch) { l.Assessments = nil },
			Evidence{Source: "security assessment", Detail: "no security assessment recorded yet"}},
		{"unknown assessment kind", &paved.EvidenceRule{Source: SourceAssessment, Value: "audit"}, nil,
			Evidence{Source: "assessment audit", Detail: `unknown assessment kind "audit" in the template: want security or load`}},
		{"unknown source", &paved.EvidenceRule{Source: "magic"}, nil,
			Evidence{Source: "magic", Detail: `unknown evidence source "magic" in the template: want catalog-link, catalog-field, check-rules, assessment or fact`}},
	}
	for _, tt := range tests {
		l := readyLaunch()
		if tt.change != nil {
			tt.change(l)
		}
		got := EvidenceFor(tt.rule, l, now)
		if got == nil || *got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	if EvidenceFor(nil, readyLaunch(), now) != nil {
		t.Error("nil rule: want nil evidence")
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "less than a day old"},
		{23 * time.Hour, "less than a day old"},
		{25 * time.Hour, "1 day old"},
		{72 * time.Hour, "3 days old"},
	}
	for _, tt := range tests {
		if got := age(now.Add(-tt.d), now); got != tt.want {
			t.Errorf("age(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := age(time.Time{}, now); got != "of unknown age" {
		t.Errorf("zero time: %q", got)
	}
}
