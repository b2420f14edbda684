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
