package platform

import (
	"context"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/store"
)

// campaignSnapshot is a config whose require-owner-tag rule is enforced
// from 2030-01-01.
func campaignSnapshot(t *testing.T) *Snapshot {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "paved.yaml", "organisation:\n  name: Example\nguardrails:\n  rules:\n    require-owner-tag:\n      enforce_from: \"2030-01-01\"\n      owner: cloud\n")
	writeFile(t, dir, "policies/owner.rego", ownerTagRule)
	s, err := Load(dir, Options{Now: func() time.Time { return testClock }})
	must(t, err)
	return s
}

func TestCampaignsAnnounceOnceEach(t *testing.T) {
	snap := campaignSnapshot(t)
	forEachStore(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedChecks(t, db)
		run := func(at time.Time, want int) {
			t.Helper()
			n, err := RunCampaigns(ctx, db, snap, at)
			must(t, err)
			if n != want {
				t.Fatalf("run at %s sent %d notices, want %d", at.Format(time.RFC3339), n, want)
			}
		}
		notices := func(kind string) []*paved.Notification {
			t.Helper()
			ns, _, err := db.FindNotifications(ctx, paved.NotificationFilter{Kind: kind})
			must(t, err)
			return ns
		}

		// The campaign starts: cart's two resources lack the tag.
		run(testClock, 1)
		run(testClock.Add(time.Hour), 0)
		ns := notices(paved.NotifyCampaignStarted)
		if len(ns) != 1 || ns[0].Service != "cart" || ns[0].Team != "checkout" || ns[0].Link != "/campaigns#require-owner-tag" ||
			!strings.Contains(ns[0].Subject, "2 resources of cart") || !strings.Contains(ns[0].Subject, "2030-01-01") {
			t.Fatalf("campaign.started = %+v", ns)
		}
		if ns[0].Data["days_left"] != float64(31) {
			t.Fatalf("data = %v", ns[0].Data)
		}

		// A service that starts failing later gets its own announcement.
		must(t, db.RecordCheck(actor("ci"), &paved.CheckRecord{Service: "web", ResourceTypes: map[string]int{}, Rules: []string{}, Findings: []paved.Finding{},
			Resources: []*paved.CheckResource{{Address: "aws_s3_bucket.new", Type: "aws_s3_bucket", Action: "create", After: map[string]any{"bucket": "new"}}}}))
		run(testClock.Add(2*time.Hour), 1)

		// The reminder: from two weeks before enforcement, once.
		deadline := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		run(deadline.Add(-paved.CampaignReminder-time.Second), 0)
		run(deadline.Add(-paved.CampaignReminder), 2)
		run(deadline.Add(-paved.CampaignReminder+time.Hour), 0)
		if rs := notices(paved.NotifyCampaignReminder); len(rs) != 2 || !strings.Contains(rs[0].Subject+rs[1].Subject, "in 14 days") {
			t.Fatalf("campaign.reminder = %+v", rs)
		}
		// From the enforcement day nothing more is announced; progress is
		// still recorded.
		run(deadline, 0)

		days, err := db.FindCampaignDays(ctx, "require-owner-tag", "")
		must(t, err)
		if len(days) != 4 || days[0].Day != "2029-12-01" || days[0].Failing != 2 || days[0].Checked != 3 ||
			days[0].Teams["checkout"] != 1 || days[0].Teams["search"] != 1 || days[3].Day != "2030-01-01" {
			t.Fatalf("days = %+v", days)
		}
		sent, err := db.CampaignNoticesSent(ctx, "require-owner-tag", "2030-01-01")
		must(t, err)
		if sent[paved.NotifyCampaignStarted] != 2 || sent[paved.NotifyCampaignReminder] != 2 {
			t.Fatalf("sent = %v", sent)
		}
	})
}

func TestCampaignsReport(t *testing.T) {
	snap := campaignSnapshot(t)
	forEachStore(t, func(t *testing.T, db *store.DB) {
		seedChecks(t, db)
		rep, err := Campaigns(context.Background(), db, snap, testClock)
		must(t, err)
		if len(rep.Campaigns) != 1 {
			t.Fatalf("campaigns = %+v", rep.Campaigns)
		}
		c := rep.Campaigns[0]
		if c.Rule.ID != "require-owner-tag" || c.Enforced || c.DaysLeft != 31 || c.Failing != 1 || c.Resources != 2 || c.Checked != 3 || rep.Services != 3 {
			t.Fatalf("campaign = %+v", c)
		}
		if len(c.Teams) != 1 || c.Teams[0].Team != "checkout" || c.Teams[0].Services[0].Service != "cart" ||
			strings.Join(c.Teams[0].Services[0].Resources, ",") != "aws_db_instance.main,aws_s3_bucket.logs" {
			t.Fatalf("teams = %+v", c.Teams[0].Services[0])
		}
		// Before its date the finding is a warning that says when it blocks.
		rs, err := db.LatestCheckResources(context.Background(), "cart")
		must(t, err)
		fs, err := snap.Engine.CheckRecorded(context.Background(), rs, paved.ServiceContext{Name: "cart"})
		must(t, err)
		for _, f := range fs {
			if f.Rule == "require-owner-tag" && (f.Severity != paved.SeverityWarn || !strings.HasSuffix(f.Message, "(enforced from 2030-01-01)")) {
				t.Fatalf("finding before enforcement = %+v", f)
			}
		}
	})
}
