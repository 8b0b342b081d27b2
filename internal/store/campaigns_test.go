package store

import (
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestCampaignDaysAndNotices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		day := func(d string, failing int) *paved.CampaignDay {
			return &paved.CampaignDay{Rule: "require-owner-tag", EnforceFrom: "2030-01-01", Day: d, Failing: failing,
				Resources: 2 * failing, Checked: 5, Teams: map[string]int{"checkout": failing}}
		}
		notice := func(kind, svc string) *paved.CampaignNotice {
			return &paved.CampaignNotice{Rule: "require-owner-tag", EnforceFrom: "2030-01-01", Kind: kind, Service: svc,
				Notification: &paved.Notification{Kind: kind, Subject: "Campaign require-owner-tag: " + svc, Service: svc, Team: "checkout", Link: "/campaigns#require-owner-tag"}}
		}
		n, err := e.db.RecordCampaignDay(e.ctx, []*paved.CampaignDay{day("2029-12-01", 3)},
			[]*paved.CampaignNotice{notice(paved.NotifyCampaignStarted, "cart"), notice(paved.NotifyCampaignStarted, "ledger")})
		must(t, err)
		if n != 2 {
			t.Fatalf("first run sent %d notices, want 2", n)
		}
		ev := lastEvent(t, e)
		if ev.Action != "campaign.notify" {
			t.Fatalf("audit event = %+v", ev)
		}
		// The same day again replaces the figures; the notices already
		// sent are not sent again, a new one is.
		e.clock.Advance(time.Hour)
		n, err = e.db.RecordCampaignDay(e.ctx, []*paved.CampaignDay{day("2029-12-01", 2)},
			[]*paved.CampaignNotice{notice(paved.NotifyCampaignStarted, "cart"), notice(paved.NotifyCampaignStarted, "ledger"),
				notice(paved.NotifyCampaignReminder, "cart")})
		must(t, err)
		if n != 1 {
			t.Fatalf("second run sent %d notices, want 1 (the reminder)", n)
		}
		seq := lastEvent(t, e).Seq
		n, err = e.db.RecordCampaignDay(e.ctx, []*paved.CampaignDay{day("2029-12-02", 1)}, []*paved.CampaignNotice{notice(paved.NotifyCampaignReminder, "cart")})
		must(t, err)
		if n != 0 {
			t.Fatalf("third run sent %d notices, want 0", n)
		}
		if lastEvent(t, e).Seq != seq {
			t.Fatal("a run that sent nothing appended an audit event")
		}
		days, err := e.db.FindCampaignDays(e.ctx, "require-owner-tag", "")
		must(t, err)
		if len(days) != 2 || days[0].Day != "2029-12-01" || days[0].Failing != 2 || days[0].Teams["checkout"] != 2 || days[1].Failing != 1 {
			t.Fatalf("days = %s", jsonOf(days))
		}
		days, err = e.db.FindCampaignDays(e.ctx, "require-owner-tag", "2029-12-02")
		must(t, err)
		if len(days) != 1 {
			t.Fatalf("days since 2029-12-02 = %s", jsonOf(days))
		}
		sent, err := e.db.CampaignNoticesSent(e.ctx, "require-owner-tag", "2030-01-01")
		must(t, err)
		if sent[paved.NotifyCampaignStarted] != 2 || sent[paved.NotifyCampaignReminder] != 1 {
			t.Fatalf("sent = %v", sent)
		}
		ns, total, err := e.db.FindNotifications(e.ctx, paved.NotificationFilter{Kind: paved.NotifyCampaignStarted})
		must(t, err)
		if total != 2 || ns[0].Service == "" {
			t.Fatalf("campaign.started notifications = %d %s", total, jsonOf(ns))
		}
		// Bad input is refused before anything is written.
		if _, err := e.db.RecordCampaignDay(e.ctx, []*paved.CampaignDay{{Rule: "x", Day: "tomorrow", EnforceFrom: "2030-01-01"}}, nil); paved.ErrorCode(err) != paved.EINVALID {
			t.Fatalf("bad day: %v", err)
		}
		if _, err := e.db.RecordCampaignDay(e.ctx, nil, []*paved.CampaignNotice{{Rule: "x", Service: "s", EnforceFrom: "2030-01-01", Kind: "campaign.other",
			Notification: &paved.Notification{Kind: "campaign.other", Subject: "x"}}}); paved.ErrorCode(err) != paved.EINVALID {
			t.Fatalf("bad kind: %v", err)
		}
	})
}
