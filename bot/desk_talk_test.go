package bot

import (
	"context"
	"strings"
	"testing"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// A forward, or a reply to a colleague's message, is never an answer to the
// customer: in a ticket's topic it is kept as an internal note (the hint
// said the first time each person does it); in the plain group a reply to
// a colleague is group chat, and a forward quoting the card is a note.
func TestStaffTalkNeverReachesTheCustomer(t *testing.T) {
	type step struct {
		name   string
		in     func(f *deskFixture, tk store.Ticket) StaffInput
		note   bool   // kept as a note on the ticket
		answer string // what the one answer says; "" for no answer
	}
	topic := func(text string, mod func(*StaffInput)) func(f *deskFixture, tk store.Ticket) StaffInput {
		return func(f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff(text)
			in.Thread = tk.ID
			mod(&in)
			return in
		}
	}
	forward := func(in *StaffInput) { in.Forwarded = true }
	colleague := func(in *StaffInput) { in.ReplyToOther = true }
	tests := []struct {
		name   string
		topics bool
		steps  []step
	}{
		{"topics", true, []step{
			{"a forward", topic("متن ایمیل مشتری", forward), true, "بازارسال‌شده"},
			{"a second forward says nothing", topic("یک ایمیل دیگر", forward), true, ""},
			{"a reply to a colleague", topic("من پیگیری می‌کنم", colleague), true, "همکار"},
			{"a second reply to a colleague says nothing", topic("باشد", colleague), true, ""},
			{"Ali's first reply to a colleague gets the hint", func(f *deskFixture, tk store.Ticket) StaffInput {
				in := topic("ممنون", colleague)(f, tk)
				in.UserID, in.UserName = 1002, "Ali"
				return in
			}, true, "همکار"},
			{"a forwarded file", func(f *deskFixture, tk store.Ticket) StaffInput {
				in := topic("", forward)(f, tk)
				in.File = &store.File{Kind: "photo", Name: "shot.jpg"}
				return in
			}, true, ""},
		}},
		{"plain group", false, []step{
			{"a reply to a colleague is group chat", func(f *deskFixture, tk store.Ticket) StaffInput {
				in := f.staff("من پیگیری می‌کنم")
				in.ReplyToOther = true
				return in
			}, false, ""},
			{"a forward is group chat", func(f *deskFixture, tk store.Ticket) StaffInput {
				in := f.staff("متن ایمیل مشتری")
				in.Forwarded = true
				return in
			}, false, ""},
			{"a forward quoting the card is a note", func(f *deskFixture, tk store.Ticket) StaffInput {
				in := f.staff("متن ایمیل مشتری")
				in.Forwarded, in.ReplyToTicket = true, tk.ID
				return in
			}, true, "روی کارت"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.desk.cfg.Topics = tt.topics
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			for _, s := range tt.steps {
				in := s.in(f, tk)
				before := notes(t, f, tk.ID)
				out := f.handleAll(t, in)
				if c := to(out, string(outbox.WhatsApp(phoneSilver))); len(c) != 0 {
					t.Errorf("%s: sent to the customer: %+v", s.name, c)
				}
				if got := f.getTicket(t, tk.ID); got.Status != store.TicketNew || !got.FirstResponseAt.IsZero() {
					t.Errorf("%s: ticket %s, first response %v; want it still unanswered", s.name, got.Status, got.FirstResponseAt)
				}
				if n := notes(t, f, tk.ID) - before; (n == 1) != s.note || n > 1 {
					t.Errorf("%s: %d notes added, want note=%v", s.name, n, s.note)
				}
				group := to(out, string(outbox.StaffGroup))
				switch {
				case s.answer == "" && len(group) != 0:
					t.Errorf("%s: said %+v, want nothing", s.name, group)
				case s.answer != "" && (len(group) != 1 || !strings.Contains(group[0].Text, s.answer)):
					t.Errorf("%s: said %+v, want one answer saying %q", s.name, group, s.answer)
				case s.answer != "" && tt.topics && group[0].Thread != tk.ID:
					t.Errorf("%s: answered in thread %d, want the topic %d", s.name, group[0].Thread, tk.ID)
				}
			}
			// What is not staff talk still reaches the customer.
			in := f.staff("لطفاً نسخه را بفرمایید")
			if tt.topics {
				in.Thread = tk.ID
			} else {
				in.ReplyToTicket = tk.ID
			}
			if c := to(f.handle(t, in), string(outbox.WhatsApp(phoneSilver))); len(c) != 1 {
				t.Errorf("a plain answer: sent to the customer %+v, want one message", c)
			}
		})
	}
}

// notes counts the internal notes on a ticket.
func notes(tb testing.TB, f *deskFixture, id int64) int {
	tb.Helper()
	ms, err := f.db.Messages(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Direction == store.StaffNote {
			n++
		}
	}
	return n
}
