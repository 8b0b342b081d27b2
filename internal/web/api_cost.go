package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/cost"
)

// Spend over HTTP: the route table authorises each route, the handler hands over to
// cost.Spend, the service the CLI's local backend uses too.

// MaxIngestBytes bounds one ingest upload: a month of a large organisation
// is some gigabytes of CSV, less gzipped.
const MaxIngestBytes = 8 << 30

// MaxIngestUnpacked bounds what the gzip files of one ingest unpack to:
// billing CSV compresses about tenfold, so four times the body limit
// leaves room for any real export while a gzip bomb (a thousandfold) is
// refused with 413 instead of being read without end.
const MaxIngestUnpacked = 4 * MaxIngestBytes

// ingestTimeout is how long an ingest may read and write: the server's 60
// second deadlines are for ordinary requests.
const ingestTimeout = 30 * time.Minute

// monthParam reads month=YYYY-MM, or the month of the latest data.
func (s *Server) monthParam(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("month")
	if v == "" {
		return s.spend.LatestMonth(r.Context())
	}
	m, err := paved.ParseMonth(v)
	if err != nil {
		return time.Time{}, asParam("month", err)
	}
	return m, nil
}

// ingestCost reads one or more FOCUS files: a multipart/form-data body
// with one part per file (the CLI streams them so), or one file as the
// raw body (text/csv, application/gzip, application/octet-stream) named by
// ?name=. Everything is read while it is written, in one transaction.
func (s *Server) ingestCost(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	skip, err := parseBool(q, "skip_invalid")
	if err != nil {
		return err
	}
	accounts := map[string]string{}
	for _, kv := range q["account_map"] {
		acc, team, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(acc) == "" {
			return paved.FieldErrorf(paved.EINVALID, "account_map", "account_map %q: want ACCOUNT=TEAM", kv)
		}
		if err := paved.ValidateName("account_map", strings.TrimSpace(team)); err != nil {
			return err
		}
		accounts[strings.TrimSpace(acc)] = strings.TrimSpace(team)
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(ingestTimeout))
	_ = rc.SetWriteDeadline(time.Now().Add(ingestTimeout + time.Minute))
	body := http.MaxBytesReader(w, r.Body, MaxIngestBytes)
	req := cost.IngestRequest{SkipInvalid: skip, Accounts: accounts, MaxUnpacked: MaxIngestUnpacked}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		mr := multipart.NewReader(body, params["boundary"])
		req.Next = func(int) (string, io.Reader, error) {
			for {
				p, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					return "", nil, io.EOF
				}
				if err != nil {
					return "", nil, bodyError(err, "the multipart body is broken")
				}
				if p.FormName() != "file" {
					continue
				}
				name := p.FileName()
				if name == "" {
					name = "upload.csv"
				}
				return name, &bodyReader{r: p}, nil
			}
		}
	default:
		name := q.Get("name")
		if name == "" {
			name = "upload.csv"
		}
		req.Next = func(i int) (string, io.Reader, error) {
			if i > 0 {
				return "", nil, io.EOF
			}
			return name, &bodyReader{r: body}, nil
		}
	}
	res, err := s.spend.Ingest(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// bodyReader turns a body that is too large or cut off into a paved error.
type bodyReader struct{ r io.Reader }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = bodyError(err, "the upload was cut off")
	}
	return n, err
}

func bodyError(err error, what string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return paved.Errorf(paved.ETOOLARGE, "the upload is larger than %d bytes: split the export by billing account or gzip it", mbe.Limit)
	}
	return paved.Errorf(paved.EINVALID, "%s: %v", what, err)
}

// canReadSpend checks that the caller may read the spend f selects: a
// team's, a service's owner team's, or (neither named) every team's. The
// spend service decides from spend.visibility (cost.Spend.CanRead).
func (s *Server) canReadSpend(r *http.Request, f cost.ReportFilter) error {
	u := paved.UserFrom(r.Context())
	if s.spend.CanRead(u, "") == nil {
		return nil
	}
	if f.Service != "" {
		svc, err := s.store.FindService(r.Context(), f.Service)
		if err != nil {
			return err
		}
		if err := s.spend.CanRead(u, svc.Owner); err != nil {
			return err
		}
		if f.Team == "" {
			return nil
		}
	}
	return s.spend.CanRead(u, f.Team)
}

// spendReader is what the caller may read of spend (list views are
// filtered by it).
func (s *Server) spendReader(r *http.Request) cost.Reader {
	return s.spend.ReaderOf(paved.UserFrom(r.Context()))
}

func (s *Server) listCostBatches(w http.ResponseWriter, r *http.Request) error {
	// The batches total every team's billing lines.
	if err := s.canReadSpend(r, cost.ReportFilter{}); err != nil {
		return err
	}
	bs, err := s.store.FindCostBatches(r.Context())
	if err != nil {
		return err
	}
	writeItems(w, bs)
	return nil
}

func costFilter(q url.Values) (cost.ReportFilter, error) {
	var f cost.ReportFilter
	var err error
	if f.Team, err = parseName(q, "team"); err != nil {
		return f, err
	}
	if f.Service, err = parseName(q, "service"); err != nil {
		return f, err
	}
	return f, nil
}

