package facts

import (
	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
)

// Metrics are the collectors' Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	collected   *prometheus.CounterVec
	errors      *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	limited     *prometheus.CounterVec
}

// NewMetrics registers the collectors' metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		collected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_facts_collected_total",
			Help: "Facts observed by each collector (recorded, changed or not)."}, []string{"collector"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_facts_collect_errors_total",
			Help: "Collector errors: scope=run for a failed run, scope=service for a service that could not be observed."}, []string{"collector", "scope"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "paved_facts_last_success_timestamp_seconds",
			Help: "When each collector last finished a run without error (Unix seconds)."}, []string{"collector"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_facts_rate_limited_total",
			Help: "Answers from a provider that said the collector was rate limited."}, []string{"collector"}),
	}
	for _, c := range []prometheus.Collector{m.collected, m.errors, m.lastSuccess, m.limited} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observe(r *paved.CollectorRun) {
	if m == nil {
		return
	}
	m.collected.WithLabelValues(r.Collector).Add(float64(r.Facts))
	if r.Failed > 0 {
		m.errors.WithLabelValues(r.Collector, "service").Add(float64(r.Failed))
	}
	if r.Error != "" {
		m.errors.WithLabelValues(r.Collector, "run").Inc()
		return
	}
	m.lastSuccess.WithLabelValues(r.Collector).Set(float64(r.FinishedAt.Unix()))
}

func (m *Metrics) rateLimited(collector string) {
	if m != nil {
		m.limited.WithLabelValues(collector).Inc()
	}
}
