package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot/telegram/telegramtest"
	"supportbot/bot/whatsapp"
	"supportbot/bot/whatsapp/whatsapptest"
)

// fakeWhatsApp is the WhatsApp side of `run` in tests: a fake client behind
// a link whose events the test delivers as whatsmeow would.
type fakeWhatsApp struct {
	t   *testing.T
	cli *whatsapptest.Client

	mu      sync.Mutex
	handler func(any) bool
	dialed  string
}

func newFakeWhatsApp(t *testing.T, lids whatsapptest.LIDs) (*fakeWhatsApp, WhatsAppDialer) {
	f := &fakeWhatsApp{t: t, cli: &whatsapptest.Client{}}
	dial := func(_ context.Context, sessionDB string, _ *slog.Logger) (whatsapp.Link, func() error, error) {
		f.mu.Lock()
		f.dialed = sessionDB
		f.mu.Unlock()
		return whatsapp.Link{
			Client: f.cli,
			LIDs:   lids,
			Paired: true,
			Connect: func() error {
				f.cli.SetConnected(true)
				go f.deliver(&events.Connected{})
				return nil
			},
			Disconnect: func() { f.cli.SetConnected(false) },
			Subscribe: func(h func(any) bool) {
				f.mu.Lock()
				defer f.mu.Unlock()
				f.handler = h
			},
		}, func() error { return nil }, nil
	}
	return f, dial
}

// deliver hands evt to the bot as whatsmeow's event loop does and reports
// whether the bot let whatsmeow acknowledge it.
func (f *fakeWhatsApp) deliver(evt any) bool {
	var h func(any) bool
	telegramtest.WaitFor(f.t, time.Minute, "the WhatsApp adapter to subscribe", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		h = f.handler
		return h != nil
	})
	return h(evt)
}

// sentTo lists the texts (or captions) WhatsApp sent to jid.
func (f *fakeWhatsApp) sentTo(jid types.JID) []whatsapptest.Sent {
	var out []whatsapptest.Sent
	for _, s := range f.cli.Sent() {
		if s.To == jid {
			out = append(out, s)
		}
	}
	return out
}

func textOf(s whatsapptest.Sent) string {
	m := s.Msg
	switch {
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	}
	return m.GetConversation()
}

// runWithWhatsApp starts `supportbot run` in-process with the fake
// WhatsApp; stop cancels it (as SIGTERM does) and returns its error.
func runWithWhatsApp(t *testing.T, dial WhatsAppDialer, cfg, db string, stderr *syncBuffer) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, WhatsApp: dial,
		Getenv: func(k string) string {
			if k == EnvTelegramToken {
				return e2eToken
			}
			return ""
		}}
	go func() { done <- runRun(ctx, env, []string{"-config", cfg, "-db", db}) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				err = errors.New("supportbot run did not stop within 30s of SIGTERM")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() }) // a failed test still stops the bot
	return stop
}

