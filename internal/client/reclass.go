package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/launch"
)

// Reclassification. The methods mirror launch.Service's (as the CLI's
// backend names them), so the local database and a server have one shape.

func reclassPath(id int64) string { return "/reclassifications/" + strconv.FormatInt(id, 10) }

// ReclassifyService asks for a classification of a service: a lowering of
// a launch under way comes back as a pending request, anything else is
// applied at once.
func (c *Client) ReclassifyService(ctx context.Context, service string, to paved.Classification, reason string) (*launch.UpdateResult, error) {
	var res launch.UpdateResult
	body := api.ReclassifyRequest{Tier: to.Tier, DataClass: to.DataClass, Reason: reason}
	if err := c.do(ctx, http.MethodPost, "/services"+name(service)+"/reclassifications", nil, body, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ForceReclassification sets a service's classification without a
// decision (admins), with a reason.
func (c *Client) ForceReclassification(ctx context.Context, service string, to paved.Classification, reason string) (*paved.Reclassification, error) {
	var out paved.Reclassification
	body := api.ReclassifyRequest{Tier: to.Tier, DataClass: to.DataClass, Reason: reason}
	if err := c.do(ctx, http.MethodPost, "/services"+name(service)+"/reclassifications/force", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Reclassifications lists requests, newest first, with the total.
func (c *Client) Reclassifications(ctx context.Context, f paved.ReclassFilter) ([]*paved.Reclassification, int, error) {
	q := url.Values{}
	setIf(q, "service", f.Service)
	setIf(q, "status", string(f.Status))
	setPage(q, f.Page)
	var l api.List[*paved.Reclassification]
	if err := c.do(ctx, http.MethodGet, "/reclassifications", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// Reclassification returns one request.
func (c *Client) Reclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	var out paved.Reclassification
	if err := c.do(ctx, http.MethodGet, reclassPath(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WithdrawReclassification withdraws the caller's own pending request.
func (c *Client) WithdrawReclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	var out paved.Reclassification
	if err := c.do(ctx, http.MethodPost, reclassPath(id)+"/withdraw", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DecideReclassification approves or rejects a pending request.
func (c *Client) DecideReclassification(ctx context.Context, id int64, approve bool, comment string) (*paved.Reclassification, error) {
	verb := "/reject"
	if approve {
		verb = "/approve"
	}
	var out paved.Reclassification
	if err := c.do(ctx, http.MethodPost, reclassPath(id)+verb, nil, api.DecideRequest{Comment: comment}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
