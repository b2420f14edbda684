package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"supportbot/bot/telegram/telegramtest"
	"supportbot/store/sqlite"
)

// freeAddr is a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// healthz is /healthz's status and the database's state in it.
func healthz(addr string) (int, string) {
	c := http.Client{Timeout: 2 * time.Second}
	r, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, ""
	}
	defer r.Body.Close()
	var h struct {
		Transports map[string]string `json:"transports"`
	}
	json.NewDecoder(r.Body).Decode(&h)
	return r.StatusCode, h.Transports["database"]
}

// TestRunHealthSeesAHeldWriteLock: `run` with another process holding the
// database's write lock answers /healthz 503 within a minute (probing
// every second), tells the managers once (straight through
// Telegram: the outbox cannot be written), and is healthy again when the
// lock goes.
func TestRunHealthSeesAHeldWriteLock(t *testing.T) {
	srv := telegramtest.NewServer(t, e2eToken)
	addr := freeAddr(t)
	cfg := writeFile(t, "config.yaml", fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
  managers: [2001]
whatsapp:
  enabled: false
metrics:
  listen: %q
storage:
  probe_every: 1s
`, srv.Endpoint(), e2eStaffChat, addr))
	db := filepath.Join(t.TempDir(), "bot.db")
	var stderr syncBuffer
	stop := runBot(t, cfg, db, &stderr)
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("run exited %d\n%s", code, stderr.String())
		}
	}()
	waitHealth := func(what string, within time.Duration, ok func(code int, state string) bool) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < within {
			if ok(healthz(addr)) {
				return time.Since(start)
			}
			time.Sleep(100 * time.Millisecond)
		}
		code, state := healthz(addr)
		t.Fatalf("%s: /healthz still %d, database %q after %s\n%s", what, code, state, within, stderr.String())
		return 0
	}
	waitHealth("start", time.Minute, func(code int, state string) bool { return code == 200 && state == "ok" })

	// Wait for the bot's own write of the moment to end, then hold the lock.
	other, err := sql.Open("sqlite", db+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	took := waitHealth("lock held", time.Minute, func(code int, state string) bool { return code == 503 && state == "locked" })
	t.Logf("/healthz 503 %s after the lock was taken", took.Round(100*time.Millisecond))
	telegramtest.WaitFor(t, time.Minute, "the managers told", func() bool { return len(srv.SentTo(2001)) > 0 })
	time.Sleep(2 * time.Second) // more probes, no more notices
	if n := len(srv.SentTo(2001)); n != 1 {
		t.Errorf("managers got %d notices while the lock was held, want 1", n)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	waitHealth("lock released", time.Minute, func(code int, state string) bool { return code == 200 && state == "ok" })
}

// TestRunRefusesADamagedDatabase: `run` stops before touching the network
// on a damaged database, saying how to get back to a good one.
func TestRunRefusesADamagedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		if err := db.SetSetting(ctx, fmt.Sprintf("filler-%d", i), strings.Repeat("x", 200)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	// Overwrite the middle of the file, where the settings' pages are.
	if _, err := f.WriteAt([]byte(strings.Repeat("\xff\x13\x00", 1000)), st.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()

	srv := telegramtest.NewServer(t, e2eToken)
	cfg := writeFile(t, "config.yaml", fmt.Sprintf("telegram:\n  api_endpoint: %q\n  staff_chat_id: %d\nwhatsapp:\n  enabled: false\nmetrics:\n  listen: \"\"\n", srv.Endpoint(), e2eStaffChat))
	var stderr syncBuffer
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second) // a bot that runs after all is stopped
	defer cancel()
	getenv := func(k string) string {
		if k == EnvTelegramToken {
			return e2eToken
		}
		return ""
	}
	code := Main(rctx, []string{"run", "-config", cfg, "-db", path}, strings.NewReader(""), &syncBuffer{}, &stderr, getenv)
	out := stderr.String()
	if code == 0 {
		t.Fatalf("run on a damaged database exited 0\n%s", out)
	}
	for _, want := range []string{"damaged", "supportbot backup", ".damaged", "docs/operations.md"} {
		if !strings.Contains(out, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	if n := len(srv.Calls("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates calls on a damaged database", n)
	}
}
