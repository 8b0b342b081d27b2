package launch_test

import (
	"context"
	"errors"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
)

func TestConsiderationEvidence(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		state     paved.ConsiderationState
		detail    string
		nilEv     bool
		satisfied bool
		wantDet   string
	}{
		{paved.StateEnabled, "enabled, 7 days", false, true, "enabled, 7 days"},
		{paved.StateNotEnabled, "NOT enabled: storage_encrypted = false", false, false, "NOT enabled: storage_encrypted = false"},
		{paved.StateUnknown, "the plan does not say", false, false, "the plan does not say"},
		{paved.StateVendor, "", false, true, "covered by the vendor"},
		{paved.StateVendor, "14 days", false, true, "covered by the vendor: 14 days"},
		{paved.StateTeam, "", true, false, ""},
	} {
		ev := launch.ConsiderationEvidence(&paved.Consideration{State: tc.state, Detail: tc.detail, Check: 4, Resource: "aws_db_instance.db", AsOf: at})
		if tc.nilEv {
			if ev != nil {
				t.Errorf("%s: evidence %+v, want none", tc.state, ev)
			}
			continue
		}
		if ev == nil || ev.Satisfied != tc.satisfied || ev.Detail != tc.wantDet || ev.Source != "check #4, aws_db_instance.db" || !ev.AsOf.Equal(at) {
			t.Errorf("%s: %+v", tc.state, ev)
		}
	}
	if launch.ConsiderationEvidence(nil) != nil {
		t.Error("nil consideration")
	}
}

// TestStatusConsiderations records a check with resources and reads the
// considerations its RDS instance raises through the launch status, as the
// checklist page does.
func TestStatusConsiderations(t *testing.T) {
	f := newFixture(t)
	own := &ownership.Service{Store: f.db}
	f.svc.Considerations = own.Considerations

	st := must(f.svc.Status(f.as("dev"), "payments-api"))
	if st.Considerations != nil {
		t.Fatalf("no check yet, considerations %+v", st.Considerations)
	}
	rec := &paved.CheckRecord{Service: "payments-api", Resources: []*paved.CheckResource{
		{Address: "aws_db_instance.db", Type: "aws_db_instance", Action: "create", After: map[string]any{
			"backup_retention_period": 7.0, "storage_encrypted": false, "multi_az": true, "auto_minor_version_upgrade": true, "max_allocated_storage": 0.0}},
	}}
	if err := f.svc.RecordCheck(f.as("dev"), rec); err != nil {
		t.Fatal(err)
	}
	st = must(f.svc.Status(f.as("dev"), "payments-api"))
	byConcern := map[string]*launch.Consideration{}
	for _, c := range st.Considerations {
		byConcern[c.Concern] = c
	}
	if len(st.Considerations) != 9 {
		t.Errorf("%d considerations, want the 9 of an RDS instance", len(st.Considerations))
	}
	if c := byConcern["backups"]; c == nil || c.Evidence == nil || !c.Evidence.Satisfied || c.Detail != "enabled, 7 days" || c.Owner != "payments" || c.Check != rec.ID {
		t.Errorf("backups: %+v %+v", c, c.Evidence)
	}
	if c := byConcern["encryption-at-rest"]; c == nil || c.Evidence == nil || c.Evidence.Satisfied {
		t.Errorf("encryption at rest: %+v", c)
	}
	if c := byConcern["encryption-in-transit"]; c == nil || c.Evidence != nil || c.State != paved.StateTeam {
		t.Errorf("encryption in transit: %+v", c)
	}
	// Considerations inform; they do not change readiness.
	f.svc.Considerations = nil
	plain := must(f.svc.Status(f.as("dev"), "payments-api"))
	if plain.Score.Overall != st.Score.Overall {
		t.Errorf("considerations changed the score: %v vs %v", st.Score.Overall, plain.Score.Overall)
	}
	// A failing source fails the status rather than hiding it.
	f.svc.Considerations = func(context.Context, *paved.Service) ([]*paved.Consideration, error) { return nil, errors.New("boom") }
	if _, err := f.svc.Status(f.as("dev"), "payments-api"); err == nil {
		t.Error("the error was swallowed")
	}
}
