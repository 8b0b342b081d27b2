package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
