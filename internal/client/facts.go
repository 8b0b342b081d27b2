package client

import (
	"context"
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/facts"
)

// Facts. The methods mirror the CLI's local backend over facts.Service,
// so `paved facts` works the same on either.

// ServiceFacts returns a service's facts, optionally of one source.
func (c *Client) ServiceFacts(ctx context.Context, service, source string) ([]*paved.Fact, error) {
	q := url.Values{}
	setIf(q, "source", source)
	var out api.ServiceFacts
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/facts", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Facts, nil
}

// PushFacts records facts of a service as the token's user.
func (c *Client) PushFacts(ctx context.Context, service string, p *api.FactPushRequest) ([]*paved.FactEvent, error) {
	var out api.FactPushResult
	if err := c.do(ctx, http.MethodPost, launchPath(service)+"/facts", nil, p, &out); err != nil {
		return nil, err
	}
	return out.Events, nil
}

// CollectFacts runs a collector once on the server (admins), over the
// services named or every active one.
func (c *Client) CollectFacts(ctx context.Context, collector string, services []string) (*facts.RunResult, error) {
	q := url.Values{}
	for _, s := range services {
		q.Add("service", s)
	}
	var out facts.RunResult
	if err := c.do(ctx, http.MethodPost, "/facts/collectors"+name(collector)+"/run", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CollectorHealth returns every collector's latest run (admins).
func (c *Client) CollectorHealth(ctx context.Context) ([]*paved.CollectorRun, error) {
	var out []*paved.CollectorRun
	if err := c.do(ctx, http.MethodGet, "/facts/collectors", nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// FactsDrift returns a service's drift between the cluster and its
// checked manifests.
func (c *Client) FactsDrift(ctx context.Context, service string) (*facts.DriftReport, error) {
	var out facts.DriftReport
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/facts/drift", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FactsDriftAll returns the drift of every service that has some.
func (c *Client) FactsDriftAll(ctx context.Context) ([]*facts.DriftReport, error) {
	var out []*facts.DriftReport
	if err := c.do(ctx, http.MethodGet, "/facts/drift", nil, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
