package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A work queue of a component (the WhatsApp messages handled off its event
// loop) is watched by its size and the age of its oldest item: /healthz is
// degraded (503) while the oldest has waited longer than the queue's
// threshold.

var (
	descQueueDepth = prometheus.NewDesc("supportbot_queue_depth", "Items waiting in a work queue (whatsapp: messages handled off the event loop).", []string{"queue"}, nil)
	descQueueAge   = prometheus.NewDesc("supportbot_queue_oldest_age_seconds", "Seconds the oldest item of a work queue has waited; 0 when it is empty.", []string{"queue"}, nil)
)

type queueWatch struct {
	stuckAfter time.Duration
	stats      func() (count int, oldest time.Time)
}

// QueueHealth is one work queue's part of /healthz.
type QueueHealth struct {
	Count      int   `json:"count"`
	OldestAgeS int64 `json:"oldest_age_s"`
	Healthy    bool  `json:"healthy"`
	// Why it is not healthy, empty when it is.
	Reason string `json:"reason,omitempty"`
}

// TrackQueue watches a work queue: stats gives how many items wait and
// when the oldest came (zero when none); the queue is unhealthy while
// that is more than stuckAfter ago.
func (m *Metrics) TrackQueue(name string, stuckAfter time.Duration, stats func() (count int, oldest time.Time)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.queues == nil {
		m.queues = map[string]queueWatch{}
	}
	m.queues[name] = queueWatch{stuckAfter: stuckAfter, stats: stats}
}

// report judges q at now.
func (q queueWatch) report(now time.Time) QueueHealth {
	n, oldest := q.stats()
	h := QueueHealth{Count: n, Healthy: true}
	if n > 0 && !oldest.IsZero() {
		age := max(now.Sub(oldest), 0)
		h.OldestAgeS = int64(age / time.Second)
		if age > q.stuckAfter {
			h.Healthy = false
			h.Reason = "oldest waiting " + age.Round(time.Second).String()
		}
	}
	return h
}

// collectQueues sends each queue's depth and age; m.mu is held.
func (m *Metrics) collectQueues(ch chan<- prometheus.Metric, now time.Time) {
	for name, q := range m.queues {
		h := q.report(now)
		ch <- prometheus.MustNewConstMetric(descQueueDepth, prometheus.GaugeValue, float64(h.Count), name)
		ch <- prometheus.MustNewConstMetric(descQueueAge, prometheus.GaugeValue, float64(h.OldestAgeS), name)
	}
}
