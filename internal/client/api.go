package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Me returns the user the token belongs to.
func (c *Client) Me(ctx context.Context) (*paved.User, error) {
	var u paved.User
	if err := c.do(ctx, http.MethodGet, "/me", nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindServices lists services matching f.
func (c *Client) FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error) {
	q := url.Values{}
	setIf(q, "team", f.Team)
	setIf(q, "phase", string(f.Phase))
	if f.Tier != 0 {
		q.Set("tier", strconv.Itoa(int(f.Tier)))
	}
	setIf(q, "data_class", string(f.DataClass))
	setIf(q, "q", f.Query)
	if f.IncludeRetired {
		q.Set("include_retired", "true")
	}
	setPage(q, f.Page)
	var l api.List[*paved.Service]
	if err := c.do(ctx, http.MethodGet, "/services", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// FindService returns one service by name.
func (c *Client) FindService(ctx context.Context, n string) (*paved.Service, error) {
	var s paved.Service
	if err := c.do(ctx, http.MethodGet, "/services"+name(n), nil, nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// CreateService creates s and fills it with what the server stored.
func (c *Client) CreateService(ctx context.Context, s *paved.Service) error {
	return c.do(ctx, http.MethodPost, "/services", nil, s, s)
}

// UpdateService changes the fields set in u.
func (c *Client) UpdateService(ctx context.Context, n string, u paved.ServiceUpdate) (*paved.Service, error) {
	var s paved.Service
	if err := c.do(ctx, http.MethodPatch, "/services"+name(n), nil, u, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// RetireService moves a service to the retired phase.
func (c *Client) RetireService(ctx context.Context, n string) error {
	return c.do(ctx, http.MethodPost, "/services"+name(n)+"/retire", nil, nil, nil)
}

// FindTeams lists teams matching f.
func (c *Client) FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error) {
	q := url.Values{}
	setIf(q, "kind", string(f.Kind))
	setIf(q, "q", f.Query)
	if f.IncludeRetired {
		q.Set("include_retired", "true")
	}
	setPage(q, f.Page)
	var l api.List[*paved.Team]
	if err := c.do(ctx, http.MethodGet, "/teams", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// FindTeam returns one team by name.
func (c *Client) FindTeam(ctx context.Context, n string) (*paved.Team, error) {
	var t paved.Team
	if err := c.do(ctx, http.MethodGet, "/teams"+name(n), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateTeam creates t and fills it with what the server stored.
func (c *Client) CreateTeam(ctx context.Context, t *paved.Team) error {
	return c.do(ctx, http.MethodPost, "/teams", nil, t, t)
}

// UpdateTeam changes the fields set in u.
func (c *Client) UpdateTeam(ctx context.Context, n string, u paved.TeamUpdate) (*paved.Team, error) {
	var t paved.Team
	if err := c.do(ctx, http.MethodPatch, "/teams"+name(n), nil, u, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// RetireTeam retires a team.
func (c *Client) RetireTeam(ctx context.Context, n string) error {
	return c.do(ctx, http.MethodPost, "/teams"+name(n)+"/retire", nil, nil, nil)
}

// FindUsers lists users matching f.
func (c *Client) FindUsers(ctx context.Context, f paved.UserFilter) ([]*paved.User, int, error) {
	q := url.Values{}
	setIf(q, "team", f.Team)
	setIf(q, "role", string(f.Role))
	setIf(q, "q", f.Query)
	if f.IncludeRetired {
		q.Set("include_retired", "true")
	}
	setPage(q, f.Page)
	var l api.List[*paved.User]
	if err := c.do(ctx, http.MethodGet, "/users", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// FindUser returns one user by name.
func (c *Client) FindUser(ctx context.Context, n string) (*paved.User, error) {
	var u paved.User
	if err := c.do(ctx, http.MethodGet, "/users"+name(n), nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateUser creates u and fills it with what the server stored.
func (c *Client) CreateUser(ctx context.Context, u *paved.User) error {
	return c.do(ctx, http.MethodPost, "/users", nil, u, u)
}

// UpdateUser changes the fields set in u.
func (c *Client) UpdateUser(ctx context.Context, n string, u paved.UserUpdate) (*paved.User, error) {
	var v paved.User
	if err := c.do(ctx, http.MethodPatch, "/users"+name(n), nil, u, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// RetireUser retires a user.
func (c *Client) RetireUser(ctx context.Context, n string) error {
	return c.do(ctx, http.MethodPost, "/users"+name(n)+"/retire", nil, nil, nil)
}

// FindTokens lists the tokens of user; an empty user means the caller.
func (c *Client) FindTokens(ctx context.Context, user string) ([]*paved.Token, error) {
	q := url.Values{}
	setIf(q, "user", user)
	var l api.List[*paved.Token]
	if err := c.do(ctx, http.MethodGet, "/tokens", q, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CreateToken creates a token for user that expires after days (0: never),
// limited to scope (nil: none), and returns it with its secret.
func (c *Client) CreateToken(ctx context.Context, user, tokenName string, days int, scope *paved.TokenScope) (*paved.Token, string, error) {
	req := api.TokenRequest{User: user, Name: tokenName, Scope: scope.String()}
	if days > 0 {
		req.ExpiresInDays = &days
	}
	var out api.TokenCreated
	if err := c.do(ctx, http.MethodPost, "/tokens", nil, req, &out); err != nil {
		return nil, "", err
	}
	if out.Token == nil || out.Secret == "" {
		return nil, "", paved.Errorf(paved.EINTERNAL, "the server's answer to token creation holds no token or secret")
	}
	return out.Token, out.Secret, nil
}

// RevokeToken revokes the token with this id.
func (c *Client) RevokeToken(ctx context.Context, id int64) error {
	return c.do(ctx, http.MethodPost, "/tokens/"+strconv.FormatInt(id, 10)+"/revoke", nil, nil, nil)
}

// FindAuditEvents lists audit events, newest first.
func (c *Client) FindAuditEvents(ctx context.Context, f paved.AuditFilter) ([]*paved.AuditEvent, int, error) {
	q := url.Values{}
	setIf(q, "object_type", f.ObjectType)
	setIf(q, "object_id", f.ObjectID)
	setIf(q, "actor", f.Actor)
	setPage(q, f.Page)
	var l api.List[*paved.AuditEvent]
	if err := c.do(ctx, http.MethodGet, "/audit", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// VerifyAudit asks the server to verify the whole audit chain, which must
// still reach every head in expect (signed anchors).
func (c *Client) VerifyAudit(ctx context.Context, expect ...paved.AuditHead) (*api.AuditVerification, error) {
	var r api.AuditVerification
	q := url.Values{}
	for _, h := range expect {
		q.Add("expect", h.String())
	}
	if err := c.do(ctx, http.MethodGet, "/audit/verify", q, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// AnchorAudit asks the server to sign the head of its verified audit log.
func (c *Client) AnchorAudit(ctx context.Context) (*paved.AuditAnchor, error) {
	var a paved.AuditAnchor
	if err := c.do(ctx, http.MethodGet, "/audit/anchor", nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// ImportCatalog sends catalog files to the server to import (or, with
// dryRun, only to plan); with strict, every warning (a dangling reference)
// is an error that leaves its entity out.
func (c *Client) ImportCatalog(ctx context.Context, files []api.ImportFile, dryRun, strict bool) (*api.ImportResult, error) {
	q := url.Values{}
	if dryRun {
		q.Set("dry_run", "true")
	}
	if strict {
		q.Set("strict", "true")
	}
	if files == nil {
		files = []api.ImportFile{}
	}
	var r api.ImportResult
	if err := c.do(ctx, http.MethodPost, "/catalog/import", q, api.ImportRequest{Files: files}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// ExportCatalog writes the server's catalog as Backstage YAML to w.
func (c *Client) ExportCatalog(ctx context.Context, w io.Writer) error {
	resp, err := c.send(ctx, http.MethodGet, "/catalog/export", nil, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return paved.Errorf(paved.EINTERNAL, "reading the export from %s: %v", c.base, err)
	}
	if n > maxResponseBytes {
		return paved.Errorf(paved.ETOOLARGE, "the export from %s is larger than %d bytes", c.base, maxResponseBytes)
	}
	return nil
}
