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

// A message typed on the company phone to a customer is a staff answer
// from «گوشی شرکت» on the right ticket, shown to staff, never answered.
func TestHandleCompanyPhone(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *engineFixture) int64 // the ticket expected, 0 for none
		phone string
		// want: the ticket's status after, whether the first-response clock
		// stopped, and the staff message's key words.
		status    store.TicketStatus
		answered  bool
		staffWant string
	}{
		{"open new ticket: answered, clock stopped", func(f *engineFixture) int64 {
			return f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal).ID
		}, phoneSilver, store.TicketAnswered, true, "گوشی شرکت به مشتری تیکت"},
		{"the contact's own open ticket before another's", func(f *engineFixture) int64 {
			own := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal).ID
			f.at = f.at.Add(time.Minute)
			f.ticket(t, "A-1", "+989121110099", rules.RequestQuestion, "")
			return own
		}, phoneSilver, store.TicketAnswered, true, "گوشی شرکت به مشتری تیکت"},
		{"closed yesterday: on it, not reopened", func(f *engineFixture) int64 {
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
			f.handle(t, f.staff("/close "+itoa(tk.ID)))
			f.at = f.at.Add(24 * time.Hour)
			return tk.ID
		}, phoneSilver, store.TicketClosed, false, "پس از بسته‌شدن تیکت"},
		{"closed a month ago: no ticket", func(f *engineFixture) int64 {
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
			f.handle(t, f.staff("/close "+itoa(tk.ID)))
			f.at = f.at.AddDate(0, 1, 0)
			return 0
		}, phoneSilver, "", false, "تیکت بازی ندارد"},
		{"unknown number", func(f *engineFixture) int64 { return 0 }, "+989129999999", "", false, "این شماره تیکتی ندارد"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEngineFixture(t)
			ctx := context.Background()
			id := tt.setup(f)
			before := len(f.outbox(t))
			m := CompanyMessage{ID: "PH1", Chat: "989121110001@s.whatsapp.net", Phone: tt.phone, At: f.at.Add(time.Minute), Text: "نسخه ۴.۲ را نصب کنید"}
			for range 2 { // the second is a redelivery: nothing twice
				if err := f.eng.HandleCompanyPhone(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			all := f.outbox(t)[before:]
			var out []store.OutboxMessage // the card's edit (a new ticket answered) is checked by TestCardEdits
			for _, m := range all {
				if m.Edit == 0 {
					out = append(out, m)
				}
			}
			if len(out) != 1 || out[0].To != string(outbox.StaffGroup) || !strings.Contains(out[0].Text, tt.staffWant) || !strings.Contains(out[0].Text, m.Text) {
				t.Fatalf("sent %+v, want one staff message with %q and the text", out, tt.staffWant)
			}
			if out[0].TicketID != id {
				t.Errorf("staff message about ticket %d, want %d", out[0].TicketID, id)
			}
			if id == 0 {
				return
			}
			card, _ := f.desk.cardOf(ctx, f.db, id)
			if out[0].ReplyTo != card || card == 0 {
				t.Errorf("staff message replies to %d, want the card %d", out[0].ReplyTo, card)
			}
			// The card is redrawn once, open or closed: answered, or
			// marked answered after the close.
			if es := edits(all); len(es) != 1 || es[0].Edit != card {
				t.Errorf("card edits %+v, want one of card %d", es, card)
			} else if closed := tt.status == store.TicketClosed; strings.Contains(es[0].Text, "پاسخ پس از بستن: گوشی شرکت") != closed {
				t.Errorf("card edit %q; want the after-close line: %v", es[0].Text, closed)
			}
			tk := f.getTicket(t, id)
			if tk.Status != tt.status {
				t.Errorf("status %s, want %s", tk.Status, tt.status)
			}
			if got := tk.FirstResponseAt.Equal(m.At); got != tt.answered {
				t.Errorf("first response at %v; want stopped at the message: %v", tk.FirstResponseAt, tt.answered)
			}
			ms, err := f.db.Messages(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var found int
			for _, msg := range ms {
				if msg.Direction == store.FromStaff && msg.Author == "گوشی شرکت" && msg.Text == m.Text && msg.UserID == 0 {
					found++
				}
			}
			if found != 1 {
				t.Errorf("company-phone answers on the ticket: %d, want 1 (%+v)", found, ms)
			}
			exp, err := export.Messages(ctx, f.db, f.loc)
			if err != nil {
				t.Fatal(err)
			}
			var exported bool
			for _, e := range exp {
				exported = exported || (e.From == "staff" && e.Text == m.Text && e.Name != nil && *e.Name == "گوشی شرکت")
			}
			if !exported {
				t.Errorf("export -messages does not list the answer: %+v", exp)
			}
		})
	}
}