func byParam(q url.Values, def paved.CostDimension) (paved.CostDimension, error) {
	v := q.Get("by")
	if v == "" {
		return def, nil
	}
	d, err := paved.ParseCostDimension(v)
	return d, asParam("by", err)
}

func (s *Server) getCostReport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	by, err := byParam(q, paved.ByTeam)
	if err != nil {
		return err
	}
	f, err := costFilter(q)
	if err != nil {
		return err
	}
	m, err := s.monthParam(r)
	if err != nil {
		return err
	}
	if err := s.canReadSpend(r, f); err != nil {
		return err
	}
	rep, err := s.spend.Report(r.Context(), m, by, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) getCostDaily(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	by, err := byParam(q, paved.ByTeam)
	if err != nil {
		return err
	}
	f, err := costFilter(q)
	if err != nil {
		return err
	}
	m, err := s.monthParam(r)
	if err != nil {
		return err
	}
	if err := s.canReadSpend(r, f); err != nil {
		return err
	}
	from, to := cost.MonthRange(m)
	ts, err := s.spend.Daily(r.Context(), from, to, by, f)
	if err != nil {
		return err
	}
	writeItems(w, ts)
	return nil
}

func (s *Server) listUntagged(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	m, err := s.monthParam(r)
	if err != nil {
		return err
	}
	items, err := s.spend.Untagged(r.Context(), m, p.Limit)
	if err != nil {
		return err
	}
	rd := s.spendReader(r)
	items = slices.DeleteFunc(items, func(u *paved.UntaggedCost) bool { return !rd.Reads(u.Team) })
	writeJSON(w, http.StatusOK, api.NewList(items, len(items), paved.Page{Limit: p.Limit}))
	return nil
}

func (s *Server) listBudgets(w http.ResponseWriter, r *http.Request) error {
	m, err := s.monthParam(r)
	if err != nil {
		return err
	}
	bs, err := s.spend.Budgets(r.Context(), m)
	if err != nil {
		return err
	}
	rd := s.spendReader(r)
	bs = slices.DeleteFunc(bs, func(b *cost.BudgetStatus) bool { return !rd.Reads(s.spend.TeamOf(b)) })
	writeItems(w, bs)
	return nil
}

func budgetPath(r *http.Request) (paved.BudgetScope, string, error) {
	scope, err := paved.ParseBudgetScope(r.PathValue("scope"))
	if err != nil {
		return "", "", err
	}
	return scope, r.PathValue("name"), nil
}

func (s *Server) putBudget(w http.ResponseWriter, r *http.Request) error {
	var req api.BudgetRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	scope, name, err := budgetPath(r)
	if err != nil {
		return err
	}
	b := &paved.Budget{Scope: scope, Name: name, Amount: req.Amount, Playground: req.Playground}
	if err := s.store.SetBudget(r.Context(), b); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) deleteBudget(w http.ResponseWriter, r *http.Request) error {
	scope, name, err := budgetPath(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteBudget(r.Context(), scope, name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listCostAlerts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := parsePage(q)
	if err != nil {
		return err
	}
	f := paved.CostAlertFilter{Limit: p.Limit, Name: q.Get("name")}
	if v := q.Get("month"); v != "" {
		m, err := paved.ParseMonth(v)
		if err != nil {
			return asParam("month", err)
		}
		f.Period = paved.Period(m)
	}
	if v := q.Get("scope"); v != "" {
		if f.Scope, err = paved.ParseBudgetScope(v); err != nil {
			return asParam("scope", err)
		}
	}
	if f.Team, err = parseName(q, "team"); err != nil {
		return err
	}
	if f.Team != "" {
		if err := s.canReadSpend(r, cost.ReportFilter{Team: f.Team}); err != nil {
			return err
		}
	}
	as, err := s.store.FindCostAlerts(r.Context(), f)
	if err != nil {
		return err
	}
	rd := s.spendReader(r)
	as = slices.DeleteFunc(as, func(a *paved.CostAlert) bool { return !rd.Reads(a.Team) })
	writeJSON(w, http.StatusOK, api.NewList(as, len(as), paved.Page{Limit: p.Limit}))
	return nil
}

func (s *Server) planCostAlert(w http.ResponseWriter, r *http.Request) error {
	var req api.PlanRequest
	if err := decodeJSON(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	a, err := s.store.PlanCostAlert(r.Context(), targetOf(r).Alert.ID, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) evaluateCost(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.spend.Evaluate(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ev)
	return nil
}

func (s *Server) reallocateCost(w http.ResponseWriter, r *http.Request) error {
	n, err := s.spend.Reallocate(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.ReallocateResponse{Changed: n})
	return nil
}

func (s *Server) getServiceBudget(w http.ResponseWriter, r *http.Request) error {
	if err := s.canReadSpend(r, cost.ReportFilter{Service: r.PathValue("name")}); err != nil {
		return err
	}
	sp, err := s.spend.Service(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sp)
	return nil
}
