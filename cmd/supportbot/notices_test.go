package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot/telegram/telegramtest"
)

// What the WhatsApp adapter reports reaches people through the whole of
// `run`: a ban that whatsmeow repeats is told once to the staff group and
// once to the manager, in Persian; /healthz and /metrics follow the state
// as before; the reconnection gives one all-clear.
func TestRunNoticesReachStaffAndManagersOnce(t *testing.T) {
	srv := telegramtest.NewServer(t, e2eToken)
	dir := t.TempDir()
	db := filepath.Join(dir, "bot.db")
	cfg := writeFile(t, "config.yaml", fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
  managers: [2001]
whatsapp:
  enabled: true
  session_db: %q
metrics:
  listen: "127.0.0.1:0"
`, srv.Endpoint(), e2eStaffChat, filepath.Join(dir, "wa-session.db")))
	wa, dial := newFakeWhatsApp(t, nil)
	var stderr syncBuffer
	stop := runWithWhatsApp(t, dial, cfg, db, &stderr)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
			for _, m := range srv.Sent() {
				t.Logf("telegram %s to %d: %q", m.Method, m.ChatID, m.Text)
			}
		}
	})
	var m []string
	telegramtest.WaitFor(t, time.Minute, "the metrics endpoint", func() bool {
		m = metricsAddr.FindStringSubmatch(stderr.String())
		return m != nil
	})
	// Connected as whatsmeow says it (the fake delivers that event on its
	// own), so the ban below is not cut short by it.
	telegramtest.WaitFor(t, time.Minute, "the WhatsApp connection", func() bool {
		_, body := httpGet(t, "http://"+m[1]+"/healthz")
		return strings.Contains(body, `"whatsapp":"connected"`)
	})
	count := func(chat int64, words string) int {
		n := 0
		for _, m := range srv.SentTo(chat) {
			if strings.Contains(m.Text, words) {
				n++
			}
		}
		return n
	}

	for range 3 { // whatsmeow repeats the ban on each connection attempt
		if !wa.deliver(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour}) {
			t.Fatal("the ban was not acknowledged")
		}
	}
	const ban = "واتس‌اپ حساب شرکت را موقتاً مسدود کرده است: پیام به افراد زیادی که شماره شرکت را ذخیره نکرده‌اند"
	telegramtest.WaitFor(t, 30*time.Second, "the ban notice to staff and the manager", func() bool {
		return count(e2eStaffChat, ban) > 0 && count(2001, ban) > 0
	})
	if code, body := httpGet(t, "http://"+m[1]+"/healthz"); code != 503 || !strings.Contains(body, `"whatsapp":"banned"`) {
		t.Errorf("/healthz during the ban: %d %s", code, body)
	}
	if _, body := httpGet(t, "http://"+m[1]+"/metrics"); !strings.Contains(body, `supportbot_connection_state{state="banned",transport="whatsapp"} 1`) {
		t.Errorf("/metrics during the ban lacks the banned state")
	}

	for range 2 {
		if !wa.deliver(&events.Connected{}) {
			t.Fatal("the connection was not acknowledged")
		}
	}
	const back = "اتصال واتس‌اپ دوباره برقرار شد"
	telegramtest.WaitFor(t, 30*time.Second, "the all-clear", func() bool { return count(e2eStaffChat, back) > 0 })
	// The staff group's messages go out in order: everything told before
	// the all-clear has been sent by now.
	if n, k := count(e2eStaffChat, ban), count(2001, ban); n != 1 || k != 1 {
		t.Errorf("ban told %d times to staff and %d to the manager, want once each", n, k)
	}
	if code, body := httpGet(t, "http://"+m[1]+"/healthz"); code != 200 || !strings.Contains(body, `"whatsapp":"connected"`) {
		t.Errorf("/healthz after the ban: %d %s", code, body)
	}
	// The queue of messages handled off WhatsApp's event loop is watched
	// too (empty here).
	if _, body := httpGet(t, "http://"+m[1]+"/healthz"); !strings.Contains(body, `"queues":{"whatsapp":{"count":0,"oldest_age_s":0,"healthy":true}}`) {
		t.Errorf("/healthz lacks the WhatsApp queue: %s", body)
	}
	if _, body := httpGet(t, "http://"+m[1]+"/metrics"); !strings.Contains(body, `supportbot_queue_depth{queue="whatsapp"} 0`) ||
		!strings.Contains(body, `supportbot_queue_oldest_age_seconds{queue="whatsapp"} 0`) {
		t.Errorf("/metrics lacks the WhatsApp queue")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := count(e2eStaffChat, back); n != 1 {
		t.Errorf("all-clear told %d times, want once", n)
	}
}
