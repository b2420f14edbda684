package whatsapp

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Read receipts follow whatsapp.mark_read: at once, after a person's
// answer (a staff reply or the company phone, not the bot's automatic
// replies), or never.
func TestMarkReadModes(t *testing.T) {
	tests := []struct {
		mode                string
		afterMessages       []string // read after the customer's two messages
		afterBotReply       []string // … and the bot's automatic reply
		afterStaffAnswer    []string // … and a staff answer
		afterPhoneAnswerNew []string // a third message, then the company phone answers
	}{
		{MarkReadImmediate, []string{"C1", "C2"}, []string{"C1", "C2"}, []string{"C1", "C2"}, []string{"C1", "C2", "C3"}},
		{MarkReadAfterAnswer, nil, nil, []string{"C1", "C2"}, []string{"C1", "C2", "C3"}},
		{MarkReadNever, nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			hs := newHarness(t, func(c *Config, _ *Link) { c.MarkRead = tt.mode })
			ch := &companyHandler{fakeHandler: hs.h}
			hs.a = New(hs.a.link, hs.db, ch, hs.a.cfg)
			ctx := context.Background()
			check := func(when string, want []string) {
				t.Helper()
				got := hs.cli.Reads()
				if !slices.Equal(got, want) {
					t.Errorf("%s: read %v, want %v", when, got, want)
				}
			}
			hs.event(dm("C1", pnJID, text("سلام")))
			hs.event(dm("C2", pnJID, text("برنامه باز نمی‌شود")))
			check("after the messages", tt.afterMessages)

			// A ticket with the customer's message; the bot's reply is not
			// a person's answer.
			if err := hs.db.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "شرکت نمونه", City: "تهران", Phones: []string{"+989121234567"}}); err != nil {
				t.Fatal(err)
			}
			if err := hs.db.UpsertContract(ctx, rules.Contract{ID: "K-1", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierSilver,
				PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 2}}); err != nil {
				t.Fatal(err)
			}
			tk := store.Ticket{ContractID: "K-1", Kind: rules.RequestProblem, CustomerID: "C-1", Phone: "+989121234567", Status: store.TicketNew, OpenedAt: t0}
			if err := hs.db.CreateTicket(ctx, &tk); err != nil {
				t.Fatal(err)
			}
			if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, CreatedAt: t0, To: string(outbox.WhatsApp("+989121234567")), TicketID: tk.ID, Text: "ثبت شد"}); err != nil {
				t.Fatal(err)
			}
			check("after the bot's reply", tt.afterBotReply)

			at := t0.Add(10 * time.Minute)
			if err := hs.db.AddMessage(ctx, &store.Message{TicketID: tk.ID, At: at, Direction: store.FromStaff, Author: "Sara", UserID: 1001, Text: "نسخه را بفرمایید"}); err != nil {
				t.Fatal(err)
			}
			if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 2, CreatedAt: at, To: string(outbox.WhatsApp("+989121234567")), TicketID: tk.ID, Text: "نسخه را بفرمایید"}); err != nil {
				t.Fatal(err)
			}
			check("after the staff answer", tt.afterStaffAnswer)

			hs.event(dm("C3", pnJID, text("نسخه ۴.۲")))
			hs.event(fromPhone("P1", ownPhone, pnJID, text("ممنون، بررسی می‌کنیم")))
			check("after the company phone answered", tt.afterPhoneAnswerNew)
		})
	}
}

// whatsapp.debug passes whatsmeow's debug lines into the log, never its
// raw protocol stanzas, and redacts key-like strings; without it they are
// dropped.
func TestWhatsmeowDebugLog(t *testing.T) {
	key := strings.Repeat("a1B2", 12)
	for _, debug := range []bool{false, true} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		if debug {
			log = DebugLog(log)
		}
		wl := waLogger(log.With("transport", "whatsapp"), "client")
		wl.Debugf("sending retry receipt for %s", "3EB0ABC")
		wl.Sub("Send").Debugf("<message to=%q><enc>%s</enc></message>", "98912@s.whatsapp.net", key)
		wl.Sub("Socket").Debugf("frame with key %s", key)
		wl.Warnf("failed to decrypt with key %s", key)
		out := buf.String()
		if strings.Contains(out, key) {
			t.Errorf("debug=%v: a key reached the log:\n%s", debug, out)
		}
		if strings.Contains(out, "<message") {
			t.Errorf("debug=%v: a protocol stanza reached the log:\n%s", debug, out)
		}
		if !strings.Contains(out, "failed to decrypt with key [redacted]") {
			t.Errorf("debug=%v: the warning is missing or unredacted:\n%s", debug, out)
		}
		if got := strings.Contains(out, "sending retry receipt for 3EB0ABC"); got != debug {
			t.Errorf("debug=%v: whatsmeow's debug line in the log: %v\n%s", debug, got, out)
		}
		if got := strings.Contains(out, "frame with key [redacted]"); got != debug {
			t.Errorf("debug=%v: a sub-logger's debug line in the log: %v\n%s", debug, got, out)
		}
	}
}
