package web

import (
	"context"
	"html/template"
	"net/http"
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/platform"
)

// Campaigns: every deny rule with an enforce_from date, its deadline, the
// services that would fail it today by team (from each service's latest
// recorded check resources, evaluated under the config in force), and its
// progress over time (the daily rows the campaigns job records).

// campaignHistoryDays is how much progress the page shows.
const campaignHistoryDays = 90

// campaignCache keeps the last evaluation of the campaigns: it is exact
// while the config in force, the audit head (every recorded check moves
// it) and the day are unchanged.
type campaignCache struct {
	mu   sync.Mutex
	snap *platform.Snapshot
	head int64
	day  string
	rep  *paved.CampaignReport
}

// campaignReport evaluates the campaigns (or reuses the last evaluation)
// and adds each one's history and announcements.
func (s *Server) campaignReport(ctx context.Context) (*paved.CampaignReport, error) {
	snap, err := s.platform()
	if err != nil {
		return nil, err
	}
	now := s.now()
	day := now.UTC().Format(time.DateOnly)
	head, err := s.store.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	c := s.campaigns
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rep == nil || c.snap != snap || c.head != head || c.day != day {
		rep, err := platform.Campaigns(ctx, s.store, snap, now)
		if err != nil {
			return nil, err
		}
		c.snap, c.head, c.day, c.rep = snap, head, day, rep
	}
	// A copy, so that the history added below stays out of the cache.
	out := *c.rep
	out.Campaigns = make([]*paved.CampaignStatus, len(c.rep.Campaigns))
	since := now.UTC().AddDate(0, 0, -campaignHistoryDays).Format(time.DateOnly)
	for i, cs := range c.rep.Campaigns {
		cp := *cs
		if cp.History, err = s.store.FindCampaignDays(ctx, cs.Rule.ID, since); err != nil {
			return nil, err
		}
		if cp.Sent, err = s.store.CampaignNoticesSent(ctx, cs.Rule.ID, cs.EnforceFrom); err != nil {
			return nil, err
		}
		out.Campaigns[i] = &cp
	}
	return &out, nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.campaignReport(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// campaignsView is the data of campaigns.html.
type campaignsView struct {
	Report *paved.CampaignReport
	// Mine marks the signed-in user's teams.
	Mine map[string]bool
	// Upcoming and Enforced split the campaigns.
	Upcoming, Enforced []*campaignRow
}

// campaignRow is one campaign with its progress worked out.
type campaignRow struct {
	*paved.CampaignStatus
	Done    int // percent of the evaluated services that pass
	History []campaignDayRow
}

type campaignDayRow struct {
	*paved.CampaignDay
	Done int
}

func newCampaignRow(c *paved.CampaignStatus) *campaignRow {
	row := &campaignRow{CampaignStatus: c, Done: percentDone(c.Failing, c.Checked)}
	for _, d := range c.History {
		row.History = append(row.History, campaignDayRow{CampaignDay: d, Done: percentDone(d.Failing, d.Checked)})
	}
	return row
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.campaignReport(r.Context())
	if err != nil {
		return err
	}
	v := campaignsView{Report: rep, Mine: map[string]bool{}}
	if u := paved.UserFrom(r.Context()); u != nil {
		for _, t := range u.Teams {
			v.Mine[t] = true
		}
	}
	for _, c := range rep.Campaigns {
		if c.Enforced {
			v.Enforced = append(v.Enforced, newCampaignRow(c))
		} else {
			v.Upcoming = append(v.Upcoming, newCampaignRow(c))
		}
	}
	return s.render(w, r, "campaigns.html", v)
}

// configBanner is what base.html shows admins while the config directory
// holds a refused config.
type configBanner struct {
	Dir     string
	Error   string
	Refused string // the refused content's version
	At      time.Time
	Version string // the version in force
}

// configBannerFor returns the banner for the request's user: admins only,
// and only while a refused config waits in the directory.
func (s *Server) configBannerFor(r *http.Request) *configBanner {
	st := s.configStatus()
	if st.Error == "" || s.authorize(r, paved.ActConfigAdmin, paved.Resource{}) != nil {
		return nil
	}
	b := &configBanner{Dir: st.Dir, Error: st.Error, Refused: st.ErrorVersion, Version: st.Version}
	if st.ErrorAt != nil {
		b.At = *st.ErrorAt
	}
	return b
}

// percentDone is the share of evaluated services that pass a campaign, for
// the progress column.
func percentDone(failing, checked int) int {
	if checked == 0 {
		return 100
	}
	return (checked - failing) * 100 / checked
}

// campaignFuncs are the template functions of the campaigns page and of
// the config notes on other pages.
func (s *Server) campaignFuncs() template.FuncMap {
	return template.FuncMap{
		"campaignArgs": func(row *campaignRow, mine map[string]bool) map[string]any {
			return map[string]any{"Row": row, "Mine": mine}
		},
		"sub": func(a, b int) int { return a - b },
		// configDrift compares a recorded check's config version with the
		// server's: nil when they are the same.
		"configDrift": func(version string) *configDrift {
			return s.live.cur.Load().configDriftOf(version)
		},
	}
}
