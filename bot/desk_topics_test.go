package bot

import (
	"strings"
	"testing"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Topics mode on the desk: what is about a ticket goes to its topic (card
// with the topic's title, follow-ups, answers to commands typed there);
// staff write to the customer there without replying; "!" and /note stay
// internal; commands act on the topic's ticket without a number; a command
// typed in the main chat is answered there.
func TestTopicsDesk(t *testing.T) {
	f := newDeskFixture(t)
	f.desk.cfg.Topics = true
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	card := to(f.outbox(t), string(outbox.StaffGroup))[0]
	if card.Thread != tk.ID || !strings.Contains(card.Topic, "شرکت نمونه یک") || !strings.Contains(card.Topic, "۱") {
		t.Fatalf("card thread %d, topic %q; want the ticket's topic titled with number and customer", card.Thread, card.Topic)
	}
	inTopic := func(text string) StaffInput {
		in := f.staff(text)
		in.Thread = tk.ID
		return in
	}
	tests := []struct {
		name       string
		in         StaffInput
		toCustomer bool
		answer     int64 // thread of the answer in the group; -1 for no answer
		check      func(t *testing.T, tk store.Ticket)
	}{
		{"a message in the topic reaches the customer", inTopic("لطفاً نسخه را بفرمایید"), true, -1, func(t *testing.T, tk store.Ticket) {
			if tk.Status != store.TicketAnswered {
				t.Errorf("status %s, want answered", tk.Status)
			}
		}},
		{"! stays internal", inTopic("!بین خودمان"), false, tk.ID, nil},
		{"a reply in the topic to a bot message not on record stays internal", func() StaffInput {
			in := inTopic("این یادآوری تکراری بود")
			in.ReplyToUnknown = true
			return in
		}(), false, tk.ID, nil},
		{"/note stays internal", inTopic("/note مشتری عجله دارد"), false, tk.ID, nil},
		{"/log without a number", inTopic("/log 45m"), false, tk.ID, func(t *testing.T, tk store.Ticket) {
			if tk.LoggedMin != 45 {
				t.Errorf("logged %d, want 45", tk.LoggedMin)
			}
		}},
		{"/claim naming the ticket", inTopic("/claim 1"), false, tk.ID, func(t *testing.T, tk store.Ticket) {
			if tk.Assignee != staffSara {
				t.Errorf("assignee %d", tk.Assignee)
			}
		}},
		{"/tickets in the main chat", f.staff("/tickets"), false, 0, nil},
		{"/close in the topic", inTopic("/close"), true, tk.ID, func(t *testing.T, tk store.Ticket) {
			if tk.Status != store.TicketClosed {
				t.Errorf("status %s, want closed", tk.Status)
			}
		}},
		{"a message in a closed ticket's topic is refused aloud", inTopic("یک چیز دیگر"), false, tk.ID, nil},
	}
	// What an answer must say, by case.
	says := map[string]string{"! stays internal": "بدون «!» در همین موضوع"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := f.handleAll(t, tt.in)
			customer := to(all, string(outbox.WhatsApp(phoneSilver)))
			if (len(customer) > 0) != tt.toCustomer {
				t.Errorf("to the customer: %+v, want %v", customer, tt.toCustomer)
			}
			var answers []store.OutboxMessage
			for _, m := range to(all, string(outbox.StaffGroup)) {
				if m.Edit == 0 {
					answers = append(answers, m)
				}
			}
			switch {
			case tt.answer < 0 && len(answers) != 0:
				t.Errorf("answers %+v, want none", answers)
			case tt.answer >= 0 && (len(answers) != 1 || answers[0].Thread != tt.answer):
				t.Errorf("answers %+v, want one in thread %d", answers, tt.answer)
			case says[tt.name] != "" && !strings.Contains(answers[0].Text, says[tt.name]):
				t.Errorf("answer %q, want it to say %q", answers[0].Text, says[tt.name])
			}
			for _, e := range edits(all) {
				if e.Thread != tk.ID || e.Topic == "" || e.Edit != card.ID {
					t.Errorf("card edit %+v, want in the topic with its title", e)
				}
			}
			if tt.check != nil {
				tt.check(t, f.getTicket(t, tk.ID))
			}
		})
	}
	// The topic's title follows the status.
	es := edits(f.outbox(t))
	if len(es) == 0 || !strings.Contains(es[len(es)-1].Topic, string(f.desk.status(store.TicketClosed))) {
		t.Errorf("last card edit %+v, want the topic titled closed", es)
	}
}
