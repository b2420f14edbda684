package conversation

import (
	"slices"
	"testing"
	"time"

	"supportbot/rules"
)

// hiddenSilver is a hidden WhatsApp address staff linked to the silver
// customer (P-1) before WhatsApp told whose number it hides.
const hiddenSilver = "lid:900100"

// TestHiddenAddressContinuesTheSamePersonsFlow: a customer who moves from
// a number to a hidden address (or back) mid-way through a request goes on
// with the same request; the reply goes where the message came from. Two
// numbers are two people and never share a flow, and when it is not clear
// whose flow a hidden address continues, nothing is guessed.
func TestHiddenAddressContinuesTheSamePersonsFlow(t *testing.T) {
	type step struct {
		from, text string
		after      time.Duration // since the previous message; 10 s when zero
		check      bool          // the switch: was its "1" read as the kind?
	}
	menu := func(from string) []step { return []step{{from: from, text: "سلام"}, {from: from, text: "1"}} }
	cases := []struct {
		name  string
		steps []step
		// severity: the last "1" was read as the kind (the flow went on);
		// false: it was read afresh.
		severity bool
		ticket   string // the contact a ticket was opened from, "" for none
	}{
		{name: "number then hidden address",
			steps:    append(menu(phoneSilver), step{from: hiddenSilver, text: "1", check: true}, step{from: hiddenSilver, text: "2"}, step{from: hiddenSilver, text: "گزارش باز نمی‌شود"}),
			severity: true, ticket: hiddenSilver},
		{name: "hidden address then number",
			steps:    append(menu(hiddenSilver), step{from: phoneSilver, text: "1", check: true}, step{from: phoneSilver, text: "2"}, step{from: phoneSilver, text: "گزارش باز نمی‌شود"}),
			severity: true, ticket: phoneSilver},
		{name: "back and forth",
			steps:    append(menu(phoneSilver), step{from: hiddenSilver, text: "1", check: true}, step{from: phoneSilver, text: "2"}, step{from: hiddenSilver, text: "گزارش باز نمی‌شود"}),
			severity: true, ticket: hiddenSilver},
		{name: "two numbers are two people",
			steps: append(menu(phoneSilver), step{from: phoneSilver2, text: "1", check: true})},
		{name: "two people mid-way: the hidden address does not guess",
			steps: append(append(menu(phoneSilver), menu(phoneSilver2)...), step{from: hiddenSilver, text: "1", check: true})},
		{name: "a flow past the idle timeout is not taken up",
			steps: append(menu(phoneSilver), step{from: hiddenSilver, text: "1", after: 31 * time.Minute, check: true})},
		{name: "another customer's number is not taken up",
			steps: append(menu(phoneBronze), step{from: hiddenSilver, text: "1", check: true})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := fixture()
			f.linkHidden(hiddenSilver, "P-1")
			c := newChat(t, f, phoneSilver, sunday10)
			var r Result
			var sawSeverity bool
			for _, s := range tc.steps {
				if s.after == 0 {
					s.after = 10 * time.Second
				}
				c.now = c.now.Add(s.after)
				c.phone = s.from
				r = c.handle(Inbound{Phone: s.from, At: c.now, Text: s.text})
				if s.check {
					sawSeverity = slices.Contains(keys(r), "severity.title")
				}
			}
			if sawSeverity != tc.severity {
				t.Errorf("the switch's \"1\" read as the kind (severity asked): %v, want %v", sawSeverity, tc.severity)
			}
			ts := f.ticketsOf("A-1")
			if tc.ticket == "" {
				if len(ts) != 0 {
					t.Errorf("tickets %+v, want none", ts)
				}
				return
			}
			if len(ts) != 1 {
				t.Fatalf("%d tickets, want one request across both addresses", len(ts))
			}
			if tk := ts[0]; tk.Phone != tc.ticket || tk.Kind != rules.RequestProblem || tk.Severity != rules.SeverityImportant {
				t.Errorf("ticket from %s kind %s severity %s, want from %s, problem, important", tk.Phone, tk.Kind, tk.Severity, tc.ticket)
			}
			wantKeys(t, r, "ticket.opened")
		})
	}
}