var metricsAddr = regexp.MustCompile(`metrics and health endpoint"? addr=(127\.0\.0\.1:\d+)`)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The whole path with the real library types: WhatsApp message events
// become a ticket card in the staff group (through the fake Bot API), staff
// replies (text and a photo) come back as WhatsApp sends; a customer's
// photo reaches the staff group; LID senders, a redelivered message and a
// disconnect are handled; run stops cleanly.
func TestWhatsAppToTelegramAndBack(t *testing.T) {
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
  min_send_gap: 1ms
  max_send_gap: 2ms
metrics:
  listen: "127.0.0.1:0"
`, srv.Endpoint(), e2eStaffChat, filepath.Join(dir, "wa-session.db")))
	contracts := writeFile(t, "contracts.csv", `customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff
C-101,شرکت آریا پخش,تهران,09121110001,K-1001,product,silver,ماژول CRM موبایل,1405/01/10,1405/01/20,1405/01/25,,
`)
	mustRun(t, "import", "-config", cfg, "-db", db, contracts)

	// C-101's contact +989121110001 writes first from its phone number and
	// later from its hidden id (@lid), which the LID map resolves.
	phoneJID := whatsapptest.PN("989121110001")
	lidJID := whatsapptest.LID("555000111")
	stranger := whatsapptest.LID("999888777") // no phone number anywhere
	wa, dial := newFakeWhatsApp(t, whatsapptest.LIDs{"555000111": "989121110001"})
	var stderr syncBuffer
	stop := runWithWhatsApp(t, dial, cfg, db, &stderr)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log:\n%s", stderr.String())
			for _, m := range srv.Sent() {
				t.Logf("telegram %s to %d: %q", m.Method, m.ChatID, m.Text)
			}
			for _, s := range wa.cli.Sent() {
				t.Logf("whatsapp to %s: %q", s.To, textOf(s))
			}
		}
	})
	telegramtest.WaitFor(t, time.Minute, "the WhatsApp connection", func() bool { return wa.cli.IsConnected() })

	// A Saturday morning in office hours, in the past so every answer is due.
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.FixedZone("IRST", 3*3600+1800))
	msg := func(id string, from types.JID, text string) *events.Message {
		at = at.Add(20 * time.Second)
		return whatsapptest.Message(id, from, at, whatsapptest.Text(text))
	}
	for _, e := range []*events.Message{
		msg("W1", phoneJID, "سلام"),
		msg("W2", phoneJID, "۱"), // new request
		msg("W3", phoneJID, "۱"), // problem
		msg("W4", phoneJID, "۳"), // critical
		msg("W5", phoneJID, "از صبح اپلیکیشن موبایل هنگام ورود خطای ۵۰۰ می‌دهد"),
	} {
		if !wa.deliver(e) {
			t.Fatalf("message %s not acknowledged\n%s", e.Info.ID, stderr.String())
		}
	}
	// Redelivered after a reconnect: handled once.
	if !wa.deliver(msg("W5", phoneJID, "از صبح اپلیکیشن موبایل هنگام ورود خطای ۵۰۰ می‌دهد")) {
		t.Fatal("a redelivered message was not acknowledged")
	}

	var card telegramtest.Sent
	telegramtest.WaitFor(t, 30*time.Second, "the ticket card in the staff group", func() bool {
		for _, m := range srv.SentTo(e2eStaffChat) {
			if m.Markup != nil && strings.Contains(m.Text, "خطای ۵۰۰") {
				card = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(card.Text, "K-1001") {
		t.Errorf("card does not name the contract:\n%s", card.Text)
	}
	telegramtest.WaitFor(t, 30*time.Second, "the customer's five answers", func() bool { return len(wa.sentTo(phoneJID)) >= 5 })
	if got := wa.cli.Reads(); len(got) != 6 {
		t.Errorf("marked read %v, want each of the 6 deliveries", got)
	}

	// A photo from the hidden id goes to the open ticket and on to staff.
	png := []byte("\x89PNG\r\n\x1a\n the screenshot")
	wa.cli.AddMedia("/m/shot", png)
	at = at.Add(time.Minute)
	photo := whatsapptest.Message("W6", lidJID, at, whatsapptest.Image("تصویر خطا", "image/png", "/m/shot", len(png)))
	if !wa.deliver(photo) {
		t.Fatal("photo not acknowledged")
	}
	telegramtest.WaitFor(t, 30*time.Second, "the customer's photo in the staff group", func() bool {
		for _, m := range srv.SentTo(e2eStaffChat) {
			if m.Method == "sendPhoto" && bytes.Equal(m.FileData, png) {
				return true
			}
		}
		return false
	})

	// Staff answer by replying to the card: the text goes back on WhatsApp,
	// to the chat the customer wrote from last.
	staff := telegramtest.Group(e2eStaffChat, "Support")
	sara := telegramtest.Person(1001, "Sara")
	srv.Push(telegramtest.Reply(staff, sara, "لطفاً نسخه اپلیکیشن را بفرمایید", card.MessageID, telegramtest.BotUser))
	telegramtest.WaitFor(t, 30*time.Second, "the staff reply on WhatsApp", func() bool {
		for _, s := range wa.sentTo(lidJID) {
			if strings.Contains(textOf(s), "لطفاً نسخه اپلیکیشن را بفرمایید") {
				return true
			}
		}
		return false
	})

	// A photo from staff goes to the customer as a WhatsApp image.
	jpeg := []byte("\xff\xd8\xff\xe0 staff photo")
	srv.AddFile("staffphoto", jpeg)
	u := telegramtest.Reply(staff, sara, "", card.MessageID, telegramtest.BotUser)
	u.Message.Text, u.Message.Caption = "", "این صفحه را ببینید"
	u.Message.Photo = []tgbotapi.PhotoSize{{FileID: "staffphoto", FileUniqueID: "staffphoto", Width: 10, Height: 10, FileSize: len(jpeg)}}
	srv.Push(u)
	var img whatsapptest.Sent
	telegramtest.WaitFor(t, 30*time.Second, "the staff photo on WhatsApp", func() bool {
		for _, s := range wa.sentTo(lidJID) {
			if s.Msg.GetImageMessage() != nil {
				img = s
				return true
			}
		}
		return false
	})
	if !bytes.Equal(wa.cli.Media(img.Msg.GetImageMessage().GetDirectPath()), jpeg) || !strings.Contains(textOf(img), "این صفحه را ببینید") {
		t.Errorf("WhatsApp image %v does not carry the staff photo and caption", img.Msg)
	}

	// Someone whose number WhatsApp hides is asked who they are, on their
	// own chat, and shown to staff under a "lid:" address.
	if !wa.deliver(msg("W7", stranger, "سلام، قرارداد ما تمدید شده؟")) {
		t.Fatal("stranger's message not acknowledged")
	}
	telegramtest.WaitFor(t, 30*time.Second, "the question to the stranger", func() bool { return len(wa.sentTo(stranger)) > 0 })
	telegramtest.WaitFor(t, 30*time.Second, "the unknown-contact card", func() bool {
		for _, m := range srv.SentTo(e2eStaffChat) {
			if strings.Contains(m.Text, "lid:999888777") {
				return true
			}
		}
		return false
	})
	for _, s := range wa.sentTo(stranger) {
		if strings.Contains(textOf(s), "K-1001") || strings.Contains(textOf(s), "آریا") {
			t.Errorf("the stranger was shown a customer's data: %q", textOf(s))
		}
	}

	// Metrics and health while connected.
	m := metricsAddr.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", stderr.String())
	}
	if code, body := httpGet(t, "http://"+m[1]+"/healthz"); code != 200 || !strings.Contains(body, `"whatsapp":"connected"`) {
		t.Errorf("/healthz %d %s", code, body)
	}
	_, body := httpGet(t, "http://"+m[1]+"/metrics")
	for _, want := range []string{
		`supportbot_tickets_opened_total 1`,
		`supportbot_messages_in_total{transport="whatsapp"} 7`,
		`supportbot_connection_state{state="connected",transport="whatsapp"} 1`,
		`supportbot_denials_total{code="unknown_customer"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// A disconnect holds the next reply back until WhatsApp is back.
	wa.cli.SetConnected(false)
	wa.deliver(&events.Disconnected{})
	before := len(wa.sentTo(lidJID))
	srv.Push(telegramtest.Reply(staff, sara, "مشکل برطرف شد", card.MessageID, telegramtest.BotUser))
	time.Sleep(300 * time.Millisecond)
	if n := len(wa.sentTo(lidJID)); n != before {
		t.Fatalf("sent while disconnected")
	}
	wa.cli.SetConnected(true)
	wa.deliver(&events.Connected{})
	telegramtest.WaitFor(t, 30*time.Second, "the held reply after the reconnect", func() bool {
		for _, s := range wa.sentTo(lidJID) {
			if strings.Contains(textOf(s), "مشکل برطرف شد") {
				return true
			}
		}
		return false
	})

	if err := stop(); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	logs := stderr.String()
	if !strings.Contains(logs, "supportbot stopped") || strings.Contains(logs, e2eToken) {
		t.Errorf("log:\n%s", logs)
	}
	for _, body := range []string{"از صبح اپلیکیشن", "لطفاً نسخه"} {
		if strings.Contains(logs, body) {
			t.Errorf("the log shows message text %q", body)
		}
	}
	// Stopped: a late message is left for WhatsApp to deliver again.
	if wa.deliver(msg("W8", phoneJID, "سلام")) {
		t.Error("a message after the stop was acknowledged")
	}
	if wa.cli.IsConnected() {
		t.Error("run stopped without disconnecting WhatsApp")
	}
	if n := len(srv.SentTo(e2eStaffChat)); n < 3 {
		t.Errorf("staff group got %d messages", n)
	}
	wa.mu.Lock()
	dialed := wa.dialed
	wa.mu.Unlock()
	if dialed != filepath.Join(dir, "wa-session.db") {
		t.Errorf("dialed session %q", dialed)
	}
}

func TestPairPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"09121234567", "989121234567"},
		{"+98 912 123 4567", "989121234567"},
		{"۰۹۱۲۱۲۳۴۵۶۷", "989121234567"},
		{"+44 7700 900123", "447700900123"},
	}
	for _, tt := range tests {
		if got, err := pairPhone(tt.in); err != nil || got != tt.want {
			t.Errorf("pairPhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"0912", "abc", "+0044"} {
		if _, err := pairPhone(bad); err == nil {
			t.Errorf("pairPhone(%q) accepted", bad)
		}
	}
	r := runMain(t, "pair", "-config", writeFile(t, "c.yaml", ""), "-phone", "not a number")
	if r.code != 2 || !strings.Contains(r.stderr, "-phone") {
		t.Errorf("pair -phone 'not a number': exit %d, %s", r.code, r.stderr)
	}
}
