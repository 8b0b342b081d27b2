package web

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// factsPanel is the Facts section of the service page: what the collectors
// observed and pipelines pushed, and where the cluster contradicts the
// checked manifests.
type factsPanel struct {
	Facts []factRow
	// Expired counts the facts shown that no longer count as evidence.
	Expired int
	Drift   *facts.DriftReport
	// CanCollect shows the link to the collectors' health (admins).
	CanCollect bool
}

// factRow is one fact as the page shows it.
type factRow struct {
	*paved.Fact
	Value   string // JSON
	Expired bool
}

// maxFactValue shortens long values (a list of images) on the page; the
// API has them whole.
const maxFactValue = 200

func (s *Server) factsPanel(r *http.Request, svc *paved.Service) (*factsPanel, error) {
	fs, err := s.facts.List(r.Context(), svc.Name, "")
	if err != nil {
		return nil, err
	}
	p := &factsPanel{CanCollect: s.authorize(r, paved.ActCollectFacts, paved.Resource{}) == nil}
	now := s.now()
	for _, f := range fs {
		b, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		v := string(b)
		if len(v) > maxFactValue {
			v = v[:maxFactValue] + "…"
		}
		row := factRow{Fact: f, Value: v, Expired: !f.ExpiresAt.After(now)}
		if row.Expired {
			p.Expired++
		}
		p.Facts = append(p.Facts, row)
	}
	sort.SliceStable(p.Facts, func(i, j int) bool {
		if p.Facts[i].Key != p.Facts[j].Key {
			return p.Facts[i].Key < p.Facts[j].Key
		}
		return p.Facts[i].Source < p.Facts[j].Source
	})
	if p.Drift, err = s.facts.Drift(r.Context(), svc.Name); err != nil {
		return nil, err
	}
	return p, nil
}

// collectorsView is the data of collectors.html.
type collectorsView struct {
	Runs []collectorRow
	// Configured is false when paved.yaml has no facts.collectors.
	Configured bool
}

// collectorRow is a collector's health as the page shows it.
type collectorRow struct {
	*paved.CollectorRun
	Never bool // configured, never run
	// State is ok, failing or never.
	State    string
	Duration time.Duration
}

// collectorsPage shows every collector's health (admins): when it last
// ran and succeeded, what it observed, and why it failed.
func (s *Server) collectorsPage(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.facts.Health(r.Context())
	if err != nil {
		return err
	}
	v := collectorsView{Configured: s.facts.Config != nil && len(s.facts.Config.Collectors) > 0}
	for _, run := range runs {
		row := collectorRow{CollectorRun: run, State: "ok"}
		switch {
		case run.StartedAt.IsZero():
			row.Never, row.State = true, "never"
		case run.Error != "":
			row.State = "failing"
		}
		if !row.Never {
			row.Duration = run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond)
		}
		v.Runs = append(v.Runs, row)
	}
	return s.render(w, r, "collectors.html", v)
}
