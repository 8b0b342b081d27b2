package ownership

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestEvaluateRow(t *testing.T) {
	rds := TableFor("aws_db_instance")
	aurora := TableFor("aws_rds_cluster")
	for _, tc := range []struct {
		name    string
		table   *Table
		concern string
		after   string
		state   paved.ConsiderationState
		detail  string
	}{
		{"backups on", rds, "backups", `{"backup_retention_period": 7}`, paved.StateEnabled, "enabled, 7 days"},
		{"backups off", rds, "backups", `{"backup_retention_period": 0}`, paved.StateNotEnabled, "NOT enabled: backup_retention_period = 0"},
		{"backups unknown", rds, "backups", `{}`, paved.StateUnknown, "the plan does not say: backup_retention_period known only after apply"},
		{"encryption off", rds, "encryption-at-rest", `{"storage_encrypted": false}`, paved.StateNotEnabled, "NOT enabled: storage_encrypted = false"},
		{"encryption null", rds, "encryption-at-rest", `{"storage_encrypted": null}`, paved.StateNotEnabled, "NOT enabled: storage_encrypted not set"},
		{"multi-az", rds, "high-availability", `{"multi_az": true}`, paved.StateEnabled, "enabled"},
		{"storage autoscaling", rds, "scaling", `{"max_allocated_storage": 500}`, paved.StateEnabled, "enabled, storage grows up to 500 GiB"},
		{"team row", rds, "encryption-in-transit", `{}`, paved.StateTeam, ""},
		{"vendor row with detail", aurora, "backups", `{"backup_retention_period": 14}`, paved.StateVendor, "14 days"},
		{"vendor row, value unknown", aurora, "backups", `{}`, paved.StateVendor, ""},
		{"global cluster", aurora, "disaster-recovery", `{"global_cluster_identifier": "shop-global"}`, paved.StateEnabled, "enabled, part of global cluster shop-global"},
		{"dynamodb pitr", TableFor("aws_dynamodb_table"), "point-in-time-restore", `{"point_in_time_recovery": [{"enabled": false}]}`, paved.StateNotEnabled, "NOT enabled: point_in_time_recovery.enabled = false"},
		{"dynamodb pitr block absent", TableFor("aws_dynamodb_table"), "point-in-time-restore", `{"point_in_time_recovery": []}`, paved.StateNotEnabled, "NOT enabled: point_in_time_recovery.enabled not set"},
		{"cloud sql regional", TableFor("google_sql_database_instance"), "high-availability", `{"settings": [{"availability_type": "ZONAL"}]}`, paved.StateNotEnabled, `NOT enabled: settings.availability_type = "ZONAL"`},
		{"gke channel", TableFor("google_container_cluster"), "patching-managed-services", `{"release_channel": [{"channel": "REGULAR"}], "enable_autopilot": null}`, paved.StateEnabled, "enabled, release channel REGULAR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := tc.table.Row(tc.concern)
			c := EvaluateRow(tc.table, row, &paved.CheckResource{Address: "x.y", Type: tc.table.Type, After: attrs(t, tc.after)})
			if c.State != tc.state || c.Detail != tc.detail {
				t.Errorf("state %s detail %q, want %s %q", c.State, c.Detail, tc.state, tc.detail)
			}
			if c.Source != row.Source || c.Coverage != row.CoveredBy {
				t.Errorf("source/coverage not carried: %+v", c)
			}
		})
	}
	if c := EvaluateRow(TableFor("aws_sqs_queue"), TableFor("aws_sqs_queue").Row("backups"), &paved.CheckResource{}); c != nil {
		t.Errorf("a not-applicable row gives %+v", c)
	}
}

