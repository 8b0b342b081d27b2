package main

// The mixed scenario (-scenario mixed): what a paved server sees in a
// working day, in proportions set by -weights. Each client picks a route at
// random by weight, sends one request, waits for the answer, and picks
// again:
//
//	portal-catalog  GET /services[?team=T]                  portal page, session cookie
//	portal-service  GET /services/{name}                    portal page, session cookie
//	api-list        GET /api/v1/services?team=T[&phase=P]   bearer token
//	api-service     GET /api/v1/services/{name}             bearer token
//	api-launch      GET /api/v1/services/{name}/launch      bearer token
//	answer          PUT /api/v1/services/{name}/answers/{item}  a new revision, unique text
//	check           POST /api/v1/services/{name}/checks     a recorded check with findings and resources
//
// Before the run it signs in on every target (the portal's sign-in form,
// CSRF included) and reads the catalog and the checklist template to know
// which services and items exist. Clients are spread over the targets
// (-url a,b: two replicas on one database). It records latency per route
// (p50/p90/p99/max), status counts and errors, and samples the servers'
// resident memory (-pids) every -sample.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paved "github.com/paved-dev/paved"
)

// defaultWeights: mostly reads, as a portal is used; 15% writes.
const defaultWeights = "portal-catalog=10,portal-service=15,api-list=20,api-service=15,api-launch=10,answer=10,check=5"

var routeOrder = []string{"portal-catalog", "portal-service", "api-list", "api-service", "api-launch", "answer", "check"}

type mixedOptions struct {
	targets []string
	token   string
	clients int
	dur     time.Duration
	maxReq  int64
	weights map[string]int
	pids    []int
	sample  time.Duration
	seed    uint64
}

// world is what the scenario knows of the server's data.
type world struct {
	services   []string // every active service
	answerable []string // services in playground or green-light (answers are taken)
	teams      []string
	phases     []string
	items      []string // checklist items answered with text
	cookies    map[string]string
}

type request struct {
	method, path string
	body         []byte
	session      bool
}

type routeStats struct {
	lat      []time.Duration
	statuses map[int]int64
	errors   int64
}

type routeResult struct {
	Route     string             `json:"route"`
	Requests  int64              `json:"requests"`
	Errors    int64              `json:"errors"`
	Statuses  map[int]int64      `json:"statuses"`
	RPS       float64            `json:"rps"`
	Latencies map[string]float64 `json:"latency_ms"`
}

type rssSample struct {
	At  float64 `json:"t_s"`
	MiB float64 `json:"rss_mib"`
}

type rssResult struct {
	PID     int         `json:"pid"`
	Samples []rssSample `json:"samples"`
	Before  float64     `json:"before_mib"` // idle, before the load
	Start   float64     `json:"start_mib"`  // first sample under load
	Middle  float64     `json:"middle_mib"`
	End     float64     `json:"end_mib"`
	Max     float64     `json:"max_mib"`
}

type mixedResult struct {
	Scenario     string             `json:"scenario"`
	Targets      []string           `json:"targets"`
	Clients      int                `json:"clients"`
	Duration     float64            `json:"duration_s"`
	Requests     int64              `json:"requests"`
	Errors       int64              `json:"errors"`
	RPS          float64            `json:"rps"`
	Latencies    map[string]float64 `json:"latency_ms"`
	Routes       []routeResult      `json:"routes"`
	RSS          []rssResult        `json:"rss,omitempty"`
	ErrorSamples []string           `json:"error_samples,omitempty"`
	Services     int                `json:"services"`
}

func parseWeights(s string) (map[string]int, error) {
	w := map[string]int{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || !slices.Contains(routeOrder, k) {
			return nil, fmt.Errorf("-weights %q: want route=N,... with routes %s", kv, strings.Join(routeOrder, ", "))
		}
		w[k] = n
	}
	return w, nil
}

