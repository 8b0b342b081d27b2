package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/cost"
)

// Spend. The methods mirror cost.Spend as the CLI's local backend offers
// it, so that `paved cost ...` is written once for either backend.

func monthQuery(month string) url.Values {
	q := url.Values{}
	setIf(q, "month", month)
	return q
}

// CostIngest uploads the files of req in one multipart request, streamed
// as they are read (never held in memory), so that the server ingests them
// in one transaction like the local database does.
func (c *Client) CostIngest(ctx context.Context, req cost.IngestRequest) (*paved.CostIngest, error) {
	if len(req.Files) == 0 {
		return nil, paved.Errorf(paved.EINVALID, "name the FOCUS files to ingest")
	}
	var total int64
	for _, f := range req.Files {
		fi, err := os.Stat(f)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, f, "cannot read the billing file: %v", paved.UnwrapPathError(err))
		}
		total += fi.Size()
	}
	var done atomic.Int64
	if req.Progress != nil {
		req.Progress(func() (int64, int64) { return done.Load(), total })
	}
	q := url.Values{}
	if req.SkipInvalid {
		q.Set("skip_invalid", "true")
	}
	accs := make([]string, 0, len(req.Accounts))
	for a := range req.Accounts {
		accs = append(accs, a)
	}
	sort.Strings(accs)
	for _, a := range accs {
		q.Add("account_map", a+"="+req.Accounts[a])
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range req.Files {
			if err := writePart(mw, f, &done); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	resp, err := c.sendStream(ctx, http.MethodPost, "/cost/ingest", q, pr, mw.FormDataContentType())
	pr.Close()
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out paved.CostIngest
	if err := decodeBody(resp, http.MethodPost, "/cost/ingest", &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func writePart(mw *multipart.Writer, name string, done *atomic.Int64) error {
	f, err := os.Open(name)
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, name, "cannot read the billing file: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	w, err := mw.CreateFormFile("file", filepath.Base(name))
	if err != nil {
		return err
	}
	buf := make([]byte, 256<<10)
	for {
		n, rerr := f.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			done.Add(int64(n))
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return paved.FieldErrorf(paved.EINVALID, name, "cannot read the billing file: %v", rerr)
		}
	}
}

// sendStream is send with a raw body of the given content type.
func (c *Client) sendStream(ctx context.Context, method, path string, q url.Values, body io.Reader, contentType string) (*http.Response, error) {
	u := *c.base
	u.RawPath = c.base.EscapedPath() + "/api/v1" + path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("client: bad request path %q: %w", path, err)
	}
	u.Path = p
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: building the %s %s request: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Content-Type", contentType)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var pe *paved.Error
		if errors.As(err, &pe) {
			return nil, pe // a file that could not be read
		}
		return nil, paved.Errorf(paved.EINTERNAL, "cannot reach the paved server at %s: %v", c.base, unwrapURLError(err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, problemError(resp)
}

func decodeBody(resp *http.Response, method, path string, out any) error {
	if ct := mediaType(resp.Header.Get("Content-Type")); ct != "application/json" {
		return paved.Errorf(paved.EINTERNAL, "%s %s: the server answered %s, not JSON", method, path, orUnknown(ct))
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return paved.Errorf(paved.EINTERNAL, "%s %s: cannot read the server's answer: %v", method, path, err)
	}
	return nil
}

// CostReport returns a month's report ("" for the month of the latest
// data) grouped by `by`.
func (c *Client) CostReport(ctx context.Context, month string, by paved.CostDimension, f cost.ReportFilter) (*cost.Report, error) {
	q := monthQuery(month)
	setIf(q, "by", string(by))
	setIf(q, "team", f.Team)
	setIf(q, "service", f.Service)
	var r cost.Report
	if err := c.do(ctx, http.MethodGet, "/cost/report", q, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// CostUntagged ranks a month's untagged resources.
func (c *Client) CostUntagged(ctx context.Context, month string, limit int) ([]*paved.UntaggedCost, error) {
	q := monthQuery(month)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var l api.List[*paved.UntaggedCost]
	if err := c.do(ctx, http.MethodGet, "/cost/untagged", q, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CostBatches lists the ingested billing accounts and periods.
func (c *Client) CostBatches(ctx context.Context) ([]*paved.CostBatch, error) {
	var l api.List[*paved.CostBatch]
	if err := c.do(ctx, http.MethodGet, "/cost/batches", nil, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CostBudgets returns every budget with its spend in month.
func (c *Client) CostBudgets(ctx context.Context, month string) ([]*cost.BudgetStatus, error) {
	var l api.List[*cost.BudgetStatus]
	if err := c.do(ctx, http.MethodGet, "/cost/budgets", monthQuery(month), nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

func budgetPath(scope paved.BudgetScope, n string) string {
	return "/cost/budgets" + name(string(scope)) + name(n)
}

// CostSetBudget creates or replaces a budget.
func (c *Client) CostSetBudget(ctx context.Context, b *paved.Budget) (*paved.Budget, error) {
	body := api.BudgetRequest{Amount: b.Amount, Playground: b.Playground}
	var out paved.Budget
	if err := c.do(ctx, http.MethodPut, budgetPath(b.Scope, b.Name), nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CostDeleteBudget deletes a budget set through the API.
func (c *Client) CostDeleteBudget(ctx context.Context, scope paved.BudgetScope, n string) error {
	return c.do(ctx, http.MethodDelete, budgetPath(scope, n), nil, nil, nil)
}

// CostAlerts lists alerts, newest first.
func (c *Client) CostAlerts(ctx context.Context, f paved.CostAlertFilter) ([]*paved.CostAlert, error) {
	q := monthQuery(f.Period)
	setIf(q, "scope", string(f.Scope))
	setIf(q, "name", f.Name)
	setIf(q, "team", f.Team)
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var l api.List[*paved.CostAlert]
	if err := c.do(ctx, http.MethodGet, "/cost/alerts", q, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// CostPlanAlert marks an alert as planned activity.
func (c *Client) CostPlanAlert(ctx context.Context, id int64, reason string) (*paved.CostAlert, error) {
	var out paved.CostAlert
	if err := c.do(ctx, http.MethodPost, "/cost/alerts/"+strconv.FormatInt(id, 10)+"/plan", nil, api.PlanRequest{Reason: reason}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CostEvaluate runs the alert rules now.
func (c *Client) CostEvaluate(ctx context.Context) (*cost.Evaluation, error) {
	var out cost.Evaluation
	if err := c.do(ctx, http.MethodPost, "/cost/evaluate", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CostReallocate applies the server's allocation rules to the stored keys.
func (c *Client) CostReallocate(ctx context.Context) (int, error) {
	var out api.ReallocateResponse
	if err := c.do(ctx, http.MethodPost, "/cost/reallocate", nil, nil, &out); err != nil {
		return 0, err
	}
	return out.Changed, nil
}

// CostServiceSpend returns a service's spend in the latest month and its
// budget.
func (c *Client) CostServiceSpend(ctx context.Context, service string) (*cost.ServiceSpend, error) {
	var out cost.ServiceSpend
	if err := c.do(ctx, http.MethodGet, "/services"+name(service)+"/budget", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
