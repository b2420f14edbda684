package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot/telegram/telegramtest"
	"supportbot/bot/whatsapp/whatsapptest"
)

// The first report: a Bot API peer that accepts connections and
// never answers. run starts anyway, answers WhatsApp customers, says so on
// /healthz (503 once no poll was answered for the stale limit), never
// prints the token (given with a trailing "\r" as a Windows env file
// would), and stops well within 15 s of SIGTERM. Once Telegram answers, the
// staff-bound card that waited arrives, once.
func TestRunWhileTelegramHangs(t *testing.T) {
	old := telegramStale
	telegramStale = time.Second
	t.Cleanup(func() { telegramStale = old })

	srv := telegramtest.NewServer(t, e2eToken)
	srv.Stall("", true)
	dir := t.TempDir()
	db := filepath.Join(dir, "bot.db")
	cfg := writeFile(t, "config.yaml", fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
  managers: [2001]
whatsapp:
  enabled: true
  session_db: %q
  min_send_gap: 1ms
  max_send_gap: 2ms
metrics:
  listen: "127.0.0.1:0"
`, srv.Endpoint(), e2eStaffChat, filepath.Join(dir, "wa-session.db")))
	contracts := writeFile(t, "contracts.csv", `customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff
C-101,شرکت آریا پخش,تهران,09121110001,K-1001,product,silver,ماژول CRM موبایل,1405/01/10,1405/01/20,1405/01/25,,
`)
	mustRun(t, "import", "-config", cfg, "-db", db, contracts)

	phone := whatsapptest.PN("989121110001")
	wa, dial := newFakeWhatsApp(t, nil)
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, WhatsApp: dial,
		Getenv: func(k string) string {
			if k == EnvTelegramToken {
				return e2eToken + "\r"
			}
			return ""
		}}
	go func() { done <- runRun(ctx, env, []string{"-config", cfg, "-db", db}) }()
	var once sync.Once
	stop := func() (time.Duration, error) {
		var took time.Duration
		var err error
		once.Do(func() {
			start := time.Now()
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				err = errors.New("did not stop within 30s")
			}
			took = time.Since(start)
		})
		return took, err
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
		}
	})
	telegramtest.WaitFor(t, time.Minute, "the WhatsApp connection", func() bool { return wa.cli.IsConnected() })

	// A customer opens a ticket while Telegram hangs: answered on WhatsApp.
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.FixedZone("IRST", 3*3600+1800))
	msg := func(id, text string) *events.Message {
		at = at.Add(20 * time.Second)
		return whatsapptest.Message(id, phone, at, whatsapptest.Text(text))
	}
	for _, e := range []*events.Message{msg("W1", "سلام"), msg("W2", "۱"), msg("W3", "۱"), msg("W4", "۳"),
		msg("W5", "از صبح اپلیکیشن موبایل هنگام ورود خطای ۵۰۰ می‌دهد")} {
		if !wa.deliver(e) {
			t.Fatalf("message %s not acknowledged", e.Info.ID)
		}
	}
	telegramtest.WaitFor(t, time.Minute, "the tracking number on WhatsApp", func() bool {
		for _, s := range wa.sentTo(phone) {
			if strings.Contains(textOf(s), "K-1001") || strings.Count(textOf(s), "\n") > 1 {
				return len(wa.sentTo(phone)) >= 5
			}
		}
		return false
	})

	m := metricsAddr.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no metrics address in the log")
	}
	var code int
	var body string
	telegramtest.WaitFor(t, time.Minute, "/healthz to turn red", func() bool {
		code, body = httpGet(t, "http://"+m[1]+"/healthz")
		return code == 503
	})
	if !strings.Contains(body, `"telegram":{"state":`) || !strings.Contains(body, `"whatsapp":"connected"`) || !strings.Contains(body, `"reason":"no success`) {
		t.Errorf("/healthz %d %s", code, body)
	}

	took, err := stop()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("stopped %v after SIGTERM with Telegram hanging", took.Round(time.Millisecond))
	if took > 15*time.Second {
		t.Errorf("stopped %v after SIGTERM, want within 15s", took)
	}
	logs := stderr.String()
	if strings.Contains(logs, "e2e-secret") {
		t.Errorf("the log shows the token:\n%s", logs)
	}
	if len(srv.SentTo(e2eStaffChat)) != 0 {
		t.Fatal("something reached the hanging peer")
	}

	// Telegram answers again: the card that waited arrives, once.
	t.Logf("sendMessage calls before the release: %d", len(srv.Calls("sendMessage")))
	// The first run's abandoned calls never reach Telegram (the fake drops
	// stalled calls when freed): the card can only come from the second run.
	srv.Stall("", false)
	if n := len(srv.Sent()); n != 0 {
		t.Errorf("%d messages landed when the peer was freed, want none", n)
	}
	var stderr2 syncBuffer
	stop2 := runWithWhatsApp(t, dial, cfg, db, &stderr2)
	// The second run must be up (its database open) before it is stopped.
	telegramtest.WaitFor(t, time.Minute, "the second run to start", func() bool {
		return metricsAddr.MatchString(stderr2.String())
	})
	telegramtest.WaitFor(t, time.Minute, "the card that waited", func() bool {
		for _, s := range srv.SentTo(e2eStaffChat) {
			if strings.Contains(s.Text, "خطای ۵۰۰") {
				return true
			}
		}
		return false
	})
	if err := stop2(); err != nil {
		t.Fatal(err)
	}
	cards := 0
	for _, s := range srv.SentTo(e2eStaffChat) {
		if strings.Contains(s.Text, "خطای ۵۰۰") && s.Markup != nil {
			cards++
		}
	}
	if cards != 1 {
		for _, s := range srv.Sent() {
			t.Logf("sent %s %d %q", s.Method, s.MessageID, s.Text)
		}
		t.Errorf("%d cards, want 1\n%s", cards, stderr2.String())
	}
}
