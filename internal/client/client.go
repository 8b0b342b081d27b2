// Package client talks to a paved server's REST API (/api/v1). It is what
// the CLI uses with --server: its methods mirror the store's, and a
// problem+json answer becomes the same *paved.Error the store would have
// returned, so a command prints the same message and exits with the same
// code whether it ran locally or against a server.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Limits on what the client reads back. A list page of 500 services is a
// few hundred kilobytes; an export of a large catalog some megabytes.
const (
	maxResponseBytes = 64 << 20
	maxProblemBytes  = 64 << 10
)

// Client is a paved API client. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	ua    string
}

// Option configures New.
type Option func(*Client)

// WithHTTPClient replaces the default HTTP client (tests, proxies).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithUserAgent sets the User-Agent header, e.g. "paved/1.2.3".
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.ua = ua }
}

// New returns a client for the server at baseURL (http or https, with an
// optional path prefix) that authenticates with token.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "server", "server URL %q is not valid: want http(s)://host[:port]", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "server", "server URL %q must not carry a query, fragment or credentials: the token goes in PAVED_TOKEN", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if token == "" {
		// Unauthorized, as docs/cli.md says of a missing token (exit 1):
		// the same as a wrong one, whatever the command line.
		return nil, paved.FieldErrorf(paved.EUNAUTHORIZED, "token", "no API token: set PAVED_TOKEN (create one with `paved token create --user NAME`), or run paved check in a CI job that offers its ID token (docs/ci.md)")
	}
	if strings.ContainsAny(token, "\r\n") {
		return nil, paved.FieldErrorf(paved.EINVALID, "token", "the API token contains a line break: check PAVED_TOKEN")
	}
	return newClient(u, token, opts), nil
}

// newClient is New after the checks; token "" sends no Authorization
// header (the CI token exchange, whose credential is its body).
func newClient(u *url.URL, token string, opts []Option) *Client {
	c := &Client{
		base:  u,
		token: token,
		ua:    "paved-client",
		http: &http.Client{
			// The overall timeout covers a large import or export; the
			// transport's own timeouts catch a server that never answers.
			Timeout: 5 * time.Minute,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 2 * time.Minute,
				IdleConnTimeout:       90 * time.Second,
				MaxIdleConnsPerHost:   4,
				ForceAttemptHTTP2:     true,
			},
		},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// ExchangeCIToken trades a CI job's ID token for a short-lived paved token
// at the server at baseURL (POST /api/v1/auth/ci-token, docs/ci.md),
// scoped to services (all those built from the job's repository when
// empty). The returned client authenticates with the new token.
func ExchangeCIToken(ctx context.Context, baseURL, idToken string, services []string, opts ...Option) (*Client, *api.CITokenAnswer, error) {
	probe, err := New(baseURL, "-", opts...) // checks the URL alike
	if err != nil {
		return nil, nil, err
	}
	anon := newClient(probe.base, "", opts)
	var out api.CITokenAnswer
	if err := anon.do(ctx, http.MethodPost, "/auth/ci-token", nil, api.CITokenRequest{Token: idToken, Services: services}, &out); err != nil {
		return nil, nil, err
	}
	if out.Token == "" {
		return nil, nil, paved.Errorf(paved.EINTERNAL, "the server's answer to the CI token exchange holds no token")
	}
	return newClient(probe.base, out.Token, opts), &out, nil
}

// BaseURL returns the server URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// do sends a request to path (under /api/v1) with an optional JSON body and
// decodes a JSON answer into out (when out is not nil). Failures come back
// as *paved.Error: the server's own when it sent problem+json, otherwise one
// that says what went wrong with the exchange.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	resp, err := c.send(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		return nil
	}
	if ct := mediaType(resp.Header.Get("Content-Type")); ct != "application/json" {
		return paved.Errorf(paved.EINTERNAL, "%s %s: the server answered %s, not JSON: is %s a paved server?", method, path, orUnknown(ct), c.base)
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes))
	if err := dec.Decode(out); err != nil {
		return paved.Errorf(paved.EINTERNAL, "%s %s: cannot read the server's answer: %v", method, path, err)
	}
	return nil
}

// send performs the request and returns a response with a 2xx status; any
// other status is turned into an error and the body closed.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, body any) (*http.Response, error) {
	// path holds escaped names (see name); keep both forms so that a name
	// with a slash or percent sign is sent escaped exactly once.
	u := *c.base
	u.RawPath = c.base.EscapedPath() + "/api/v1" + path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("client: bad request path %q: %w", path, err)
	}
	u.Path = p
	u.RawQuery = q.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("client: encoding the %s %s request: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("client: building the %s %s request: %w", method, path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", c.ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Most often the server is down or the URL wrong; say which server.
		return nil, paved.Errorf(paved.EINTERNAL, "cannot reach the paved server at %s: %v", c.base, unwrapURLError(err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, problemError(resp)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// codeByStatus recovers a paved code when an answer is not problem+json
// (a proxy's error page, say): the inverse of the server's one table.
var codeByStatus = map[int]string{
	http.StatusBadRequest:            paved.EINVALID,
	http.StatusUnauthorized:          paved.EUNAUTHORIZED,
	http.StatusForbidden:             paved.EFORBIDDEN,
	http.StatusNotFound:              paved.ENOTFOUND,
	http.StatusConflict:              paved.ECONFLICT,
	http.StatusRequestEntityTooLarge: paved.ETOOLARGE,
	http.StatusUnprocessableEntity:   paved.EUNPROCESSABLE,
	http.StatusTooManyRequests:       paved.ERATELIMITED,
}

// problemError turns an error answer into a *paved.Error.
func problemError(resp *http.Response) error {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxProblemBytes))
	ct := mediaType(resp.Header.Get("Content-Type"))
	if ct == "application/problem+json" || ct == "application/json" {
		var p api.Problem
		if json.Unmarshal(data, &p) == nil && p.Code != "" {
			msg := p.Detail
			if msg == "" {
				msg = p.Title
			}
			return &paved.Error{Code: p.Code, Message: msg, Field: p.Field}
		}
	}
	code, ok := codeByStatus[resp.StatusCode]
	if !ok {
		code = paved.EINTERNAL
	}
	snippet := strings.TrimSpace(string(data))
	if len(snippet) > 200 {
		snippet = snippet[:200] + "..."
	}
	msg := fmt.Sprintf("the server answered %s", resp.Status)
	if snippet != "" && ct != "text/html" {
		msg += ": " + snippet
	}
	return paved.Errorf(code, "%s", msg)
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mt
}

func orUnknown(s string) string {
	if s == "" {
		return "no content type"
	}
	return s
}

// setPage adds offset and limit when they are set.
func setPage(q url.Values, p paved.Page) {
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

func name(n string) string { return "/" + url.PathEscape(n) }
