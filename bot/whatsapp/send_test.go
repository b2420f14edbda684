package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

const customer = "+989121234567"

func TestSendPacesWithRandomGaps(t *testing.T) {
	rands := []int64{0, 1500 * int64(time.Millisecond), 1900 * int64(time.Millisecond)}
	hs := newHarness(t, func(c *Config, _ *Link) {
		c.Rand = func(n int64) int64 {
			r := rands[0]
			rands = rands[1:]
			if r >= n {
				t.Errorf("Rand(%d) asked for a gap wider than MaxGap-MinGap", n)
			}
			return r
		}
	})
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	for i := range 3 {
		if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: int64(i + 1), To: string(outbox.WhatsApp(customer)), Text: "پیام"}); err != nil {
			t.Fatal(err)
		}
	}
	// The fake sleeper moves the clock, so each gap is measured from the
	// previous send: 1s, 2.5s, 2.9s.
	want := []time.Duration{time.Second, 2500 * time.Millisecond, 2900 * time.Millisecond}
	if got := hs.slept(); !slices.Equal(got, want) {
		t.Errorf("gaps %v, want %v", got, want)
	}
	if n := len(hs.cli.Sent()); n != 3 {
		t.Errorf("%d sends, want 3", n)
	}
	// Long after the last send, there is nothing to wait for.
	rands = append(rands, 0)
	hs.clock.Add(time.Hour)
	if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 9, To: string(outbox.WhatsApp(customer)), Text: "پیام"}); err != nil {
		t.Fatal(err)
	}
	if n := len(hs.slept()); n != 3 {
		t.Errorf("%d waits, want none after an hour of quiet", n-3)
	}
}

func TestSendText(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	id, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 7, TicketID: 12, To: string(outbox.WhatsApp(customer)), Text: "  پاسخ کارشناس  "})
	if err != nil {
		t.Fatal(err)
	}
	s := hs.cli.Sent()
	if len(s) != 1 || s[0].To != pnJID || s[0].Msg.GetConversation() != "پاسخ کارشناس" || id != s[0].ID {
		t.Fatalf("sent %+v, id %s", s, id)
	}
	rec, err := hs.db.WhatsAppSent(context.Background(), id)
	if err != nil || rec.OutboxID != 7 || rec.TicketID != 12 || rec.Address != customer {
		t.Errorf("followed %+v, %v", rec, err)
	}
	if hs.cli.Presences()[0] != types.ChatPresenceComposing {
		t.Errorf("presence %v, want typing during the gap", hs.cli.Presences())
	}
}

func TestSendRefusesWhoNeverWrote(t *testing.T) {
	hs := newHarness(t)
	_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp("+989129999999")), Text: "یادآوری"})
	if !outbox.IsPermanent(err) || !errors.Is(err, ErrNeverWrote) {
		t.Fatalf("err %v, want a permanent ErrNeverWrote", err)
	}
	var never *notice.NeverWrote
	if !errors.As(err, &never) || never.Address != "+989129999999" {
		t.Errorf("err %v, want the refusal as data for the core to word", err)
	}
	if len(hs.cli.Sent()) != 0 {
		t.Error("sent to a stranger")
	}
	if _, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 2, To: "telegram:staff", Text: "x"}); !outbox.IsPermanent(err) {
		t.Errorf("a Telegram address: err %v, want permanent", err)
	}
}