func TestEvaluate(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rs := &paved.CheckResources{Service: "fraud-scoring", CheckID: 12, At: at, Resources: []*paved.CheckResource{
		{Address: "aws_db_instance.main", Type: "aws_db_instance", Action: "create", After: map[string]any{
			"backup_retention_period": 7.0, "storage_encrypted": false, "multi_az": true, "auto_minor_version_upgrade": true, "max_allocated_storage": 0.0}},
		{Address: "aws_db_instance.old", Type: "aws_db_instance", Action: "delete"},
		{Address: "aws_iam_role.x", Type: "aws_iam_role", Action: "create", After: map[string]any{}},
	}}
	svc := &paved.Service{Name: "fraud-scoring", Owner: "payments"}
	m := MustDefault()
	cs := Evaluate(svc, rs, m, NewTeams(orgTeams()))
	var lines []string
	for _, c := range cs {
		if c.Resource != "aws_db_instance.main" || c.Check != 12 || !c.AsOf.Equal(at) {
			t.Errorf("consideration %+v", c)
		}
		lines = append(lines, string(c.State)+" "+c.Owner+" | "+Sentence(c))
	}
	want := `enabled payments | Amazon RDS DB instance high availability: vendor once multi_az = true; here enabled
team payments | Amazon RDS DB instance disaster recovery: payments's
enabled payments | Amazon RDS DB instance backups: vendor once backup_retention_period > 0; here enabled, 7 days
enabled payments | Amazon RDS DB instance point-in-time restore: vendor once backup_retention_period > 0; here enabled, to any second of the last 7 days
not-enabled payments | Amazon RDS DB instance encryption at rest: vendor once storage_encrypted = true; here NOT enabled: storage_encrypted = false
team payments | Amazon RDS DB instance encryption in transit: payments's
enabled payments | Amazon RDS DB instance patching: vendor once auto_minor_version_upgrade = true; here enabled
not-enabled payments | Amazon RDS DB instance scaling: vendor once max_allocated_storage > 0; here NOT enabled: max_allocated_storage = 0
team payments | Amazon RDS DB instance monitoring: payments's`
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// A map that gives backups to the reliability team and none to scaling.
	eff, _ := Apply(m, []*paved.OwnershipEdit{{Concern: "backups", Owner: "reliability"}, {Concern: "scaling", Owner: ""}})
	for _, c := range Evaluate(svc, rs, eff, NewTeams(orgTeams())) {
		switch c.Concern {
		case "backups":
			if c.Owner != "sre" {
				t.Errorf("backups owner %q, want sre (the reliability team)", c.Owner)
			}
		case "scaling":
			if c.Owner != "" {
				t.Errorf("scaling owner %q, want none", c.Owner)
			}
		}
	}
	if Evaluate(svc, nil, m, nil) != nil {
		t.Error("no resources, no considerations")
	}
}

func TestGaps(t *testing.T) {
	m, _ := Apply(MustDefault(), []*paved.OwnershipEdit{{Concern: "scaling", Owner: ""}, {Concern: "siem", Owner: "nobody"}})
	teams := NewTeams(orgTeams())
	mk := func(name, owner string, after map[string]any) ServiceConsiderations {
		svc := &paved.Service{Name: name, Owner: owner}
		rs := &paved.CheckResources{Resources: []*paved.CheckResource{{Address: "aws_db_instance.db", Type: "aws_db_instance", After: after}}}
		return ServiceConsiderations{Service: svc, Considerations: Evaluate(svc, rs, m, teams)}
	}
	g := Gaps(m, teams, []ServiceConsiderations{
		mk("ok-service", "payments", map[string]any{"backup_retention_period": 7.0, "storage_encrypted": true, "multi_az": true, "auto_minor_version_upgrade": true, "max_allocated_storage": 100.0}),
		mk("weak-service", "search", map[string]any{"backup_retention_period": 0.0, "storage_encrypted": true, "multi_az": false, "auto_minor_version_upgrade": true, "max_allocated_storage": 0.0}),
	})
	var un []string
	for _, u := range g.Unowned {
		un = append(un, u.Concern+" ("+u.Reason+") "+strings.Join(u.Services, ","))
	}
	wantUn := `siem (the owner does not resolve: team "nobody" is not in the catalog: name a catalog team (paved team list), a team kind that exactly one team has, or product-team) 
scaling (no owner in the ownership map) ok-service,weak-service`
	if got := strings.Join(un, "\n"); got != wantUn {
		t.Errorf("unowned:\n%s\nwant\n%s", got, wantUn)
	}
	if len(g.Services) != 1 || g.Services[0].Service != "weak-service" || g.Services[0].Team != "search" {
		t.Fatalf("services: %+v", g.Services)
	}
	var open []string
	for _, c := range g.Services[0].Considerations {
		open = append(open, c.Concern+":"+c.Owner)
	}
	// scaling is not enabled either, but no team owns it: it is in Unowned.
	if got := strings.Join(open, " "); got != "high-availability:search backups:search point-in-time-restore:search" {
		t.Errorf("open considerations: %s", got)
	}
	if g.Checked != 2 {
		t.Errorf("checked %d", g.Checked)
	}
	// A concern the map does not have at all.
	small, err := Parse("small.yaml", []byte("version: 1\nlayers:\n  - id: data\n    concerns:\n      - id: backups\n        owner: product-team\n"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &paved.Service{Name: "s", Owner: "payments"}
	rs := &paved.CheckResources{Resources: []*paved.CheckResource{{Address: "a", Type: "aws_db_instance", After: map[string]any{"backup_retention_period": 0.0, "storage_encrypted": false}}}}
	g = Gaps(small, teams, []ServiceConsiderations{{Service: svc, Considerations: Evaluate(svc, rs, small, teams)}})
	var missing []string
	for _, u := range g.Unowned {
		missing = append(missing, u.Concern)
	}
	if got := strings.Join(missing, " "); !strings.Contains(got, "encryption-at-rest") || strings.Contains(got, "backups") {
		t.Errorf("missing concerns: %s", got)
	}
}
