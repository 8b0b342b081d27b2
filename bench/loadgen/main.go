// Command loadgen is a bounded, closed-loop HTTP load generator for paved's
// benchmarks. Each of -c clients sends one request at a time until -d has
// passed. It only talks to loopback addresses: benchmarks here never send
// traffic elsewhere.
//
// By default every client sends GET requests, picking the next URL from the
// -paths list round-robin, and it prints one JSON object: requests, errors
// (non-2xx or transport), requests per second, and latency percentiles in
// milliseconds.
//
// -scenario mixed sends a working day's mix of portal pages, API reads,
// answer writes and check uploads (mixed.go), spread over the -url list
// (comma-separated: several replicas), and prints per-route latency and
// errors, and the servers' memory over the run (-pids):
//
//	loadgen -scenario mixed -url http://127.0.0.1:8080,http://127.0.0.1:8081 \
//	    -token "$TOKEN" -c 200 -d 5m -pids 1234,1235 -sample 5s -markdown
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Clients   int                `json:"clients"`
	Duration  float64            `json:"duration_s"`
	Requests  int64              `json:"requests"`
	Errors    int64              `json:"errors"`
	Statuses  map[int]int64      `json:"statuses"`
	RPS       float64            `json:"rps"`
	Latencies map[string]float64 `json:"latency_ms"`
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL (loopback only)")
	token := flag.String("token", os.Getenv("PAVED_TOKEN"), "bearer token")
	clients := flag.Int("c", 50, "concurrent clients")
	dur := flag.Duration("d", 30*time.Second, "duration (bounded: at most 10m)")
	pathsFile := flag.String("paths", "", "file with one request path per line (default: /api/v1/services)")
	maxReq := flag.Int64("max-requests", 50_000_000, "stop after this many requests in total")
	scenario := flag.String("scenario", "", `"mixed": portal pages, API reads, answer writes and check uploads by weight (default: GET the -paths)`)
	weights := flag.String("weights", defaultWeights, "with -scenario mixed: the share of each route")
	pids := flag.String("pids", "", "with -scenario mixed: comma-separated server process ids whose resident memory is sampled")
	sample := flag.Duration("sample", 5*time.Second, "with -scenario mixed: how often memory is sampled")
	markdown := flag.Bool("markdown", false, "with -scenario mixed: also print Markdown tables on stderr")
	seed := flag.Uint64("seed", 1, "with -scenario mixed: random seed")
	flag.Parse()
	if *scenario != "" {
		err := func() error {
			if *scenario != "mixed" {
				return fmt.Errorf("-scenario %q: want mixed", *scenario)
			}
			o := mixedOptions{token: *token, clients: *clients, dur: min(*dur, 10*time.Minute), maxReq: *maxReq, sample: *sample, seed: *seed}
			for _, u := range strings.Split(*base, ",") {
				if err := checkLoopback(u); err != nil {
					return err
				}
				o.targets = append(o.targets, strings.TrimRight(u, "/"))
			}
			var err error
			if o.weights, err = parseWeights(*weights); err != nil {
				return err
			}
			for _, p := range strings.Split(*pids, ",") {
				if p = strings.TrimSpace(p); p != "" {
					n, err := strconv.Atoi(p)
					if err != nil {
						return fmt.Errorf("-pids %q: want process ids", *pids)
					}
					o.pids = append(o.pids, n)
				}
			}
			if *sample <= 0 {
				return fmt.Errorf("-sample %s: want a positive duration", *sample)
			}
			var sum io.Writer
			if *markdown {
				sum = os.Stderr
			}
			return runMixed(o, os.Stdout, sum)
		}()
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*base, *token, *clients, *dur, *pathsFile, *maxReq, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// checkLoopback refuses a URL whose host is not a loopback address.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("refusing %s: loadgen only targets loopback addresses", u.Host)
		}
	}
	return nil
}

func run(base, token string, clients int, dur time.Duration, pathsFile string, maxReq int64, out io.Writer) error {
	if err := checkLoopback(base); err != nil {
		return err
	}
	if dur > 10*time.Minute {
		dur = 10 * time.Minute
	}
	paths := []string{"/api/v1/services"}
	if pathsFile != "" {
		f, err := os.Open(pathsFile)
		if err != nil {
			return err
		}
		paths = paths[:0]
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := sc.Text(); l != "" {
				paths = append(paths, l)
			}
		}
		f.Close()
		if len(paths) == 0 {
			return fmt.Errorf("%s: no paths", pathsFile)
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, IdleConnTimeout: time.Minute}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()

	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, 1<<20)
		statuses = map[int]int64{}
		total    atomic.Int64
		errs     atomic.Int64
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<14)
			st := map[int]int64{}
			for ctx.Err() == nil && total.Add(1) <= maxReq {
				p := paths[int(next.Add(1))%len(paths)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					if ctx.Err() != nil {
						break // the run ended mid-request: not an error
					}
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(t0))
				st[resp.StatusCode]++
				if resp.StatusCode/100 != 2 {
					errs.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			for k, v := range st {
				statuses[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	res := result{
		Clients: clients, Duration: elapsed.Seconds(), Requests: int64(len(lat)), Errors: errs.Load(),
		Statuses: statuses, RPS: float64(len(lat)) / elapsed.Seconds(),
		Latencies: map[string]float64{"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1)},
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