// The dispatcher gives up on a refused message at once and tells staff,
// with the refusal as data for the core to word.
func TestDispatcherTellsStaffOfARefusedAddress(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp("+989129999999")), TicketID: 4, Text: "یادآوری پایان قرارداد", Status: store.OutboxPending, NextAttempt: t0}
	if err := hs.db.Enqueue(ctx, &m); err != nil {
		t.Fatal(err)
	}
	var reported []error
	report := func(m store.OutboxMessage, attempts int, err error) string {
		reported = append(reported, err)
		return outbox.DefaultFailureReport(m, attempts, err)
	}
	d := outbox.NewDispatcher(hs.db, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }, Report: report})
	d.Register("whatsapp", hs.a)
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := hs.db.OutboxMessage(ctx, m.ID)
	if got.Status != store.OutboxFailed {
		t.Errorf("status %s, want failed", got.Status)
	}
	var never *notice.NeverWrote
	staff := hs.to(string(outbox.StaffGroup))
	if len(staff) != 1 || staff[0].TicketID != 4 || len(reported) != 1 || !errors.As(reported[0], &never) || never.Address != "+989129999999" {
		t.Errorf("staff told %+v of %v, want one report of the address that never wrote", staff, reported)
	}
}

func TestSendMedia(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("متن بلند ", 200)
	tests := []struct {
		name    string
		m       store.OutboxMessage
		uploads []whatsmeow.MediaType
		check   func(t *testing.T, s []whatsapptest.Sent)
	}{
		{"photo with caption", store.OutboxMessage{Text: "این تصویر را ببینید", File: &store.File{Kind: "image", Name: "photo.jpg", MIME: "image/jpeg", Path: write("p.jpg", "JPEGDATA")}},
			[]whatsmeow.MediaType{whatsmeow.MediaImage}, func(t *testing.T, s []whatsapptest.Sent) {
				im := s[0].Msg.GetImageMessage()
				if len(s) != 1 || im.GetCaption() != "این تصویر را ببینید" || im.GetMimetype() != "image/jpeg" || im.GetFileLength() != 8 || im.GetDirectPath() == "" {
					t.Errorf("sent %+v", s)
				}
			}},
		{"voice note, text first", store.OutboxMessage{Text: "پیام صوتی کارشناس", File: &store.File{Kind: "voice", Name: "voice.ogg", MIME: "audio/ogg", Path: write("v.ogg", "OggS")}},
			[]whatsmeow.MediaType{whatsmeow.MediaAudio}, func(t *testing.T, s []whatsapptest.Sent) {
				if len(s) != 2 || s[0].Msg.GetConversation() != "پیام صوتی کارشناس" || !s[1].Msg.GetAudioMessage().GetPTT() ||
					s[1].Msg.GetAudioMessage().GetMimetype() != "audio/ogg; codecs=opus" {
					t.Errorf("sent %+v", s)
				}
			}},
		{"document with a long text", store.OutboxMessage{Text: long, File: &store.File{Kind: "document", Name: "guide.pdf", MIME: "application/pdf", Path: write("g.pdf", "%PDF")}},
			[]whatsmeow.MediaType{whatsmeow.MediaDocument}, func(t *testing.T, s []whatsapptest.Sent) {
				doc := s[len(s)-1].Msg.GetDocumentMessage()
				if len(s) != 2 || s[0].Msg.GetConversation() != strings.TrimSpace(long) || doc.GetFileName() != "guide.pdf" || doc.GetCaption() != "" {
					t.Errorf("sent %d parts: %+v", len(s), doc)
				}
			}},
		{"gif goes as a document", store.OutboxMessage{File: &store.File{Kind: "image", Name: "a.gif", MIME: "image/gif", Path: write("a.gif", "GIF89a")}},
			[]whatsmeow.MediaType{whatsmeow.MediaDocument}, func(t *testing.T, s []whatsapptest.Sent) {
				if len(s) != 1 || s[0].Msg.GetDocumentMessage().GetFileName() != "a.gif" {
					t.Errorf("sent %+v", s)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			hs.mustContact(customer, pnJID)
			tt.m.ID, tt.m.To = 5, string(outbox.WhatsApp(customer))
			if _, err := hs.a.Send(context.Background(), tt.m); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(hs.cli.Uploads(), tt.uploads) {
				t.Errorf("uploads %v, want %v", hs.cli.Uploads(), tt.uploads)
			}
			tt.check(t, hs.cli.Sent())
		})
	}
}

func TestSendRetrySendsOnlyTheRest(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	p := filepath.Join(t.TempDir(), "v.ogg")
	os.WriteFile(p, []byte("OggS"), 0o600)
	hs.cli.SetSendErr(func(n int) error {
		if n == 2 {
			return errBoom
		}
		return nil
	})
	m := store.OutboxMessage{ID: 3, To: string(outbox.WhatsApp(customer)), Text: "متن", File: &store.File{Kind: "voice", Name: "v.ogg", MIME: "audio/ogg", Path: p}}
	if _, err := hs.a.Send(context.Background(), m); err == nil || outbox.IsPermanent(err) {
		t.Fatalf("err %v, want a retryable failure of the second part", err)
	}
	id, err := hs.a.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	s := hs.cli.Sent()
	if len(s) != 2 || s[0].Msg.GetConversation() != "متن" || s[1].Msg.GetAudioMessage() == nil || id != s[0].ID {
		t.Errorf("sent %+v id %s; want the text once, then the voice note, and the text's id", s, id)
	}
}

func TestSendGoneFileIsPermanent(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)),
		File: &store.File{Kind: "document", Name: "x.pdf", Path: filepath.Join(t.TempDir(), "missing.pdf")}})
	if !outbox.IsPermanent(err) {
		t.Errorf("err %v, want permanent", err)
	}
}

