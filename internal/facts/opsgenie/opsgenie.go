// Package opsgenie is the Opsgenie collector (api.opsgenie.com, or
// api.eu.opsgenie.com for an EU account): for each service that names its
// Opsgenie team — the opsgenie.com/team annotation (the Backstage Opsgenie
// plugin's) or a link to the team's dashboard — it observes whether the
// team exists, how many levels the team's escalations have, and whether
// one of the team's schedules has someone on call now. Opsgenie's unit of
// ownership is the team: escalations and schedules belong to a team, an
// Opsgenie service only to its team, so the team is what is checked.
//
// The facts are opsgenie.*, beside PagerDuty's pagerduty.*: the default
// checklist's on-call item accepts either (opsgenie.escalation_levels and
// opsgenie.oncall.now mean what their pagerduty.* namesakes mean).
package opsgenie

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// AnnotationTeam names the Opsgenie team (the Backstage Opsgenie plugin's
// annotation; its opsgenie.com/component-selector selects alerts, not an
// owner, and is not read).
const AnnotationTeam = "opsgenie.com/team"

// Collector is the Opsgenie collector.
type Collector struct {
	cfg facts.CollectorConfig
	api *facts.API
}

// New builds the collector; the API key (of an API integration with read
// access) is read from the environment variable token_env names.
func New(c facts.CollectorConfig, d facts.Deps) (facts.Collector, error) {
	tok := strings.TrimSpace(d.Getenv(c.TokenEnv))
	if tok == "" {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: the environment variable %s holds no Opsgenie API key", c.Name, c.TokenEnv)
	}
	api, err := facts.NewAPI(c, d, http.Header{
		"Authorization": {"GenieKey " + tok},
		"Accept":        {"application/json"},
	})
	if err != nil {
		return nil, err
	}
	return &Collector{cfg: c, api: api}, nil
}

// Team is how a catalog service names its Opsgenie team.
type Team struct{ ID, Name string }

var dashRE = regexp.MustCompile(`^/teams/dashboard/([0-9a-f-]{36})(?:/|$)`)

// TeamOf finds a catalog service's Opsgenie team.
func TeamOf(s *paved.Service) (Team, bool) {
	if n := strings.TrimSpace(s.Annotations[AnnotationTeam]); n != "" {
		return Team{Name: n}, true
	}
	for _, l := range s.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !strings.HasSuffix(strings.ToLower(u.Hostname()), ".opsgenie.com") {
			continue
		}
		if m := dashRE.FindStringSubmatch(u.Path); m != nil {
			return Team{ID: m[1]}, true
		}
	}
	return Team{}, false
}

type owner struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type escalation struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	OwnerTeam owner  `json:"ownerTeam"`
	Rules     []struct {
		Condition string `json:"condition"`
		Delay     struct {
			TimeAmount int    `json:"timeAmount"`
			TimeUnit   string `json:"timeUnit"`
		} `json:"delay"`
		Recipient struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		} `json:"recipient"`
	} `json:"rules"`
}

type schedule struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Enabled   bool   `json:"enabled"`
	OwnerTeam owner  `json:"ownerTeam"`
}

// run holds the account's escalations and schedules, read once per run
// (they are account-wide lists) and only when a service needs them.
type run struct {
	once        sync.Once
	escalations []escalation
	schedules   []schedule
	err         error
}

func (c *Collector) lists(ctx context.Context, r *run) error {
	r.once.Do(func() {
		var e struct {
			Data []escalation `json:"data"`
		}
		if _, r.err = c.api.GetJSON(ctx, "/v2/escalations", &e); r.err != nil {
			return
		}
		var s struct {
			Data []schedule `json:"data"`
		}
		if _, r.err = c.api.GetJSON(ctx, "/v2/schedules", &s); r.err != nil {
			return
		}
		r.escalations, r.schedules = e.Data, s.Data
	})
	return r.err
}

// Collect observes every service that names an Opsgenie team.
func (c *Collector) Collect(ctx context.Context, t *facts.Target) error {
	r := &run{}
	for _, s := range t.Services {
		team, ok := TeamOf(s)
		if !ok {
			continue
		}
		fs, err := c.observe(ctx, r, team)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			var e *facts.Error
			if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
				return err // a bad or revoked key: every call would fail
			}
			// When the account's lists failed (after the API's retries),
			// every team's service fails with them this run: asking again
			// for each would only multiply the waits.
			t.Fail(s.Name, err)
			continue
		}
		t.Observe(s.Name, fs)
	}
	return nil
}

// observe reads one team, its escalations and who is on call in its
// schedules.
func (c *Collector) observe(ctx context.Context, r *run, tm Team) (map[string]any, error) {
	target := "/v2/teams/" + url.PathEscape(tm.ID)
	if tm.ID == "" {
		target = "/v2/teams/" + url.PathEscape(tm.Name) + "?identifierType=name"
	}
	var team struct {
		Data owner `json:"data"`
	}
	if _, err := c.api.GetJSON(ctx, target, &team); err != nil {
		if facts.IsNotFound(err) {
			return map[string]any{"opsgenie.team.exists": false}, nil
		}
		return nil, err
	}
	if err := c.lists(ctx, r); err != nil {
		return nil, err
	}
	owned := func(o owner) bool {
		return (o.ID != "" && o.ID == team.Data.ID) || (o.ID == "" && strings.EqualFold(o.Name, team.Data.Name))
	}
	out := map[string]any{
		"opsgenie.team.exists": true,
		"opsgenie.team.id":     team.Data.ID,
	}
	levels, name := 0, ""
	for _, e := range r.escalations {
		if !owned(e.OwnerTeam) {
			continue
		}
		// Rules with the same delay notify at the same time: one level.
		var delays []int
		for _, rule := range e.Rules {
			d := rule.Delay.TimeAmount
			if strings.EqualFold(rule.Delay.TimeUnit, "hours") {
				d *= 60
			} else if strings.EqualFold(rule.Delay.TimeUnit, "days") {
				d *= 24 * 60
			}
			if !slices.Contains(delays, d) {
				delays = append(delays, d)
			}
		}
		if len(delays) > levels {
			levels, name = len(delays), e.Name
		}
	}
	out["opsgenie.escalation_levels"] = levels
	if name != "" {
		out["opsgenie.escalation"] = name
	}

	schedules, onCall := 0, 0
	for _, s := range r.schedules {
		if !owned(s.OwnerTeam) || !s.Enabled {
			continue
		}
		schedules++
		var oc struct {
			Data struct {
				Participants []struct {
					ID   string `json:"id"`
					Type string `json:"type"`
				} `json:"onCallParticipants"`
			} `json:"data"`
		}
		// Without date, the on-calls of the moment the request arrives.
		if _, err := c.api.GetJSON(ctx, "/v2/schedules/"+url.PathEscape(s.ID)+"/on-calls?scheduleIdentifierType=id", &oc); err != nil {
			if facts.IsNotFound(err) { // deleted since the list was read
				continue
			}
			return nil, err
		}
		if len(oc.Data.Participants) > 0 {
			onCall++
		}
	}
	out["opsgenie.schedules"] = schedules
	out["opsgenie.oncall.schedules_now"] = onCall
	out["opsgenie.oncall.now"] = onCall > 0
	return out, nil
}
