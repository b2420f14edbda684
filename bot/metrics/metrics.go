// Package metrics serves the daemon's /metrics (Prometheus text format)
// and /healthz on a local address. Activity counts come from the database
// at each scrape (store.Stats), so they are the same whichever process
// wrote them and survive restarts; connection states come from the
// transports as they change.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"supportbot/store"
)

// Source counts the bot's activity and answers health checks;
// store.Store is one.
type Source interface {
	Counts(ctx context.Context, now time.Time) (store.Counts, error)
	Ping(ctx context.Context) error
}

// scrapeTimeout bounds the database work of one scrape or health check.
const scrapeTimeout = 5 * time.Second

// Metrics collects what /metrics shows and /healthz judges.
type Metrics struct {
	src Source
	now func() time.Time
	reg *prometheus.Registry

	mu     sync.Mutex
	states map[string]transportState
	queues map[string]queueWatch
}

type transportState struct {
	state string
	all   []string // every state the transport can be in, each a series
	ok    func(state string) bool
	since time.Time     // when tracking began: the age of "never succeeded"
	last  time.Time     // the last success, zero when none yet
	stale time.Duration // unhealthy when the last success is older; 0 never
}

// healthy judges s at now; reason says why not.
func (s transportState) healthy(now time.Time) (ok bool, reason string) {
	if s.ok != nil && !s.ok(s.state) {
		return false, "state " + s.state
	}
	if s.stale > 0 {
		from := s.last
		if from.IsZero() {
			from = s.since
		}
		if age := now.Sub(from); age > s.stale {
			if s.last.IsZero() {
				return false, "no success since start " + age.Round(time.Second).String() + " ago"
			}
			return false, "no success for " + age.Round(time.Second).String()
		}
	}
	return true, ""
}

var (
	descIn       = prometheus.NewDesc("supportbot_messages_in_total", "Inbound messages handled, by transport.", []string{"transport"}, nil)
	descOut      = prometheus.NewDesc("supportbot_messages_out_total", "Outbound messages sent, by transport.", []string{"transport"}, nil)
	descFailed   = prometheus.NewDesc("supportbot_messages_failed_total", "Outbound messages given up on (staff were told), by transport.", []string{"transport"}, nil)
	descTickets  = prometheus.NewDesc("supportbot_tickets_opened_total", "Tickets opened.", nil, nil)
	descDenials  = prometheus.NewDesc("supportbot_denials_total", "Refused intakes, by denial code.", []string{"code"}, nil)
	descDepth    = prometheus.NewDesc("supportbot_outbox_depth", "Outbound messages waiting to be sent.", nil, nil)
	descBreaches = prometheus.NewDesc("supportbot_sla_breaches", "Tickets that missed their first-response deadline.", nil, nil)
	descState    = prometheus.NewDesc("supportbot_connection_state", "1 for the state each transport is in, 0 for the others.", []string{"transport", "state"}, nil)
	descDB       = prometheus.NewDesc("supportbot_database_up", "1 when the last scrape could read the database.", nil, nil)
	descHealthy  = prometheus.NewDesc("supportbot_transport_healthy", "1 when the transport counts as healthy for /healthz.", []string{"transport"}, nil)
	descLastOK   = prometheus.NewDesc("supportbot_transport_last_success_age_seconds", "Seconds since the transport last worked (a poll answered, a message received or sent); absent before the first.", []string{"transport"}, nil)
)

// New returns metrics over src; now is the clock SLA breaches are judged
// by (nil means time.Now).
func New(src Source, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{src: src, now: now, reg: prometheus.NewRegistry(), states: map[string]transportState{}}
	m.reg.MustRegister(collector{m}, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Track declares a transport with every state it can be in (each becomes
// a series), its first state, and which states are healthy (nil: all).
// Tracking a transport again keeps its last success and StaleAfter.
func (m *Metrics) Track(transport string, all []string, first string, ok func(state string) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.states[transport]
	s.state, s.all, s.ok = first, all, ok
	if s.since.IsZero() {
		s.since = m.now()
	}
	m.states[transport] = s
}

// Succeeded records that transport just worked: a poll answered, a
// message received or sent. /healthz and /metrics show the age of the last
// success, and StaleAfter judges it.
func (m *Metrics) Succeeded(transport string) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.states[transport]
	s.last = now
	if s.since.IsZero() {
		s.since = now
	}
	m.states[transport] = s
}

// StaleAfter makes transport unhealthy, whatever its state, once its last
// success (or, before the first, the start of tracking) is older than d;
// 0 turns the rule off. Telegram uses it for "no poll answered for two
// minutes".
func (m *Metrics) StaleAfter(transport string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.states[transport]
	s.stale = d
	if s.since.IsZero() {
		s.since = m.now()
	}
	m.states[transport] = s
}

// TransportHealth is one transport's part of /healthz.
type TransportHealth struct {
	State   string `json:"state"`
	Healthy bool   `json:"healthy"`
	// Why it is not healthy, empty when it is.
	Reason string `json:"reason,omitempty"`
	// The last success and its age in whole seconds; absent before the first.
	LastSuccess     *time.Time `json:"last_success,omitempty"`
	LastSuccessAgeS *int64     `json:"last_success_age_s,omitempty"`
}

// Transport reports one transport's health now; false when it is not tracked.
func (m *Metrics) Transport(transport string) (TransportHealth, bool) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.states[transport]
	if !ok {
		return TransportHealth{}, false
	}
	return s.report(now), true
}

func (s transportState) report(now time.Time) TransportHealth {
	h := TransportHealth{State: s.state}
	h.Healthy, h.Reason = s.healthy(now)
	if !s.last.IsZero() {
		last := s.last.UTC()
		age := int64(now.Sub(s.last) / time.Second)
		h.LastSuccess, h.LastSuccessAgeS = &last, &age
	}
	return h
}

// SetState records a transport's new state.
func (m *Metrics) SetState(transport, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.states[transport]
	s.state = state
	m.states[transport] = s
}

// collector reads the counts at each scrape.
type collector struct{ m *Metrics }

// Describe sends every metric's description.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descIn, descOut, descFailed, descTickets, descDenials, descDepth, descBreaches, descState, descDB, descHealthy, descLastOK, descQueueDepth, descQueueAge} {
		ch <- d
	}
}

