package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Every status change edits the ticket's card in place, once, with the new
// status and people by name; what changes nothing on the card edits
// nothing.
func TestCardEdits(t *testing.T) {
	status := func(f *deskFixture, s store.TicketStatus) string { return string(f.desk.status(s)) }
	tests := []struct {
		name   string
		before []string // staff inputs first
		input  string
		want   []string // on the edited card
		none   bool     // no edit expected
		noBtns bool     // the edited card has no buttons
	}{
		{name: "claim", input: "/claim 1", want: []string{"Sara"}},
		{name: "assign by id to someone who wrote in the group", before: []string{"/tickets"}, input: "/assign 1 " + strconv.FormatInt(staffSara, 10), want: []string{"Sara"}},
		{name: "assign to someone never seen", input: "/assign 1 4242", want: []string{"\u20684242\u2069"}},
		{name: "answered", input: "reply:لطفاً نسخه را بفرمایید", want: []string{"answered"}},
		{name: "waiting", input: "/wait 1 منتظر پاسخ شما هستیم", want: []string{"waiting"}},
		{name: "closed", input: "/close 1", want: []string{"closed"}, noBtns: true},
		{name: "reopened", before: []string{"/close 1"}, input: "/reopen 1", want: []string{"answered"}},
		{name: "declined", input: "/decline 1 misuse", want: []string{"declined"}, noBtns: true},
		{name: "time logged", input: "/log 1 45m", want: []string{"۴۵"}},
		{name: "merged", input: "/merge 2 1", want: []string{"merged"}, noBtns: true},
		{name: "a note changes nothing on the card", input: "/note 1 بررسی شد", none: true},
		{name: "an internal reply changes nothing", input: "reply:!بین خودمان", none: true},
		{name: "the history changes nothing", input: "/ticket 1", none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			f.ticket(t, "A-1", phoneSilver, rules.RequestQuestion, "")
			card := to(f.outbox(t), string(outbox.StaffGroup))[0]
			if card.TicketID != tk.ID || card.Kind != store.OutboxCard || card.Edit != 0 {
				t.Fatalf("card %+v", card)
			}
			in := func(text string) StaffInput {
				in := f.staff(text)
				if r, ok := strings.CutPrefix(text, "reply:"); ok {
					in.Text, in.ReplyTo = r, card.ID
				}
				return in
			}
			for _, b := range tt.before {
				f.handleAll(t, in(b))
			}
			before := len(edits(f.outbox(t)))
			got := edits(f.handleAll(t, in(tt.input)))
			if tt.none {
				if len(got) != 0 {
					t.Fatalf("edits %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("edits %+v (after %d before), want one", got, before)
			}
			e := got[0]
			if e.Edit != card.ID || e.To != string(outbox.StaffGroup) || e.TicketID != tk.ID || e.Kind != store.OutboxCard {
				t.Errorf("edit %+v, want of card %d", e, card.ID)
			}
			for _, w := range tt.want {
				switch w {
				case "answered", "waiting", "closed", "declined", "merged":
					w = status(f, store.TicketStatus(w))
				}
				if !strings.Contains(outbox.PlainMentions(e.Text), w) {
					t.Errorf("edited card lacks %q:\n%s", w, outbox.PlainMentions(e.Text))
				}
			}
			if strings.Contains(e.Text, "tg://") {
				t.Errorf("edited card has a link:\n%s", e.Text)
			}
			if (len(e.Buttons) == 0) != tt.noBtns {
				t.Errorf("buttons %v, want none: %v", e.Buttons, tt.noBtns)
			}
			// The same change again edits nothing.
			ctx := context.Background()
			if err := f.db.InTx(ctx, func(tx store.Store) error { return f.desk.refreshCard(ctx, tx, tk.ID, f.at, nil) }); err != nil {
				t.Fatal(err)
			}
			if n := len(edits(f.outbox(t))); n != before+1 {
				t.Errorf("%d edits after a refresh with nothing new, want %d", n, before+1)
			}
		})
	}
}

// A reply to the card as edited (posted anew) reaches the customer like a
// reply to the card.
func TestReplyToAnEditedCardReachesTheCustomer(t *testing.T) {
	f := newDeskFixture(t)
	f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	e := edits(f.handleAll(t, f.staff("/claim 1")))
	if len(e) != 1 {
		t.Fatalf("edits %+v", e)
	}
	in := f.staff("نسخه را بفرمایید")
	in.ReplyTo = e[0].ID
	if w := to(f.handle(t, in), string(outbox.WhatsApp(phoneSilver))); len(w) != 1 {
		t.Errorf("to the customer: %+v, want the reply", w)
	}
}

// The watch draws a changed card from the ticket as UpdateTicket stored
// it: the card must be the one the stored row gives, so a refresh that
// reads the row back edits nothing more. Tickets a desk path never
// writes (merged without the ticket it went into) are read back.
func TestCardFromTheStoredTicket(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *deskFixture, tk *store.Ticket)
	}{
		{"answered", func(f *deskFixture, tk *store.Ticket) {
			tk.Status, tk.FirstResponseAt = store.TicketAnswered, f.at
		}},
		{"waiting", func(f *deskFixture, tk *store.Ticket) {
			tk.Status, tk.WaitingSince = store.TicketWaiting, f.at
		}},
		{"waiting without its start", func(f *deskFixture, tk *store.Ticket) { tk.Status = store.TicketWaiting }},
		{"merged", func(f *deskFixture, tk *store.Ticket) {
			tk.Status, tk.MergedInto, tk.ClosedAt = store.TicketMerged, tk.ID+1, f.at
		}},
		{"merged into no ticket (read back as declined)", func(f *deskFixture, tk *store.Ticket) {
			tk.Status, tk.ClosedAt = store.TicketMerged, f.at
		}},
		{"closed, times in another zone", func(f *deskFixture, tk *store.Ticket) {
			tk.Status, tk.ClosedAt = store.TicketClosed, f.at.In(time.FixedZone("X", -7*3600))
			tk.FirstResponseDue = tk.FirstResponseDue.In(time.FixedZone("Y", 5*3600))
		}},
		{"assigned, logged", func(f *deskFixture, tk *store.Ticket) {
			tk.Assignee, tk.AssigneeName, tk.LoggedMin = staffSara, "Sara", 45
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			f.ticket(t, "A-1", phoneSilver, rules.RequestQuestion, "")
			ctx := context.Background()
			tt.change(f, &tk)
			err := f.db.InTx(ctx, func(tx store.Store) error {
				return f.desk.watched(ctx, tx, f.at, func(tx store.Store) error { return tx.UpdateTicket(ctx, tk) })
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(edits(f.outbox(t))); n != 1 {
				t.Fatalf("%d edits after the change, want 1", n)
			}
			if err := f.db.InTx(ctx, func(tx store.Store) error { return f.desk.refreshCard(ctx, tx, tk.ID, f.at, nil) }); err != nil {
				t.Fatal(err)
			}
			if es := edits(f.outbox(t)); len(es) != 1 {
				t.Errorf("the stored ticket draws another card:\n%s\nthen\n%s", es[0].Text, es[len(es)-1].Text)
			}
		})
	}
}
