package platform

import (
	"context"
	"fmt"
	"sort"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/check"
)

// maxCampaignResources bounds the addresses a paved.CampaignService lists.
const maxCampaignResources = 20

// ruleResource is one resource failing one rule.
type ruleResource struct{ rule, resource string }

// Campaigns evaluates every service's latest recorded resources under the
// snapshot's engine and reports, per campaign, the services that would
// fail it today, by team.
func Campaigns(ctx context.Context, st RecordStore, snap *Snapshot, now time.Time) (*paved.CampaignReport, error) {
	rep := &paved.CampaignReport{Version: snap.Version.String(), At: now.UTC(), Day: now.UTC().Format(time.DateOnly), Campaigns: []*paved.CampaignStatus{}}
	cs := snap.Engine.Campaigns(now)
	byRule := map[string]*paved.CampaignStatus{}
	for i := range cs {
		c := &paved.CampaignStatus{Campaign: cs[i], Teams: []*paved.CampaignTeam{}}
		rep.Campaigns = append(rep.Campaigns, c)
		byRule[c.Rule.ID] = c
	}
	if len(cs) == 0 {
		return rep, nil
	}
	teams := map[string]map[string]*paved.CampaignTeam{}
	_, err := EachRecorded(ctx, st, func(s *paved.Service, rs *paved.CheckResources) error {
		rep.Services++
		fs, err := check.Recorded(ctx, snap.Engine, s, rs)
		if err != nil {
			return fmt.Errorf("evaluating %s: %w", s.Name, err)
		}
		hit := map[string]*paved.CampaignService{}
		seen := map[ruleResource]bool{} // a resource counts once per rule
		for _, f := range fs {
			c := byRule[f.Rule]
			if c == nil {
				continue
			}
			cs := hit[f.Rule]
			if cs == nil {
				cs = &paved.CampaignService{Service: s.Name, Team: s.Owner, CheckID: rs.CheckID, CheckedAt: rs.At, Message: f.Message,
					Resources: []string{}}
				hit[f.Rule] = cs
			}
			if k := (ruleResource{f.Rule, f.Resource}); !seen[k] {
				seen[k] = true
				cs.Count++
				if len(cs.Resources) < maxCampaignResources {
					cs.Resources = append(cs.Resources, f.Resource)
				}
			}
		}
		for _, c := range rep.Campaigns {
			c.Checked++
			cs := hit[c.Rule.ID]
			if cs == nil {
				continue
			}
			c.Failing++
			c.Resources += cs.Count
			tm := teams[c.Rule.ID]
			if tm == nil {
				tm = map[string]*paved.CampaignTeam{}
				teams[c.Rule.ID] = tm
			}
			t := tm[s.Owner]
			if t == nil {
				t = &paved.CampaignTeam{Team: s.Owner}
				tm[s.Owner] = t
			}
			t.Services = append(t.Services, cs)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range rep.Campaigns {
		names := make([]string, 0, len(teams[c.Rule.ID]))
		for n := range teams[c.Rule.ID] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c.Teams = append(c.Teams, teams[c.Rule.ID][n])
		}
	}
	return rep, nil
}

// CampaignNotices are the announcements due at now: for a campaign not
// yet enforced, campaign.started to every service that would fail it, and
// from two weeks before enforcement campaign.reminder too. The store sends
// each at most once (paved.CampaignStore), so the periodic job can offer
// them on every run.
func CampaignNotices(rep *paved.CampaignReport, now time.Time) []*paved.CampaignNotice {
	var out []*paved.CampaignNotice
	for _, c := range rep.Campaigns {
		if c.Enforced {
			continue
		}
		remind := !now.Before(c.Deadline().Add(-paved.CampaignReminder))
		for _, t := range c.Teams {
			for _, s := range t.Services {
				out = append(out, campaignNotice(c, s, paved.NotifyCampaignStarted))
				if remind {
					out = append(out, campaignNotice(c, s, paved.NotifyCampaignReminder))
				}
			}
		}
	}
	return out
}

// CampaignLink is the portal path of a campaign.
func CampaignLink(rule string) string { return "/campaigns#" + rule }

func campaignNotice(c *paved.CampaignStatus, s *paved.CampaignService, kind string) *paved.CampaignNotice {
	var subject string
	things := fmt.Sprintf("%d resource", s.Count)
	if s.Count != 1 {
		things += "s"
	}
	if kind == paved.NotifyCampaignStarted {
		subject = fmt.Sprintf("New standard %s (%s): %s of %s would fail it; it blocks from %s", c.Rule.ID, c.Rule.Title, things, s.Service, c.EnforceFrom)
	} else {
		subject = fmt.Sprintf("Reminder: %s blocks from %s (in %d days); %s of %s still fail it", c.Rule.ID, c.EnforceFrom, c.DaysLeft, things, s.Service)
	}
	return &paved.CampaignNotice{
		Rule: c.Rule.ID, EnforceFrom: c.EnforceFrom, Kind: kind, Service: s.Service,
		Notification: &paved.Notification{
			Kind: kind, Subject: subject, Service: s.Service, Team: s.Team, Link: CampaignLink(c.Rule.ID),
			Data: map[string]any{
				"rule": c.Rule.ID, "title": c.Rule.Title, "enforce_from": c.EnforceFrom, "days_left": c.DaysLeft,
				"resources": s.Resources, "count": s.Count, "message": s.Message, "check": s.CheckID,
				"remediation": c.Rule.Remediation, "doc_url": c.Rule.DocURL,
			},
		},
	}
}

// CampaignJobStore is what the campaigns job reads and writes.
type CampaignJobStore interface {
	RecordStore
	paved.CampaignStore
}

// RunCampaigns is one run of the campaigns job: it evaluates the
// campaigns of the snapshot in force, records each one's progress for the
// day and sends the announcements due (each exactly once). It returns the
// notices sent.
func RunCampaigns(ctx context.Context, st CampaignJobStore, snap *Snapshot, now time.Time) (int, error) {
	rep, err := Campaigns(ctx, st, snap, now)
	if err != nil {
		return 0, err
	}
	if len(rep.Campaigns) == 0 {
		return 0, nil
	}
	days := make([]*paved.CampaignDay, 0, len(rep.Campaigns))
	for _, c := range rep.Campaigns {
		days = append(days, c.Day(rep.Day))
	}
	return st.RecordCampaignDay(ctx, days, CampaignNotices(rep, now))
}