// Collect reads the database and the transport states.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.m.src.Counts(ctx, c.m.now())
	up := 1.0
	if err != nil {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(descDB, prometheus.GaugeValue, up)
	if err == nil {
		by := func(d *prometheus.Desc, vt prometheus.ValueType, m map[string]int64, always ...string) {
			for _, k := range always {
				if _, ok := m[k]; !ok {
					ch <- prometheus.MustNewConstMetric(d, vt, 0, k)
				}
			}
			for k, n := range m {
				ch <- prometheus.MustNewConstMetric(d, vt, float64(n), k)
			}
		}
		transports := []string{"whatsapp", "telegram"}
		by(descIn, prometheus.CounterValue, counts.Inbound, transports...)
		by(descOut, prometheus.CounterValue, counts.Sent, transports...)
		by(descFailed, prometheus.CounterValue, counts.Failed, transports...)
		by(descDenials, prometheus.CounterValue, counts.Denials)
		ch <- prometheus.MustNewConstMetric(descTickets, prometheus.CounterValue, float64(counts.TicketsOpened))
		ch <- prometheus.MustNewConstMetric(descDepth, prometheus.GaugeValue, float64(counts.Pending))
		ch <- prometheus.MustNewConstMetric(descBreaches, prometheus.GaugeValue, float64(counts.Breached))
	}
	now := c.m.now()
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	for t, s := range c.m.states {
		ok, _ := s.healthy(now)
		ch <- prometheus.MustNewConstMetric(descHealthy, prometheus.GaugeValue, b2f(ok), t)
		if !s.last.IsZero() {
			ch <- prometheus.MustNewConstMetric(descLastOK, prometheus.GaugeValue, now.Sub(s.last).Seconds(), t)
		}
		for _, st := range s.all {
			v := 0.0
			if st == s.state {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(descState, prometheus.GaugeValue, v, t, st)
		}
	}
	c.m.collectQueues(ch, now)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Health is what /healthz answers.
type Health struct {
	// ok; failing (the database or a transport); degraded (all work, but
	// a queue is stuck: TrackQueue).
	Status     string            `json:"status"`
	Database   string            `json:"database"`
	Transports map[string]string `json:"transports"` // transport → state
	// Detail is each transport's state, health and last success.
	Detail map[string]TransportHealth `json:"detail"`
	// Queues is each watched work queue's size and wait; absent when none.
	Queues map[string]QueueHealth `json:"queues,omitempty"`
}

// Check reads the database and judges every transport's state.
func (m *Metrics) Check(ctx context.Context) (Health, bool) {
	h := Health{Status: "ok", Database: "ok", Transports: map[string]string{}, Detail: map[string]TransportHealth{}}
	healthy := true
	ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
	defer cancel()
	// A cheap read, not the counts: a health check must answer quickly
	// however large the database has grown.
	if err := m.src.Ping(ctx); err != nil {
		h.Database, healthy = "failing", false
	}
	now := m.now()
	m.mu.Lock()
	for t, s := range m.states {
		r := s.report(now)
		h.Transports[t], h.Detail[t] = s.state, r
		healthy = healthy && r.Healthy
	}
	flowing := true
	for name, q := range m.queues {
		if h.Queues == nil {
			h.Queues = map[string]QueueHealth{}
		}
		r := q.report(now)
		h.Queues[name] = r
		flowing = flowing && r.Healthy
	}
	m.mu.Unlock()
	switch {
	case !healthy:
		h.Status = "failing"
	case !flowing:
		h.Status = "degraded"
	}
	return h, healthy && flowing
}

// Handler serves /metrics and /healthz. /healthz answers 200 while the
// database reads and every transport is healthy: in a healthy state (a
// passing disconnect is; a logout or a ban is not) and, where StaleAfter
// is set, with a recent enough success; and no watched queue is stuck
// (TrackQueue); else 503, with the details as JSON.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h, ok := m.Check(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(h)
	})
	return mux
}

// Listen opens addr for Serve; it fails at once on a bad or busy address.
func Listen(addr string) (net.Listener, error) {
	return net.Listen("tcp", addr)
}

// Serve answers on l until ctx is done, then shuts the server down.
func (m *Metrics) Serve(ctx context.Context, l net.Listener, log *slog.Logger) error {
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	log.Info("metrics and health endpoint", "addr", l.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-done; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}
