package client

import (
	"context"
	"net/http"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// The platform config (docs/config-as-code.md): the server's config
// status, the impact of a proposed config, the campaigns.

// ConfigStatus returns the server's platform config version and reload
// state (the directory and a refused config's error for admins only).
func (c *Client) ConfigStatus(ctx context.Context) (*api.ConfigStatusResponse, error) {
	var st api.ConfigStatusResponse
	if err := c.do(ctx, http.MethodGet, "/config", nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// ConfigImpact sends a proposed config directory (as a JSON bundle) and
// returns what it would change for every service's latest check.
func (c *Client) ConfigImpact(ctx context.Context, b *paved.ConfigBundle) (*paved.ImpactReport, error) {
	var rep paved.ImpactReport
	if err := c.do(ctx, http.MethodPost, "/config/impact", nil, b, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// Campaigns returns the campaigns as the server evaluates them today.
func (c *Client) Campaigns(ctx context.Context) (*paved.CampaignReport, error) {
	var rep paved.CampaignReport
	if err := c.do(ctx, http.MethodGet, "/campaigns", nil, nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}
