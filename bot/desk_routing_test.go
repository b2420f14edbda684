package bot

import (
	"context"
	"strings"
	"testing"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Only a reply to the card, to a relayed customer message or naming the
// ticket reaches the customer (TestReplyRouting). A reply to any other bot
// message about the ticket, or one starting with "!", stays internal: a
// note, and one short line saying so.
func TestRepliesToOtherBotMessagesStayInternal(t *testing.T) {
	last := func(t *testing.T, f *deskFixture) int64 {
		out := f.outbox(t)
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].Edit == 0 { // not the card, edited after the claim
				return out[i].ID
			}
		}
		t.Fatal("no message")
		return 0
	}
	post := func(t *testing.T, f *deskFixture, tk store.Ticket, text string, replyToCard bool) int64 {
		ctx := context.Background()
		var id int64
		err := f.db.InTx(ctx, func(tx store.Store) error {
			card, err := f.desk.cardOf(ctx, tx, tk.ID)
			if err != nil {
				return err
			}
			p := outbox.Post{To: outbox.StaffGroup, TicketID: tk.ID, Text: text}
			if replyToCard {
				p.ReplyTo = card
			}
			id, err = f.desk.post(ctx, tx, f.at, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	tests := []struct {
		name  string
		reply func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput
		note  string
	}{
		{"a reminder under the card", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("این مشتری همیشه عجله داره")
			in.ReplyTo = post(t, f, tk, f.p.T("jobs.reminder", map[string]any{"id": tk.ID}), true)
			return in
		}, "این مشتری همیشه عجله داره"},
		{"a breach alert", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("کی پیگیری می‌کنه؟")
			in.ReplyTo = post(t, f, tk, "breach", true)
			return in
		}, "کی پیگیری می‌کنه؟"},
		{"a failure report", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("خودم زنگ می‌زنم")
			in.ReplyTo = post(t, f, tk, "⚠️ report", false)
			return in
		}, "خودم زنگ می‌زنم"},
		{"the note-added confirmation", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			f.handle(t, f.staff("/note 1 اول"))
			in := f.staff("دوم")
			in.ReplyTo = last(t, f)
			return in
		}, "دوم"},
		{"a claim confirmation", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("claim")
			in.Text, in.Callback = "", "claim:1"
			f.handle(t, in)
			in = f.staff("من برمی‌دارم")
			in.ReplyTo = last(t, f)
			return in
		}, "من برمی‌دارم"},
		{"the /ticket history", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			f.handle(t, f.staff("/ticket 1"))
			in := f.staff("سابقه را دیدم")
			in.ReplyTo = last(t, f)
			return in
		}, "سابقه را دیدم"},
		{"a ! reply to the card", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("! فقط بین خودمان")
			in.ReplyTo = f.outbox(t)[0].ID
			return in
		}, "فقط بین خودمان"},
		{"a ! after a right-to-left mark, replying to the card", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("\u200f!هنوز به مشتری نگو")
			in.ReplyTo = f.outbox(t)[0].ID
			return in
		}, "هنوز به مشتری نگو"},
		{"a ! reply to a relayed message", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			ctx := context.Background()
			if err := f.db.InTx(ctx, func(tx store.Store) error {
				return f.desk.CustomerWrote(ctx, tx, tk, store.Message{TicketID: tk.ID, Text: "نسخه ۲"}, f.at)
			}); err != nil {
				t.Fatal(err)
			}
			in := f.staff("!نسخه قدیمی است")
			in.ReplyTo = last(t, f)
			return in
		}, "نسخه قدیمی است"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			in := tt.reply(t, f, tk)
			before := f.getTicket(t, tk.ID)
			sent := f.handle(t, in)
			if w := to(sent, string(outbox.WhatsApp(phoneSilver))); len(w) != 0 {
				t.Fatalf("reached the customer: %+v", w)
			}
			m := only(t, sent)
			if m.To != string(outbox.StaffGroup) || !strings.Contains(m.Text, "یادداشت داخلی") || strings.Count(m.Text, "\n") > 0 && len([]rune(m.Text)) > 200 {
				t.Errorf("answer %+v, want one short line in the staff group saying it stayed internal", m)
			}
			after := f.getTicket(t, tk.ID)
			if !after.FirstResponseAt.Equal(before.FirstResponseAt) || after.Status != before.Status {
				t.Errorf("ticket changed: %+v → %+v", before, after)
			}
			msgs, err := f.db.Messages(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, mm := range msgs {
				if mm.Direction == store.StaffNote && mm.Text == tt.note {
					found = true
				}
				if mm.Direction == store.FromStaff {
					t.Errorf("stored as an answer to the customer: %+v", mm)
				}
			}
			if !found {
				t.Errorf("no note %q among %+v", tt.note, msgs)
			}
		})
	}
}
