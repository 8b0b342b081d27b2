package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/exception"
)

// Exceptions. The methods mirror exception.Service (as the CLI's backend
// names them), so the local database and a server have one shape.

func exceptionPath(id int64) string { return "/exceptions/" + strconv.FormatInt(id, 10) }

// RequestExceptions opens exception requests for deny findings of a
// recorded check (an identical pending request is reused).
func (c *Client) RequestExceptions(ctx context.Context, in exception.RequestInput) (*exception.RequestResult, error) {
	var res exception.RequestResult
	if err := c.do(ctx, http.MethodPost, "/exceptions", nil, in, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// GetException returns one exception with its thread.
func (c *Client) GetException(ctx context.Context, id int64) (*paved.Exception, error) {
	var e paved.Exception
	if err := c.do(ctx, http.MethodGet, exceptionPath(id), nil, nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ListExceptions lists exceptions with their total.
func (c *Client) ListExceptions(ctx context.Context, f paved.ExceptionFilter, expiring bool) ([]*paved.Exception, int, error) {
	q := url.Values{}
	setIf(q, "service", f.Service)
	setIf(q, "team", f.Team)
	setIf(q, "status", string(f.Status))
	if expiring {
		q.Set("expiring", "true")
	}
	setPage(q, f.Page)
	var l api.List[*paved.Exception]
	if err := c.do(ctx, http.MethodGet, "/exceptions", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// ApproveException approves a pending request.
func (c *Client) ApproveException(ctx context.Context, id int64, expires, conditions string) (*paved.Exception, error) {
	var e paved.Exception
	if err := c.do(ctx, http.MethodPost, exceptionPath(id)+"/approve", nil, api.ApproveRequest{Expires: expires, Conditions: conditions}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// RejectException rejects a pending request with a reason.
func (c *Client) RejectException(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	var e paved.Exception
	if err := c.do(ctx, http.MethodPost, exceptionPath(id)+"/reject", nil, api.ReasonRequest{Reason: reason}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// CommentOnException adds a message to a request's thread.
func (c *Client) CommentOnException(ctx context.Context, id int64, body string) (*paved.ExceptionComment, error) {
	var cm paved.ExceptionComment
	if err := c.do(ctx, http.MethodPost, exceptionPath(id)+"/comments", nil, api.CommentRequest{Body: body}, &cm); err != nil {
		return nil, err
	}
	return &cm, nil
}

// WithdrawException revokes a pending or approved exception.
func (c *Client) WithdrawException(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	var e paved.Exception
	if err := c.do(ctx, http.MethodPost, exceptionPath(id)+"/revoke", nil, api.ReasonRequest{Reason: reason}, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// ExportExceptions returns the signed file of the approved, unexpired
// exceptions ("" for every service).
func (c *Client) ExportExceptions(ctx context.Context, service string) (*exception.File, error) {
	q := url.Values{}
	setIf(q, "service", service)
	var f exception.File
	if err := c.do(ctx, http.MethodGet, "/exceptions/export", q, nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// ExceptionPublicKey returns the key exports are signed with.
func (c *Client) ExceptionPublicKey(ctx context.Context) (string, error) {
	var k api.PublicKeyResponse
	if err := c.do(ctx, http.MethodGet, "/exceptions/key", nil, nil, &k); err != nil {
		return "", err
	}
	return k.PublicKey, nil
}

// CheckCoverage answers which deny findings of a recorded check valid
// exceptions cover.
func (c *Client) CheckCoverage(ctx context.Context, check int64) (*paved.ExceptionCoverage, error) {
	var cov paved.ExceptionCoverage
	if err := c.do(ctx, http.MethodGet, "/checks/"+strconv.FormatInt(check, 10)+"/coverage", nil, nil, &cov); err != nil {
		return nil, err
	}
	return &cov, nil
}
