package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/ownership"
)

// The ownership map. The methods mirror ownership.Service, so the CLI's
// local backend (the service over the database) and its remote backend
// (this client) have one shape.

// OwnershipShow returns the effective ownership map, filtered.
func (c *Client) OwnershipShow(ctx context.Context, f ownership.Filter) (*ownership.View, error) {
	q := url.Values{}
	setIf(q, "team", f.Team)
	setIf(q, "concern", f.Concern)
	var v ownership.View
	if err := c.do(ctx, http.MethodGet, "/ownership", q, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// OwnershipEdit reassigns a concern (admin) and returns it as it now
// stands.
func (c *Client) OwnershipEdit(ctx context.Context, e *paved.OwnershipEdit) (*ownership.Concern, error) {
	body := api.OwnershipEditRequest{Owner: e.Owner, Accountable: e.Accountable, Consulted: e.Consulted, Informed: e.Informed, Reason: e.Reason}
	var out ownership.Concern
	if err := c.do(ctx, http.MethodPut, "/ownership/concerns"+name(e.Concern), nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OwnershipReset removes the admin edit of a concern.
func (c *Client) OwnershipReset(ctx context.Context, concern string) (*ownership.Concern, error) {
	var out ownership.Concern
	if err := c.do(ctx, http.MethodDelete, "/ownership/concerns"+name(concern), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OwnershipExport returns the effective map as ownership.yaml.
func (c *Client) OwnershipExport(ctx context.Context) ([]byte, error) {
	resp, err := c.send(ctx, http.MethodGet, "/ownership/export", nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "reading the ownership map from %s: %v", c.base, err)
	}
	if len(b) > maxResponseBytes {
		return nil, paved.Errorf(paved.ETOOLARGE, "the ownership map from %s is larger than %d bytes", c.base, maxResponseBytes)
	}
	return b, nil
}

// OwnershipGaps returns the gap report.
func (c *Client) OwnershipGaps(ctx context.Context) (*ownership.GapReport, error) {
	var g ownership.GapReport
	if err := c.do(ctx, http.MethodGet, "/ownership/gaps", nil, nil, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// ServiceOwnership returns what a service's own resources ask of its team.
func (c *Client) ServiceOwnership(ctx context.Context, service string) (*ownership.ServiceReport, error) {
	var r ownership.ServiceReport
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/ownership", nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// LatestCheckResources returns the resources of the service's latest
// check that carried any, or nil when none did.
func (c *Client) LatestCheckResources(ctx context.Context, service string) (*paved.CheckResources, error) {
	var rs paved.CheckResources
	err := c.do(ctx, http.MethodGet, launchPath(service)+"/check-resources", nil, nil, &rs)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		// Tell "no check yet" from "no such service".
		if _, serr := c.FindService(ctx, service); serr != nil {
			return nil, serr
		}
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &rs, nil
}