func TestTemporaryBanStopsSending(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	hs.event(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour})
	if s := hs.a.State(); s != StateBanned {
		t.Errorf("state %s, want banned", s)
	}
	_, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"})
	var ra outbox.RetryAfter
	if !errors.As(err, &ra) || ra.RetryAfter() != 2*time.Hour || outbox.IsPermanent(err) {
		t.Fatalf("err %v, want a retry after the ban's 2h", err)
	}
	if len(hs.cli.Sent()) != 0 {
		t.Error("sent during a ban")
	}
	ban := notice.WhatsAppBanned{Code: int(events.TempBanSentToTooManyPeople), Until: t0.Add(2 * time.Hour), LengthKnown: true}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{ban}) {
		t.Errorf("reported %+v, want %+v", got, ban)
	}
	// A new adapter on the same database (a restart) still holds sends
	// back, and reports nothing new.
	again := New(Link{Client: hs.cli, Paired: true}, hs.db, hs.h, Config{Now: hs.clock.Now, Say: hs.a.cfg.Say, Notify: hs.notes})
	again.loadBan(ctx)
	if _, err := again.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"}); !errors.As(err, &ra) {
		t.Errorf("after a restart err %v, want the ban to hold", err)
	}
	// When the ban is over, sending resumes and the connection is
	// reported back.
	hs.clock.Add(2*time.Hour + time.Second)
	if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"}); err != nil {
		t.Fatalf("after the ban: %v", err)
	}
	hs.event(&events.Connected{})
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{ban, notice.WhatsAppBack{}}) {
		t.Errorf("reported %+v, want the ban and then the connection back", got)
	}
	if got := hs.outbox(); len(got) != 0 {
		t.Errorf("the adapter enqueued %+v itself", got)
	}
}

func TestLoggedOutHoldsSendsAndSaysHowToPair(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.PairCommand = "supportbot pair -config /etc/supportbot/config.yaml" })
	hs.mustContact(customer, pnJID)
	for range 2 {
		hs.event(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut})
	}
	out := notice.WhatsAppLoggedOut{Command: "supportbot pair -config /etc/supportbot/config.yaml"}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{out, out}) {
		t.Fatalf("reported %+v, want %+v for each event (the core tells once)", got, out)
	}
	_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"})
	if !errors.Is(err, ErrLoggedOut) || outbox.IsPermanent(err) {
		t.Errorf("err %v, want a retryable ErrLoggedOut", err)
	}
	if s := hs.a.State(); s != StateLoggedOut {
		t.Errorf("state %s", s)
	}
}

