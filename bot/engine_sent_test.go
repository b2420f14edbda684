package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"supportbot/export"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// WhatsApp's own time for a message is stored, exported, and shown to
// staff when it differs from ours by more than a minute (a backlog after
// downtime); it never changes when the message counts as received.
func TestSentAtStoredAndShown(t *testing.T) {
	tests := []struct {
		name   string
		sentBy time.Duration // how long before it reached us
		shown  string        // "" when staff see no sent line
	}{
		{"on time", 20 * time.Second, ""},
		{"held three hours", 3 * time.Hour, "ارسال‌شده ۷:۰۱"},
		{"held since yesterday", 26 * time.Hour, "ارسال‌شده شنبه ۷ آذر، ساعت ۸:۰۱"},
		{"no network time", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEngineFixture(t)
			ctx := context.Background()
			f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
			at := f.at.Add(time.Minute) // Sunday 1405/09/08 10:01
			var sent time.Time
			if tt.sentBy > 0 {
				sent = at.Add(-tt.sentBy)
			}
			out := f.say(t, CustomerMessage{ID: "W1", Chat: "c", Phone: phoneSilver, At: at, SentAt: sent, Text: "هنوز خطا می‌دهد"})
			var relay store.OutboxMessage
			for _, m := range out {
				if m.To == string(outbox.StaffGroup) && strings.Contains(m.Text, "هنوز خطا می‌دهد") {
					relay = m
				}
			}
			if relay.ID == 0 {
				t.Fatalf("not relayed: %+v", out)
			}
			if tt.shown == "" && strings.Contains(relay.Text, "ارسال‌شده") {
				t.Errorf("relay shows a sent time:\n%s", relay.Text)
			}
			if tt.shown != "" && !strings.Contains(relay.Text, tt.shown) {
				t.Errorf("relay:\n%s\nwant a line %q", relay.Text, tt.shown)
			}
			if !relay.CreatedAt.Equal(at) {
				t.Errorf("relayed at %v, want our time %v", relay.CreatedAt, at)
			}
			exp, err := export.Messages(ctx, f.db, f.loc)
			if err != nil {
				t.Fatal(err)
			}
			var m *export.Message
			for i := range exp {
				if exp[i].Text == "هنوز خطا می‌دهد" {
					m = &exp[i]
				}
			}
			if m == nil || m.At == nil || *m.At != at.In(f.loc).Format(time.RFC3339) {
				t.Fatalf("export: %+v", m)
			}
			switch {
			case sent.IsZero() && m.SentAt != nil:
				t.Errorf("sent_at %q, want null", *m.SentAt)
			case !sent.IsZero() && (m.SentAt == nil || *m.SentAt != sent.In(f.loc).Format(time.RFC3339)):
				t.Errorf("sent_at %v, want %s", m.SentAt, sent.In(f.loc).Format(time.RFC3339))
			}
		})
	}
}

// The card of a ticket shows when the customer began writing the request
// when that was well before the bot heard any of it (a backlog after
// downtime): the WhatsApp time of the first of the messages the ticket was
// opened with, not of the last one, which completed it. It keeps showing
// it when redrawn (a claim) and in /ticket; a card of messages on time,
// however long the customer took to answer the menus, shows none.
func TestSentAtOnCards(t *testing.T) {
	tests := []struct {
		name   string
		sentBy [3]time.Duration // how long before it reached us, per message
		gap    time.Duration    // between the description and the menu answers
		late   bool
	}{
		{"on time", [3]time.Duration{20 * time.Second, 20 * time.Second, 20 * time.Second}, time.Second, false},
		{"all late", [3]time.Duration{3 * time.Hour, 3 * time.Hour, 3 * time.Hour}, time.Second, true},
		// Written during the outage, the menus answered once it was over:
		// the message that completed the ticket came on time.
		{"the description late", [3]time.Duration{3 * time.Hour, 10 * time.Second, 10 * time.Second}, 2 * time.Minute, true},
		{"slow but on time", [3]time.Duration{10 * time.Second, 10 * time.Second, 10 * time.Second}, 5 * time.Minute, false},
	}
	for _, tt := range tests {
		late := tt.late
		f := newEngineFixture(t)
		at := f.at.Add(time.Minute) // Sunday 1405/09/08 10:01
		var card store.OutboxMessage
		for i, text := range []string{"گزارش فروش در موبایل باز نمی‌شود", "۱", "۲"} {
			at := at.Add(time.Duration(i) * time.Second)
			if i > 0 {
				at = at.Add(tt.gap)
			}
			for _, m := range f.say(t, CustomerMessage{ID: "W" + itoa(int64(i)), Chat: "c", Phone: phoneSilver, At: at, SentAt: at.Add(-tt.sentBy[i]), Text: text}) {
				if m.Kind == store.OutboxCard {
					card = m
				}
			}
		}
		if card.ID == 0 {
			t.Fatal("no card posted")
		}
		const line = "ارسال‌شده ۷:۰۱"
		claim := f.desk.HandleStaff
		var edit store.OutboxMessage
		ctx := context.Background()
		before := len(f.outbox(t))
		if err := f.db.InTx(ctx, func(tx store.Store) error {
			return claim(ctx, tx, StaffInput{At: at.Add(time.Hour), Chat: ChatStaff, UserID: staffSara, UserName: "Sara", Text: "/claim " + itoa(card.TicketID)})
		}); err != nil {
			t.Fatal(err)
		}
		for _, m := range f.outbox(t)[before:] {
			if m.Edit == card.ID {
				edit = m
			}
		}
		var shown string
		if err := f.db.InTx(ctx, func(tx store.Store) error {
			tk, err := tx.Ticket(ctx, card.TicketID)
			if err != nil {
				return err
			}
			shown, err = f.desk.card(ctx, tx, tk)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for what, text := range map[string]string{"card": card.Text, "card after /claim": edit.Text, "/ticket": shown} {
			if strings.Contains(text, line) != late || (!late && strings.Contains(text, "ارسال‌شده")) {
				t.Errorf("%s: %s:\n%s\nwant the line %q: %v", tt.name, what, text, line, late)
			}
		}
	}
}
