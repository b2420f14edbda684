package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// fakeSource is the database's counts, or its failure.
type fakeSource struct {
	counts store.Counts
	err    error
}

func (f *fakeSource) Counts(context.Context, time.Time) (store.Counts, error) { return f.counts, f.err }

func (f *fakeSource) Ping(context.Context) error { return f.err }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetricsAndHealth(t *testing.T) {
	src := &fakeSource{counts: store.Counts{
		Inbound: map[string]int64{"whatsapp": 7, "telegram": 3},
		Sent:    map[string]int64{"whatsapp": 5},
		Failed:  map[string]int64{"whatsapp": 1},
		Pending: 2, TicketsOpened: 4, Breached: 1,
		Denials: map[string]int64{"month_quota": 2, "unknown_customer": 1},
	}}
	m := New(src, nil)
	m.Track("whatsapp", []string{"connected", "disconnected", "logged_out", "banned"}, "connected", func(s string) bool { return s == "connected" || s == "disconnected" })
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx, l, slog.New(slog.DiscardHandler)) }()
	base := "http://" + l.Addr().String()

	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics %d", code)
	}
	for _, want := range []string{
		`supportbot_messages_in_total{transport="whatsapp"} 7`,
		`supportbot_messages_in_total{transport="telegram"} 3`,
		`supportbot_messages_out_total{transport="whatsapp"} 5`,
		`supportbot_messages_out_total{transport="telegram"} 0`,
		`supportbot_messages_failed_total{transport="whatsapp"} 1`,
		`supportbot_tickets_opened_total 4`,
		`supportbot_denials_total{code="month_quota"} 2`,
		`supportbot_outbox_depth 2`,
		`supportbot_sla_breaches 1`,
		`supportbot_connection_state{state="connected",transport="whatsapp"} 1`,
		`supportbot_connection_state{state="banned",transport="whatsapp"} 0`,
		`supportbot_database_up 1`,
		`# TYPE supportbot_messages_in_total counter`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	check := func(wantCode int, wantStatus string) {
		t.Helper()
		code, body := get(t, base+"/healthz")
		var h Health
		if err := json.Unmarshal([]byte(body), &h); err != nil || code != wantCode || h.Status != wantStatus {
			t.Errorf("/healthz %d %s, want %d %s", code, body, wantCode, wantStatus)
		}
	}
	check(200, "ok")
	m.SetState("whatsapp", "disconnected") // passing: still healthy
	check(200, "ok")
	m.SetState("whatsapp", "banned")
	check(503, "failing")
	m.SetState("whatsapp", "connected")
	src.err = errors.New("disk I/O error")
	check(503, "failing")
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, "supportbot_database_up 0") {
		t.Error("a failing database does not show as supportbot_database_up 0")
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestTransportGoesStaleWithoutSuccess(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	m := New(&fakeSource{}, func() time.Time { return now })
	m.Track("telegram", []string{"connecting", "running", "unreachable"}, "connecting", nil)
	m.StaleAfter("telegram", 2*time.Minute)
	check := func(wantOK bool, wantAge int64) {
		t.Helper()
		h, ok := m.Check(context.Background())
		d := h.Detail["telegram"]
		if ok != wantOK || d.Healthy != wantOK || (h.Status == "ok") != wantOK {
			t.Errorf("at %v: healthy %v (%+v), want %v", now.Format("15:04:05"), ok, h, wantOK)
		}
		if wantAge < 0 {
			if d.LastSuccessAgeS != nil {
				t.Errorf("age %d before any success", *d.LastSuccessAgeS)
			}
		} else if d.LastSuccessAgeS == nil || *d.LastSuccessAgeS != wantAge {
			t.Errorf("age %v, want %d", d.LastSuccessAgeS, wantAge)
		}
		if !wantOK && d.Reason == "" {
			t.Error("unhealthy without a reason")
		}
	}
	check(true, -1)
	now = now.Add(2*time.Minute + time.Second) // never answered since start
	check(false, -1)
	m.Succeeded("telegram")
	m.SetState("telegram", "running")
	now = now.Add(119 * time.Second)
	check(true, 119)
	now = now.Add(2 * time.Second)
	check(false, 121)
	m.Succeeded("telegram")
	check(true, 0)
	h, _ := m.Check(context.Background())
	b, _ := json.Marshal(h)
	for _, want := range []string{`"transports":{"telegram":"running"}`, `"last_success_age_s":0`, `"healthy":true`, `"state":"running"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/healthz JSON %s lacks %s", b, want)
		}
	}
}