func TestDisconnectHoldsSendsUntilReconnected(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	hs.cli.SetConnected(false)
	hs.event(&events.Disconnected{})
	if s := hs.a.State(); s != StateReconnecting {
		t.Errorf("state %s", s)
	}
	if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"}); !errors.Is(err, ErrNotConnected) || outbox.IsPermanent(err) {
		t.Fatalf("err %v, want a retryable ErrNotConnected", err)
	}
	hs.cli.SetConnected(true)
	hs.event(&events.Connected{})
	if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"}); err != nil {
		t.Fatal(err)
	}
	if s := hs.a.State(); s != StateConnected {
		t.Errorf("state %s", s)
	}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{notice.WhatsAppBack{}}) {
		t.Errorf("a passing disconnect reported %+v, want only the connection (the core says nothing of it)", got)
	}
}

func TestReceiptsTrackDeliveryAndTellStaffOfFailures(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	send := func(outboxID, ticket int64, text string) string {
		m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp(customer)), TicketID: ticket, Text: text, Status: store.OutboxPending}
		if err := hs.db.Enqueue(ctx, &m); err != nil {
			t.Fatal(err)
		}
		id, err := hs.a.Send(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	delivered := send(0, 12, "پاسخ اول")
	refused := send(0, 12, "پاسخ دوم")
	silent := send(0, 0, "پیام سوم")
	receipt := func(typ types.ReceiptType, ids ...string) {
		t.Helper()
		if !hs.event(&events.Receipt{MessageSource: types.MessageSource{Chat: pnJID, Sender: pnJID}, MessageIDs: ids, Timestamp: hs.clock.Now(), Type: typ}) {
			t.Fatal("receipt not acknowledged")
		}
	}
	receipt(types.ReceiptTypeDelivered, delivered)
	receipt(types.ReceiptTypeRead, delivered)
	receipt(types.ReceiptTypeServerError, refused)
	receipt(types.ReceiptTypeServerError, refused) // twice: told once
	receipt(types.ReceiptTypeRead, "NOT-OURS")

	d, _ := hs.db.WhatsAppSent(ctx, delivered)
	if d.DeliveredAt.IsZero() || d.ReadAt.IsZero() || d.Reported {
		t.Errorf("delivered message %+v", d)
	}
	rs, _ := hs.db.WhatsAppSent(ctx, refused)
	refusedEv := notice.WhatsAppUndelivered{OutboxID: rs.OutboxID, Ticket: 12, Address: customer, Refused: true}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{refusedEv}) {
		t.Fatalf("reported %+v, want once %+v", got, refusedEv)
	}
	// The third never gets a receipt: reported after 12 hours, once.
	hs.clock.Add(11 * time.Hour)
	must(t, hs.a.CheckUndelivered(ctx))
	if n := len(hs.notes.events()); n != 1 {
		t.Errorf("reported after 11h: %d events", n)
	}
	hs.clock.Add(2 * time.Hour)
	must(t, hs.a.CheckUndelivered(ctx))
	must(t, hs.a.CheckUndelivered(ctx))
	ss, _ := hs.db.WhatsAppSent(ctx, silent)
	silentEv := notice.WhatsAppUndelivered{OutboxID: ss.OutboxID, Address: customer, Wait: 12 * time.Hour}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{refusedEv, silentEv}) {
		t.Errorf("reported %+v, want then %+v", got, silentEv)
	}
	if s, _ := hs.db.WhatsAppSent(ctx, silent); !s.Reported {
		t.Errorf("silent message %+v not marked reported", s)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// A send that WhatsApp took but whose answer was lost (a timeout) is tried
// again under the same message id, so the customer's phone shows it once.
// Ids differ between rows and parts, stay the same after a restart, and
// differ between installs.
func TestSendRetryReusesTheMessageID(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp(customer)), TicketID: 3, Text: "پاسخ کارشناس", Status: store.OutboxPending, NextAttempt: t0}
	must(t, hs.db.Enqueue(ctx, &m))
	hs.cli.SetLoseAnswer(func(n int) bool { return n == 1 })
	d := outbox.NewDispatcher(hs.db, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	d.Register("whatsapp", hs.a)
	for range 3 {
		must(t, d.Flush(ctx))
		hs.clock.Add(time.Minute)
	}
	sent := hs.cli.Sent()
	if len(sent) != 2 || sent[0].ID != sent[1].ID || !strings.HasPrefix(sent[0].ID, "3EB0") || len(sent[0].ID) != 22 {
		t.Fatalf("sent %+v, want the same whatsmeow-style id twice", sent)
	}
	if shown := hs.cli.Shown(); len(shown) != 1 {
		t.Errorf("the customer's phone shows %d messages, want 1", len(shown))
	}
	got, _ := hs.db.OutboxMessage(ctx, m.ID)
	if got.Status != store.OutboxSent || got.ExternalID != sent[0].ID {
		t.Errorf("outbox row %+v", got)
	}
	id := func(a *Adapter, row int64, part int) string {
		t.Helper()
		v, err := a.messageID(ctx, row, part)
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	restarted := New(hs.a.link, hs.db, hs.h, hs.a.cfg)
	other := newHarness(t)
	switch {
	case id(restarted, m.ID, 0) != sent[0].ID:
		t.Error("a restart changed the row's id")
	case id(hs.a, m.ID, 1) == sent[0].ID || id(hs.a, m.ID+1, 0) == sent[0].ID:
		t.Error("another part or row has the same id")
	case id(other.a, m.ID, 0) == sent[0].ID:
		t.Error("another install has the same id")
	}
}

// WhatsApp's refusals that no retry changes are given up at once and
// reported once with the code as data (the core words it); server trouble
// and timeouts are retried.
func TestSendServerErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		permanent bool
		code      int
	}{
		{"463 no permission to write", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463), true, 463},
		{"479 address refused", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 479), true, 479},
		{"403 forbidden", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 403), true, 403},
		{"500 server trouble", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 500), false, 0},
		{"timeout", whatsmeow.ErrMessageTimedOut, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			hs.mustContact(customer, pnJID)
			ctx := context.Background()
			hs.cli.SetSendErr(func(int) error { return tt.err })
			m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp(customer)), TicketID: 8, Text: "پاسخ", Status: store.OutboxPending, NextAttempt: t0}
			must(t, hs.db.Enqueue(ctx, &m))
			var reported []error
			report := func(m store.OutboxMessage, attempts int, err error) string {
				reported = append(reported, err)
				return outbox.DefaultFailureReport(m, attempts, err)
			}
			d := outbox.NewDispatcher(hs.db, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }, Report: report})
			d.Register("whatsapp", hs.a)
			for range 3 {
				must(t, d.Flush(ctx))
				hs.clock.Add(10 * time.Minute)
			}
			got, _ := hs.db.OutboxMessage(ctx, m.ID)
			staff := hs.to(string(outbox.StaffGroup))
			if tt.permanent {
				if got.Status != store.OutboxFailed {
					t.Errorf("row %s, want failed at once", got.Status)
				}
				var refused *notice.WhatsAppRefused
				if len(staff) != 1 || len(reported) != 1 || !errors.As(reported[0], &refused) || refused.Code != tt.code {
					t.Errorf("staff told %+v of %v, want one report of code %d", staff, reported, tt.code)
				}
				return
			}
			if got.Status != store.OutboxPending || got.Attempts != 3 || len(staff) != 0 {
				t.Errorf("row %s after %d attempts, staff told %d; want retried", got.Status, got.Attempts, len(staff))
			}
		})
	}
}

