package metrics

import "github.com/prometheus/client_golang/prometheus"

// GaugeFunc adds a gauge read from f at each scrape (a component's own
// figure, such as the database's free disk space).
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// CountersFunc adds a counter with one label, its values read from f at
// each scrape.
func (m *Metrics) CountersFunc(name, help, label string, f func() map[string]int64) {
	m.reg.MustRegister(countersFunc{prometheus.NewDesc(name, help, []string{label}, nil), f})
}

type countersFunc struct {
	desc *prometheus.Desc
	f    func() map[string]int64
}

func (c countersFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c countersFunc) Collect(ch chan<- prometheus.Metric) {
	for k, v := range c.f() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(v), k)
	}
}