func runMixed(o mixedOptions, out, summary io.Writer) error {
	tr := &http.Transport{MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	wd, err := discover(hc, o.targets, o.token)
	if err != nil {
		return err
	}
	var picks []string
	for _, r := range routeOrder {
		for range o.weights[r] {
			picks = append(picks, r)
		}
	}
	if len(picks) == 0 {
		return fmt.Errorf("every weight is 0")
	}
	checkBody := func(rng *rand.Rand, n int64) []byte { return checkRecord(rng, n) }

	build := func(route string, rng *rand.Rand, n int64) request {
		svc := wd.services[rng.IntN(len(wd.services))]
		team := wd.teams[rng.IntN(len(wd.teams))]
		switch route {
		case "portal-catalog":
			if rng.IntN(2) == 0 {
				return request{method: "GET", path: "/services", session: true}
			}
			return request{method: "GET", path: "/services?team=" + url.QueryEscape(team), session: true}
		case "portal-service":
			return request{method: "GET", path: "/services/" + url.PathEscape(svc), session: true}
		case "api-list":
			p := "/api/v1/services?team=" + url.QueryEscape(team)
			if rng.IntN(2) == 0 {
				p += "&phase=" + wd.phases[rng.IntN(len(wd.phases))]
			}
			return request{method: "GET", path: p}
		case "api-service":
			return request{method: "GET", path: "/api/v1/services/" + url.PathEscape(svc)}
		case "api-launch":
			return request{method: "GET", path: "/api/v1/services/" + url.PathEscape(svc) + "/launch"}
		case "answer":
			a := wd.answerable[rng.IntN(len(wd.answerable))]
			item := wd.items[rng.IntN(len(wd.items))]
			body, _ := json.Marshal(map[string]string{"text": fmt.Sprintf("Load test answer %d: blue-green deploys with an automated rollback on error rate.", n)})
			return request{method: "PUT", path: "/api/v1/services/" + url.PathEscape(a) + "/answers/" + url.PathEscape(item), body: body}
		default: // check
			return request{method: "POST", path: "/api/v1/services/" + url.PathEscape(svc) + "/checks", body: checkBody(rng, n)}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), o.dur)
	defer cancel()

	// Memory: a sample before the load, then every o.sample.
	var rssMu sync.Mutex
	rss := make([][]rssSample, len(o.pids))
	before := make([]float64, len(o.pids))
	for i, pid := range o.pids {
		before[i], _ = readRSS(pid)
	}
	start := time.Now()
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		if len(o.pids) == 0 {
			return
		}
		tick := time.NewTicker(o.sample)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			at := time.Since(start).Seconds()
			rssMu.Lock()
			for i, pid := range o.pids {
				if m, err := readRSS(pid); err == nil {
					rss[i] = append(rss[i], rssSample{At: at, MiB: m})
				}
			}
			rssMu.Unlock()
		}
	}()

	var (
		mu       sync.Mutex
		all      = map[string]*routeStats{}
		samples  []string
		total    atomic.Int64
		counter  atomic.Int64
		wg       sync.WaitGroup
		errTotal atomic.Int64
	)
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(o.seed, uint64(c)))
			target := o.targets[c%len(o.targets)]
			local := map[string]*routeStats{}
			for _, r := range routeOrder {
				local[r] = &routeStats{statuses: map[int]int64{}}
			}
			for ctx.Err() == nil && total.Add(1) <= o.maxReq {
				route := picks[rng.IntN(len(picks))]
				rq := build(route, rng, counter.Add(1))
				var body io.Reader
				if rq.body != nil {
					body = bytes.NewReader(rq.body)
				}
				req, _ := http.NewRequestWithContext(ctx, rq.method, target+rq.path, body)
				if rq.session {
					req.Header.Set("Cookie", wd.cookies[target])
				} else {
					req.Header.Set("Authorization", "Bearer "+o.token)
				}
				if rq.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				st := local[route]
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						break // the run ended mid-request: not an error
					}
					st.errors++
					errTotal.Add(1)
					mu.Lock()
					if len(samples) < 20 {
						samples = append(samples, fmt.Sprintf("%s %s: %v", rq.method, rq.path, err))
					}
					mu.Unlock()
					continue
				}
				b, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if rerr != nil && ctx.Err() != nil {
					break
				}
				st.lat = append(st.lat, time.Since(t0))
				st.statuses[resp.StatusCode]++
				if resp.StatusCode/100 != 2 || rerr != nil {
					st.errors++
					errTotal.Add(1)
					mu.Lock()
					if len(samples) < 20 {
						samples = append(samples, fmt.Sprintf("%s %s: %d %s %v", rq.method, rq.path, resp.StatusCode, truncate(b, 300), rerr))
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			for r, s := range local {
				a := all[r]
				if a == nil {
					a = &routeStats{statuses: map[int]int64{}}
					all[r] = a
				}
				a.lat = append(a.lat, s.lat...)
				a.errors += s.errors
				for k, v := range s.statuses {
					a.statuses[k] += v
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	<-samplerDone

	res := mixedResult{Scenario: "mixed", Targets: o.targets, Clients: o.clients, Duration: elapsed.Seconds(),
		Errors: errTotal.Load(), ErrorSamples: samples, Services: len(wd.services)}
	var every []time.Duration
	for _, r := range routeOrder {
		s := all[r]
		if s == nil || o.weights[r] == 0 {
			continue
		}
		slices.Sort(s.lat)
		every = append(every, s.lat...)
		res.Routes = append(res.Routes, routeResult{Route: routeName(r), Requests: int64(len(s.lat)), Errors: s.errors,
			Statuses: s.statuses, RPS: float64(len(s.lat)) / elapsed.Seconds(), Latencies: percentiles(s.lat)})
		res.Requests += int64(len(s.lat))
	}
	slices.Sort(every)
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	res.Latencies = percentiles(every)
	for i, pid := range o.pids {
		r := rssResult{PID: pid, Samples: rss[i], Before: before[i]}
		if n := len(rss[i]); n > 0 {
			r.Start, r.Middle, r.End = rss[i][0].MiB, rss[i][n/2].MiB, rss[i][n-1].MiB
			for _, s := range rss[i] {
				r.Max = max(r.Max, s.MiB)
			}
		}
		res.RSS = append(res.RSS, r)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if summary != nil {
		writeSummary(summary, &res)
	}
	return nil
}

func routeName(r string) string {
	switch r {
	case "portal-catalog":
		return "GET /services (portal)"
	case "portal-service":
		return "GET /services/{name} (portal)"
	case "api-list":
		return "GET /api/v1/services?team=…"
	case "api-service":
		return "GET /api/v1/services/{name}"
	case "api-launch":
		return "GET /api/v1/services/{name}/launch"
	case "answer":
		return "PUT /api/v1/services/{name}/answers/{item}"
	case "check":
		return "POST /api/v1/services/{name}/checks"
	}
	return r
}

func percentiles(lat []time.Duration) map[string]float64 {
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	return map[string]float64{"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1)}
}

func truncate(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// writeSummary prints the result as Markdown tables for docs/performance.md.
func writeSummary(w io.Writer, r *mixedResult) {
	fmt.Fprintf(w, "%d clients on %d target(s), %.0f s, %d services: %d requests (%.0f/s), %d errors; all routes p50 %.1f ms, p99 %.1f ms\n\n",
		r.Clients, len(r.Targets), r.Duration, r.Services, r.Requests, r.RPS, r.Errors, r.Latencies["p50"], r.Latencies["p99"])
	fmt.Fprintln(w, "| route | requests | errors | p50 | p90 | p99 | max |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, rt := range r.Routes {
		fmt.Fprintf(w, "| `%s` | %d | %d | %.1f ms | %.1f ms | %.1f ms | %.0f ms |\n", rt.Route, rt.Requests, rt.Errors,
			rt.Latencies["p50"], rt.Latencies["p90"], rt.Latencies["p99"], rt.Latencies["max"])
	}
	if len(r.RSS) > 0 {
		fmt.Fprintln(w, "\n| server | RSS before | start | middle | end | max |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
		for i, m := range r.RSS {
			fmt.Fprintf(w, "| %d | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB | %.0f MiB |\n", i+1, m.Before, m.Start, m.Middle, m.End, m.Max)
		}
	}
	for _, s := range r.ErrorSamples {
		fmt.Fprintln(w, "error:", s)
	}
}

// readRSS returns a process's resident set size in MiB.
func readRSS(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signin signs in to the portal with the token, as a browser does, and
// returns the session cookie.
func signin(hc *http.Client, base, token string) (string, error) {
	resp, err := hc.Get(base + "/signin")
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(b)
	var csrfCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "paved_signin_csrf" {
			csrfCookie = c
		}
	}
	if m == nil || csrfCookie == nil {
		return "", fmt.Errorf("%s/signin: no sign-in form with its CSRF cookie (status %d)", base, resp.StatusCode)
	}
	form := url.Values{"csrf": {string(m[1])}, "token": {token}, "next": {"/"}}
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", csrfCookie.Name+"="+csrfCookie.Value)
	resp, err = hc.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "paved_session" && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("%s/signin: status %d and no session cookie", base, resp.StatusCode)
}

// discover signs in on every target and reads the services, teams and
// checklist items the scenario uses.
func discover(hc *http.Client, targets []string, token string) (*world, error) {
	wd := &world{cookies: map[string]string{}, phases: []string{"playground", "green-light", "production"}}
	for _, t := range targets {
		c, err := signin(hc, t, token)
		if err != nil {
			return nil, err
		}
		wd.cookies[t] = c
	}
	get := func(path string, out any) error {
		req, _ := http.NewRequest("GET", targets[0]+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, truncate(b, 300))
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	for off := 0; ; off += 500 {
		var page struct {
			Items []struct{ Name, Phase string }
			Total int
		}
		if err := get(fmt.Sprintf("/api/v1/services?limit=500&offset=%d", off), &page); err != nil {
			return nil, err
		}
		for _, s := range page.Items {
			wd.services = append(wd.services, s.Name)
			if s.Phase == "playground" || s.Phase == "green-light" {
				wd.answerable = append(wd.answerable, s.Name)
			}
		}
		if off+500 >= page.Total {
			break
		}
	}
	var teams struct{ Items []struct{ Name string } }
	if err := get("/api/v1/teams?limit=500", &teams); err != nil {
		return nil, err
	}
	for _, t := range teams.Items {
		wd.teams = append(wd.teams, t.Name)
	}
	var tpl paved.Template
	if err := get("/api/v1/templates/checklist", &tpl); err != nil {
		return nil, err
	}
	for _, a := range tpl.Areas {
		for _, it := range a.Items {
			if it.Form == paved.FormText {
				wd.items = append(wd.items, it.ID)
			}
		}
	}
	if len(wd.services) == 0 || len(wd.answerable) == 0 || len(wd.teams) == 0 || len(wd.items) == 0 {
		return nil, fmt.Errorf("the server has %d services (%d in playground or green-light), %d teams, %d checklist items: import a catalog first",
			len(wd.services), len(wd.answerable), len(wd.teams), len(wd.items))
	}
	sort.Strings(wd.services)
	return wd, nil
}

// checkRecord is the body of a recorded check as `paved check --server`
// sends it: a service stack of 24 resources, the rules that ran and their
// findings (a few deny, more warn).
func checkRecord(rng *rand.Rand, n int64) []byte {
	types := []string{"aws_db_instance", "aws_s3_bucket", "aws_lb", "aws_ecs_service", "aws_elasticache_cluster", "aws_sqs_queue",
		"aws_iam_role", "aws_kms_key"}
	rules := []string{"aws-db-encryption", "aws-db-public", "aws-s3-public-acl", "aws-s3-versioning", "required-tags",
		"aws-lb-https", "aws-cache-encryption", "aws-kms-rotation"}
	c := paved.CheckRecord{Commit: fmt.Sprintf("%040x", n), Branch: "main", RunURL: fmt.Sprintf("https://ci.example.com/runs/%d", n),
		ResourceTypes: map[string]int{}, Rules: rules}
	for i := range 24 {
		t := types[i%len(types)]
		addr := fmt.Sprintf("%s.r%d", t, i)
		c.ResourceTypes[t]++
		c.Resources = append(c.Resources, &paved.CheckResource{Address: addr, Type: t, Action: "update", Region: "eu-west-1",
			After: map[string]any{"name": fmt.Sprintf("r%d", i), "encrypted": i%3 != 0, "instance_class": "db.r6g.large",
				"tags": map[string]any{"team": "payments", "service": "checkout"}},
			Tags: map[string]string{"team": "payments", "service": "checkout"}})
		if i%3 == 0 {
			sev := paved.SeverityWarn
			if i%6 == 0 {
				sev = paved.SeverityDeny
			}
			f := paved.Finding{Rule: rules[rng.IntN(len(rules))], Severity: sev, Resource: addr, ResourceType: t, Action: "update",
				Message: "the resource is not encrypted at rest", Path: "encrypted", Value: false,
				Remediation: "set encrypted = true", File: "main.tf", Line: 10 + i}
			f.Fingerprint = f.ComputeFingerprint()
			c.Findings = append(c.Findings, f)
		}
	}
	b, _ := json.Marshal(&c)
	return b
}