// An outage of hours holds the answers without counting attempts; when the
// connection is back they go at once, each once, and nobody is told of a
// failure.
func TestOutageHoldsAnswersWithoutBurningAttempts(t *testing.T) {
	var d *outbox.Dispatcher
	hs := newHarness(t, func(c *Config, _ *Link) { c.Available = func() { d.Available("whatsapp") } })
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	d = outbox.NewDispatcher(hs.db, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(_ context.Context, d time.Duration) error {
		hs.clock.Add(max(d, 0)) // the pace between two answers to one chat
		return nil
	}})
	d.Register("whatsapp", hs.a)
	hs.event(&events.Connected{})
	hs.cli.SetConnected(false)
	hs.event(&events.Disconnected{})
	var ids []int64
	for i := range 3 {
		m := store.OutboxMessage{CreatedAt: hs.clock.Now(), To: string(outbox.WhatsApp(customer)), TicketID: int64(i + 1), Text: fmt.Sprintf("پاسخ %d", i+1), Status: store.OutboxPending, NextAttempt: hs.clock.Now()}
		must(t, hs.db.Enqueue(ctx, &m))
		ids = append(ids, m.ID)
	}
	for range 6 * 60 { // six hours, a pass a minute
		must(t, d.Flush(ctx))
		hs.a.Check(ctx)
		hs.clock.Add(time.Minute)
	}
	for _, id := range ids {
		if m, _ := hs.db.OutboxMessage(ctx, id); m.Status != store.OutboxPending || m.Attempts != 0 {
			t.Fatalf("row %d: %s after %d attempts, want held without attempts", id, m.Status, m.Attempts)
		}
	}
	hs.cli.SetConnected(true)
	hs.event(&events.Connected{})
	must(t, d.Flush(ctx))
	if shown := hs.cli.Shown(); len(shown) != 3 || shown[0].Msg.GetConversation() != "پاسخ 1" {
		t.Errorf("after the outage the customer got %d messages, want the 3 answers in order", len(shown))
	}
	for _, m := range hs.to(string(outbox.StaffGroup)) {
		if !strings.Contains(m.Text, "قطع است") && !strings.Contains(m.Text, "دوباره برقرار شد") {
			t.Errorf("staff told %q; want only the disconnection and the all-clear", m.Text)
		}
	}
}

