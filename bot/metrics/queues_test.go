package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A watched queue shows its size and wait in /metrics and /healthz, and
// makes /healthz degraded (503) while its oldest item has waited longer
// than its threshold.
func TestQueueDegradesHealth(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	m := New(&fakeSource{}, func() time.Time { return now })
	m.Track("whatsapp", []string{"connected"}, "connected", nil)
	var count int
	var oldest time.Time
	m.TrackQueue("whatsapp", 10*time.Minute, func() (int, time.Time) { return count, oldest })
	for _, tc := range []struct {
		name    string
		count   int
		age     time.Duration
		status  string
		healthy bool
		ageS    int64
	}{
		{"empty", 0, 0, "ok", true, 0},
		{"young", 3, 9 * time.Minute, "ok", true, 540},
		{"at the threshold", 3, 10 * time.Minute, "ok", true, 600},
		{"stuck", 4, 11 * time.Minute, "degraded", false, 660},
	} {
		count, oldest = tc.count, time.Time{}
		if tc.count > 0 {
			oldest = now.Add(-tc.age)
		}
		h, ok := m.Check(context.Background())
		q := h.Queues["whatsapp"]
		if ok != tc.healthy || h.Status != tc.status || q.Count != tc.count || q.OldestAgeS != tc.ageS || q.Healthy != tc.healthy || (q.Reason == "") != tc.healthy {
			t.Errorf("%s: healthy %v, %+v; want %v, status %s, %d waiting %ds", tc.name, ok, h, tc.healthy, tc.status, tc.count, tc.ageS)
		}
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		if want := map[bool]int{true: 200, false: 503}[tc.healthy]; rec.Code != want {
			t.Errorf("%s: /healthz %d, want %d", tc.name, rec.Code, want)
		}
		rec = httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		for _, want := range []string{
			`supportbot_queue_depth{queue="whatsapp"} ` + itoa(tc.count),
			`supportbot_queue_oldest_age_seconds{queue="whatsapp"} ` + itoa(int(tc.ageS)),
		} {
			if !strings.Contains(string(body), want+"\n") {
				t.Errorf("%s: /metrics lacks %q", tc.name, want)
			}
		}
	}
	// A failing transport outranks a stuck queue.
	m.Track("whatsapp", []string{"connected", "banned"}, "banned", func(s string) bool { return s == "connected" })
	if h, ok := m.Check(context.Background()); ok || h.Status != "failing" {
		t.Errorf("banned and stuck: %v %s, want failing", ok, h.Status)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
