package web

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	paved "github.com/paved-dev/paved"
)

// metrics are the server's Prometheus collectors. Labels use the route
// pattern (r.Pattern), never the raw path, so that cardinality stays bounded
// by the route table whatever clients send.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	handler  http.Handler
}

// unmatchedRoute labels requests that matched no route (404s, 405s, probes).
const unmatchedRoute = "unmatched"

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "paved",
			Subsystem: "http",
			Name:      "requests_total",
			Help:      "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "paved",
			Subsystem: "http",
			Name:      "request_duration_seconds",
			Help:      "HTTP request latency by route pattern.",
			// Fine buckets at the low end: the catalog API aims at a p99
			// of 20 ms, so the buckets must resolve around it.
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "paved",
			Subsystem: "http",
			Name:      "requests_in_flight",
			Help:      "HTTP requests being served.",
		}),
	}
	// A registry shared by several servers (tests, or two listeners in one
	// process) gets one set of series: reuse what is registered already.
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.inflight, err = register(reg, m.inflight); err != nil {
		return nil, err
	}
	if _, err = register(reg, collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if _, err = register(reg, collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m, nil
}

// register registers c, or returns the equal collector already there.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old, nil
			}
		}
		return c, err
	}
	return c, nil
}

// observe records one finished request.
func (m *metrics) observe(route, method string, status int, seconds float64) {
	if route == "" {
		route = unmatchedRoute
	}
	method = metricMethod(method)
	m.requests.WithLabelValues(route, method, statusLabel(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(seconds)
}

// metricMethod folds unknown methods into one label value: the method is
// client input and must not grow the label set.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// statusLabel avoids an allocation for the common codes on the hot path.
func statusLabel(code int) string {
	switch code {
	case 200:
		return "200"
	case 201:
		return "201"
	case 204:
		return "204"
	case 400:
		return "400"
	case 401:
		return "401"
	case 403:
		return "403"
	case 404:
		return "404"
	case 500:
		return "500"
	}
	return strconv.Itoa(code)
}

// WebhookCounts is what the job runner reports for /metrics
// (notify.Runner.Counts): the deliveries this process finished, by result.
type WebhookCounts interface {
	Counts() map[string]uint64
}

// webhookCollector exports webhook delivery metrics at scrape time:
// paved_webhook_deliveries_total{result} counts this process's finished
// attempts; paved_webhook_deliveries_pending and _failed count the rows of
// the whole database, so every replica reports the same figure (aggregate
// them with max, not sum).
type webhookCollector struct {
	store                  paved.NotificationStore
	counts                 WebhookCounts
	total, pending, failed *prometheus.Desc
	scrapeTimeout          time.Duration
}

func newWebhookCollector(st paved.NotificationStore, counts WebhookCounts) *webhookCollector {
	return &webhookCollector{
		store:  st,
		counts: counts,
		total: prometheus.NewDesc("paved_webhook_deliveries_total",
			"Webhook delivery attempts finished by this process, by result (delivered, retry, failed, lease_lost).", []string{"result"}, nil),
		pending: prometheus.NewDesc("paved_webhook_deliveries_pending",
			"Webhook deliveries waiting for an attempt or being attempted (whole database).", nil, nil),
		failed: prometheus.NewDesc("paved_webhook_deliveries_failed",
			"Webhook deliveries given up after the maximum number of attempts (whole database).", nil, nil),
		scrapeTimeout: 2 * time.Second,
	}
}

func (c *webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.pending
	ch <- c.failed
}

func (c *webhookCollector) Collect(ch chan<- prometheus.Metric) {
	if c.counts != nil {
		counts := c.counts.Counts()
		results := make([]string, 0, len(counts))
		for r := range counts {
			results = append(results, r)
		}
		sort.Strings(results)
		for _, r := range results {
			ch <- prometheus.MustNewConstMetric(c.total, prometheus.CounterValue, float64(counts[r]), r)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.scrapeTimeout)
	defer cancel()
	n, err := c.store.DeliveryCounts(ctx)
	if err != nil {
		return // leave the gauges out of this scrape rather than report zero
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(n[paved.DeliveryPending]))
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(n[paved.DeliveryFailed]))
}
