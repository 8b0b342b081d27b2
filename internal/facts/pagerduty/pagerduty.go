// Package pagerduty is the PagerDuty collector (REST API v2,
// api.pagerduty.com or api.eu.pagerduty.com): for each service that names
// its PagerDuty service — the pagerduty.com/service-id annotation
// (Backstage's PagerDuty plugin), a link to the service in the PagerDuty
// web app, or the pagerduty.com/service-name annotation — it observes
// whether the service exists and its status, how many levels its
// escalation policy has, and whether someone is on call now through a
// schedule.
package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// Annotations naming a PagerDuty service. service-id is the Backstage
// PagerDuty plugin's; service-name is paved's, for catalogs that know the
// name but not the id.
const (
	AnnotationServiceID   = "pagerduty.com/service-id"
	AnnotationServiceName = "pagerduty.com/service-name"
)

// Collector is the PagerDuty collector.
type Collector struct {
	cfg facts.CollectorConfig
	api *facts.API
}

// New builds the collector; the REST API key is read from the environment
// variable token_env names.
func New(c facts.CollectorConfig, d facts.Deps) (facts.Collector, error) {
	tok := strings.TrimSpace(d.Getenv(c.TokenEnv))
	if tok == "" {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: the environment variable %s holds no PagerDuty API key", c.Name, c.TokenEnv)
	}
	api, err := facts.NewAPI(c, d, http.Header{
		"Authorization": {"Token token=" + tok},
		"Accept":        {"application/vnd.pagerduty+json;version=2"},
	})
	if err != nil {
		return nil, err
	}
	return &Collector{cfg: c, api: api}, nil
}

// idRE is a PagerDuty object id (PXXXXXX); webRE a service's page in the
// web app (https://acme.pagerduty.com/service-directory/PXXXXXX).
var (
	idRE  = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)
	webRE = regexp.MustCompile(`^/(?:service-directory|services)/([A-Z0-9]{2,20})(?:/|$)`)
)

// Ref is how a catalog service names its PagerDuty service: by id or by
// name.
type Ref struct{ ID, Name string }

// Service finds a catalog service's PagerDuty service.
func Service(s *paved.Service) (Ref, bool) {
	if id := strings.TrimSpace(s.Annotations[AnnotationServiceID]); idRE.MatchString(id) {
		return Ref{ID: id}, true
	}
	for _, l := range s.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !strings.HasSuffix(strings.ToLower(u.Hostname()), ".pagerduty.com") {
			continue
		}
		if m := webRE.FindStringSubmatch(u.Path); m != nil {
			return Ref{ID: m[1]}, true
		}
	}
	if n := strings.TrimSpace(s.Annotations[AnnotationServiceName]); n != "" {
		return Ref{Name: n}, true
	}
	return Ref{}, false
}

// Collect observes every service that names a PagerDuty service.
func (c *Collector) Collect(ctx context.Context, t *facts.Target) error {
	for _, s := range t.Services {
		ref, ok := Service(s)
		if !ok {
			continue
		}
		fs, err := c.observe(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			var e *facts.Error
			if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
				return err // a bad or revoked key: every call would fail
			}
			t.Fail(s.Name, err)
			continue
		}
		t.Observe(s.Name, fs)
	}
	return nil
}

type ref struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
}

type serviceJSON struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Status           string `json:"status"`
	HTMLURL          string `json:"html_url"`
	EscalationPolicy ref    `json:"escalation_policy"`
}

