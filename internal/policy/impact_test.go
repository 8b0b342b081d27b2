package policy

import (
	"context"
	"reflect"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

func TestRecordedDocuments(t *testing.T) {
	docs := RecordedDocuments([]*paved.CheckResource{
		{Address: `module.db.aws_db_instance.main["a"]`, Type: "aws_db_instance", Action: "replace", After: map[string]any{"x": 1.0}},
		{Address: "Deployment/shop/web", Type: "Deployment", Action: "apply"},
		{Address: "Namespace/shop", Type: "Namespace"},
		nil,
		{Address: "", Type: "aws_s3_bucket"},
	})
	if len(docs) != 2 || docs[0].Kind != iac.KindTerraformPlan || docs[1].Kind != iac.KindKubernetes {
		t.Fatalf("docs = %+v", docs)
	}
	tf := docs[0].Resources[0]
	if tf.Name != "main" || tf.Provider != "aws" || tf.Source != "terraform" || tf.Mode != "managed" || !reflect.DeepEqual(tf.Actions, []string{"delete", "create"}) {
		t.Fatalf("terraform resource = %+v", tf)
	}
	if k := docs[1].Resources; len(k) != 2 || k[0].Name != "web" || k[0].Source != "kubernetes" || k[1].Action != "apply" {
		t.Fatalf("kubernetes resources = %+v %+v", k[0], k[1])
	}
}

func TestCheckRecordedMatchesCheck(t *testing.T) {
	e := newTestEngine(t, Options{})
	r := ebs("aws_ebs_volume.v", false)
	want, err := e.Check(context.Background(), []*iac.Document{tfDoc(RecordedInput, r)}, paved.ServiceContext{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.CheckRecorded(context.Background(), &paved.CheckResources{Resources: []*paved.CheckResource{
		{Address: r.Address, Type: r.Type, Action: "create", After: r.After, Tags: r.Tags},
	}}, paved.ServiceContext{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded findings\n%+v\nwant the check's\n%+v", got, want)
	}
}

func TestDiffFindings(t *testing.T) {
	f := func(rule, res, path string, sev paved.Severity, msg string) paved.Finding {
		return paved.Finding{Rule: rule, Resource: res, Path: path, Severity: sev, Message: msg}
	}
	before := []paved.Finding{
		f("a", "r1", "p", paved.SeverityDeny, "same"),
		f("b", "r1", "", paved.SeverityDeny, "gone"),
		f("c", "r2", "", paved.SeverityDeny, "was deny"),
		f("d", "r2", "x", paved.SeverityWarn, "old text"),
		f("e", "r3", "", paved.SeverityWarn, "twice"),
		f("e", "r3", "", paved.SeverityWarn, "twice"),
	}
	after := []paved.Finding{
		f("a", "r1", "p", paved.SeverityDeny, "same"),
		f("c", "r2", "", paved.SeverityWarn, "was deny"),
		f("d", "r2", "x", paved.SeverityWarn, "new text"),
		f("e", "r3", "", paved.SeverityWarn, "twice"),
		f("n", "r1", "", paved.SeverityDeny, "new"),
	}
	got := DiffFindings(before, after)
	type c struct{ change, rule, res string }
	var short []c
	for _, x := range got {
		short = append(short, c{x.Change, x.Rule, x.Resource})
	}
	want := []c{{paved.FindingDisappears, "b", "r1"}, {paved.FindingAppears, "n", "r1"}, {paved.FindingChanges, "c", "r2"}, {paved.FindingChanges, "d", "r2"}, {paved.FindingDisappears, "e", "r3"}}
	if !reflect.DeepEqual(short, want) {
		t.Fatalf("diff = %+v\nwant %+v", short, want)
	}
	if got[2].Before.Severity != paved.SeverityDeny || got[2].After.Severity != paved.SeverityWarn || got[3].After.Message != "new text" {
		t.Fatalf("changes = %+v %+v", got[2], got[3])
	}
	if len(DiffFindings(before, before)) != 0 || len(DiffFindings(nil, nil)) != 0 {
		t.Fatal("a set against itself is not empty")
	}
}

func TestDiffRulesAndCampaigns(t *testing.T) {
	now := time.Date(2029, 12, 1, 0, 0, 0, 0, time.UTC)
	prev := newTestEngine(t, Options{Now: func() time.Time { return now }})
	next := newTestEngine(t, Options{Now: func() time.Time { return now }, Config: Config{
		Rules:    map[string]RuleConfig{"test-ebs-encrypted": {EnforceFrom: "2030-06-01"}},
		Disabled: []string{"test-required-tags"},
	}})
	changes := map[string]string{}
	for _, c := range DiffRules(prev, next) {
		changes[c.Rule+" "+c.Change] = c.Before + ">" + c.After
	}
	if changes["test-ebs-encrypted enforce_from"] != "2030-01-01>2030-06-01" || changes["test-required-tags disabled"] != ">" {
		t.Fatalf("rule changes = %v", changes)
	}
	// A campaign until its day, enforced from it (UTC days).
	for _, c := range []struct {
		at       time.Time
		enforced bool
		left     int
	}{
		{time.Date(2030, 5, 31, 23, 59, 0, 0, time.UTC), false, 1},
		{time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC), true, 0},
		{time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC), false, 31},
	} {
		cs := next.Campaigns(c.at)
		if len(cs) != 1 || cs[0].Rule.ID != "test-ebs-encrypted" || cs[0].Enforced != c.enforced || cs[0].DaysLeft != c.left {
			t.Fatalf("at %s: %+v", c.at, cs)
		}
	}
	// A disabled rule or one overridden to warn is no campaign.
	warn := newTestEngine(t, Options{Config: Config{Rules: map[string]RuleConfig{"test-ebs-encrypted": {Severity: paved.SeverityWarn}}}})
	if cs := warn.Campaigns(now); len(cs) != 0 {
		t.Fatalf("warn rule as a campaign: %+v", cs)
	}
}
