package web

import (
	"github.com/prometheus/client_golang/prometheus"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/platform"
)

// configCollector exports the platform config's state: the version in
// force (an info gauge whose labels carry the hash and the commit), the
// configs swapped in and refused since start, and whether the directory
// holds a refused config right now.
type configCollector struct {
	status                            func() paved.ConfigStatus
	version, reloads, errors, refused *prometheus.Desc
	loaded                            *prometheus.Desc
}

func newConfigCollector(status func() paved.ConfigStatus) *configCollector {
	return &configCollector{
		status: status,
		version: prometheus.NewDesc("paved_config_version",
			"The platform config in force: always 1, with its content hash and git commit as labels.", []string{"hash", "commit"}, nil),
		reloads: prometheus.NewDesc("paved_config_reloads_total",
			"Platform configs swapped in by this process since it started.", nil, nil),
		errors: prometheus.NewDesc("paved_config_reload_errors_total",
			"Platform configs this process refused since it started (the previous config stayed in force).", nil, nil),
		refused: prometheus.NewDesc("paved_config_refused",
			"1 while the config directory holds a config that was refused, else 0.", nil, nil),
		loaded: prometheus.NewDesc("paved_config_loaded_timestamp_seconds",
			"When the platform config in force was loaded (Unix time).", nil, nil),
	}
}

func (c *configCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.version
	ch <- c.reloads
	ch <- c.errors
	ch <- c.refused
	ch <- c.loaded
}

func (c *configCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.status()
	hash := platform.VersionHash(st.Version)
	ch <- prometheus.MustNewConstMetric(c.version, prometheus.GaugeValue, 1, hash, st.Commit)
	ch <- prometheus.MustNewConstMetric(c.reloads, prometheus.CounterValue, float64(st.Reloads))
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(st.Errors))
	refused := 0.0
	if st.Error != "" {
		refused = 1
	}
	ch <- prometheus.MustNewConstMetric(c.refused, prometheus.GaugeValue, refused)
	if !st.LoadedAt.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.loaded, prometheus.GaugeValue, float64(st.LoadedAt.UnixNano())/1e9)
	}
}