// observe reads one service, its escalation policy and who is on call.
func (c *Collector) observe(ctx context.Context, r Ref) (map[string]any, error) {
	var svc serviceJSON
	if r.ID != "" {
		var got struct {
			Service serviceJSON `json:"service"`
		}
		if _, err := c.api.GetJSON(ctx, "/services/"+url.PathEscape(r.ID), &got); err != nil {
			if facts.IsNotFound(err) {
				return map[string]any{"pagerduty.service.exists": false}, nil
			}
			return nil, err
		}
		svc = got.Service
	} else {
		found, err := c.byName(ctx, r.Name)
		if err != nil {
			return nil, err
		}
		if found == nil {
			return map[string]any{"pagerduty.service.exists": false}, nil
		}
		svc = *found
	}
	out := map[string]any{
		"pagerduty.service.exists": true,
		"pagerduty.service.id":     svc.ID,
		"pagerduty.service.status": svc.Status,
	}
	if svc.EscalationPolicy.ID == "" {
		out["pagerduty.escalation_levels"] = 0
		out["pagerduty.oncall.now"] = false
		out["pagerduty.oncall.users_now"] = 0
		return out, nil
	}
	var ep struct {
		EscalationPolicy struct {
			ID              string `json:"id"`
			Name            string `json:"name"`
			NumLoops        int    `json:"num_loops"`
			EscalationRules []struct {
				Delay   int   `json:"escalation_delay_in_minutes"`
				Targets []ref `json:"targets"`
			} `json:"escalation_rules"`
		} `json:"escalation_policy"`
	}
	if _, err := c.api.GetJSON(ctx, "/escalation_policies/"+url.PathEscape(svc.EscalationPolicy.ID), &ep); err != nil {
		return nil, err
	}
	levels, schedules := 0, 0
	for _, rule := range ep.EscalationPolicy.EscalationRules {
		if len(rule.Targets) > 0 {
			levels++ // a level with nobody to notify escalates nowhere
		}
		for _, tg := range rule.Targets {
			if tg.Type == "schedule_reference" || tg.Type == "schedule" {
				schedules++
			}
		}
	}
	out["pagerduty.escalation_policy"] = ep.EscalationPolicy.Name
	out["pagerduty.escalation_levels"] = levels
	out["pagerduty.escalation_schedules"] = schedules

	scheduled, users, err := c.oncalls(ctx, svc.EscalationPolicy.ID)
	if err != nil {
		return nil, err
	}
	out["pagerduty.oncall.now"] = scheduled
	out["pagerduty.oncall.users_now"] = users
	return out, nil
}

// maxPages bounds an offset-paged list (limit 100 each).
const maxPages = 20

// byName finds a service by its exact name (without case) among those
// the query matches, following offset pages while more is true.
func (c *Collector) byName(ctx context.Context, name string) (*serviceJSON, error) {
	offset := 0
	for n := 0; n < maxPages; n++ {
		q := url.Values{"query": {name}, "limit": {"100"}, "offset": {strconv.Itoa(offset)}}
		var page struct {
			Services []serviceJSON `json:"services"`
			More     bool          `json:"more"`
			Limit    int           `json:"limit"`
		}
		if _, err := c.api.GetJSON(ctx, "/services?"+q.Encode(), &page); err != nil {
			return nil, err
		}
		for i := range page.Services {
			if strings.EqualFold(page.Services[i].Name, name) {
				return &page.Services[i], nil
			}
		}
		if !page.More || len(page.Services) == 0 {
			return nil, nil
		}
		offset += len(page.Services)
	}
	return nil, fmt.Errorf("services named %q: more than %d pages", name, maxPages)
}

// oncalls reads who is on call now for the policy (the API's default
// when since and until are left out): whether someone is on call through
// a schedule (a rotation, not a user named on the policy forever), and
// how many people are on call at any level.
func (c *Collector) oncalls(ctx context.Context, policy string) (bool, int, error) {
	scheduled := false
	var users []string
	offset := 0
	for n := 0; n < maxPages; n++ {
		q := url.Values{"escalation_policy_ids[]": {policy}, "limit": {"100"}, "offset": {strconv.Itoa(offset)}}
		var page struct {
			Oncalls []struct {
				User            ref  `json:"user"`
				Schedule        *ref `json:"schedule"`
				EscalationLevel int  `json:"escalation_level"`
			} `json:"oncalls"`
			More bool `json:"more"`
		}
		if _, err := c.api.GetJSON(ctx, "/oncalls?"+q.Encode(), &page); err != nil {
			return false, 0, err
		}
		for _, o := range page.Oncalls {
			if o.User.ID == "" {
				continue
			}
			if o.Schedule != nil && o.Schedule.ID != "" {
				scheduled = true
			}
			if !slices.Contains(users, o.User.ID) {
				users = append(users, o.User.ID)
			}
		}
		if !page.More || len(page.Oncalls) == 0 {
			break
		}
		offset += len(page.Oncalls)
	}
	return scheduled, len(users), nil
}