// A stalled upload ends at its deadline instead of holding the WhatsApp
// lane; nothing is sent, and the outbox tries again later.
func TestStalledUploadHasADeadline(t *testing.T) {
	old := uploadTimeout
	uploadTimeout = 50 * time.Millisecond
	t.Cleanup(func() { uploadTimeout = old })
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	hs.cli.SetUploadGate(func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	p := filepath.Join(t.TempDir(), "p.jpg")
	if err := os.WriteFile(p, []byte("JPEGDATA"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)),
			Text: "تصویر", File: &store.File{Kind: "image", Name: "p.jpg", MIME: "image/jpeg", Path: p}})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("send: %v, want the upload's deadline", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("a stalled upload held the send past its deadline")
	}
	if s := hs.cli.Sent(); len(s) != 0 {
		t.Errorf("sent %+v", s)
	}
}

// A send WhatsApp refuses for good is reported by the dispatcher; its
// record, made before the send, does not make the undelivered check tell
// staff a second time.
func TestRefusedSendToldOnce(t *testing.T) {
	hs := newHarness(t)
	hs.mustContact(customer, pnJID)
	ctx := context.Background()
	hs.cli.SetSendErr(func(int) error { return fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463) })
	m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp(customer)), TicketID: 8, Text: "پاسخ", Status: store.OutboxPending, NextAttempt: t0}
	must(t, hs.db.Enqueue(ctx, &m))
	d := outbox.NewDispatcher(hs.db, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
	d.Register("whatsapp", hs.a)
	must(t, d.Flush(ctx))
	hs.clock.Add(13 * time.Hour)
	must(t, hs.a.CheckUndelivered(ctx))
	if staff := hs.to(string(outbox.StaffGroup)); len(staff) != 1 {
		t.Errorf("staff told %d times, want once (the dispatcher's report)", len(staff))
	}
	for _, ev := range hs.notes.events() {
		t.Errorf("reported %+v besides the dispatcher's report", ev)
	}
}
