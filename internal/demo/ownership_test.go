package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/store"
)

// TestSeedOwnership: under the default map, the demo's recorded checks
// carry resources, and fraud-scoring's say something real.
func TestSeedOwnership(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	own := &ownership.Service{Store: st}
	// The demo's teams resolve every reference of the default map.
	v, err := own.Show(ctx, ownership.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Problems) != 0 {
		t.Errorf("the default map has problems against the demo catalog: %+v", v.Problems)
	}
	rep, err := own.ServiceReport(ctx, "fraud-scoring")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Check == 0 || rep.Resources < 8 {
		t.Fatalf("fraud-scoring report: %+v", rep)
	}
	got := map[string]string{}
	for _, c := range rep.Considerations {
		got[c.Resource+" "+c.Concern] = string(c.State) + " " + c.Owner
		if strings.Contains(c.Detail, "(sensitive)") {
			t.Errorf("a sensitive value in a detail: %+v", c)
		}
	}
	for k, want := range map[string]string{
		"aws_db_instance.features backups":                                 "enabled payments",
		"aws_db_instance.features encryption-at-rest":                      "enabled payments",
		"aws_elasticache_replication_group.features high-availability":     "not-enabled payments",
		"aws_elasticache_replication_group.features backups":               "not-enabled payments",
		"aws_elasticache_replication_group.features encryption-in-transit": "not-enabled payments",
		"aws_sqs_queue.score_requests encryption-at-rest":                  "enabled payments",
		"aws_s3_bucket.models encryption-at-rest":                          "vendor payments",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	g, err := own.Gaps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.Checked < 3 || len(g.Services) == 0 || len(g.Unowned) != 0 {
		t.Errorf("gaps: %d checked, %d services, unowned %+v", g.Checked, len(g.Services), g.Unowned)
	}
	// A second Seed records nothing new.
	before, _ := st.LatestCheckResources(ctx, "fraud-scoring")
	if _, err := Seed(ctx, testApp(t, st)); err != nil {
		t.Fatal(err)
	}
	after, _ := st.LatestCheckResources(ctx, "fraud-scoring")
	if before.CheckID != after.CheckID {
		t.Error("a second Seed recorded another check")
	}
}
