package bot

import (
	"context"
	"strings"
	"testing"

	"supportbot/conversation"
	"supportbot/store"
)

// auditCases is one working use of every desk command, on the fixture with
// threeTickets (1: product A-1, 2: hourly A-4, 3: project A-3). A command
// added to the table without a case here fails TestEveryCommandIsAudited.
var auditCases = map[string]struct {
	setup   string // a command run before, when the case needs one
	text    string
	chat    string
	manager bool
	ticket  int64 // the ticket the record names, 0 for none
}{
	"tickets":   {text: "/tickets"},
	"ticket":    {text: "/ticket 1", ticket: 1},
	"claim":     {text: "/claim 1", ticket: 1},
	"assign":    {text: "/assign 2 1002 Ali", ticket: 2},
	"log":       {text: "/log 2 45m", ticket: 2},
	"close":     {text: "/close 3", ticket: 3},
	"reopen":    {setup: "/close 3", text: "/reopen 3", ticket: 3},
	"decline":   {text: "/decline 3 misuse", ticket: 3},
	"note":      {text: "/note 1 پیگیری شود", ticket: 1},
	"link":      {text: "/link 09121239999 P-1"},
	"usage":     {text: "/usage P-3"},
	"held":      {text: "/held " + phoneSilver},
	"open":      {text: "/open P-1 question گزارش‌ها کجاست", ticket: 5},
	"r":         {text: "/r 1 hello", ticket: 1},
	"snippet":   {text: "/snippet add bye خداحافظ {customer}"},
	"snippets":  {text: "/snippets"},
	"wait":      {text: "/wait 1 نسخه را بفرستید", ticket: 1},
	"merge":     {text: "/merge 2 5", ticket: 2},
	"statement": {text: "/statement P-3 1405-09", chat: ChatPrivate, manager: true},
	"outage":    {text: "/outage on", chat: ChatPrivate, manager: true},
	"digest":    {text: "/digest", chat: ChatPrivate, manager: true},
	"help":      {text: "/help"},
}

// TestEveryCommandIsAudited runs each desk command once and checks that it
// left exactly one audit record naming who, what and the ticket, and that a
// refused command leaves none.
func TestEveryCommandIsAudited(t *testing.T) {
	for _, c := range commands {
		tc, ok := auditCases[c.name]
		if !ok {
			t.Errorf("command /%s has no audit case", c.name)
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.desk.SetIntake(conversation.New(f.desk.policy, conversation.Config{}))
			f.desk.cfg.FilesDir = t.TempDir()
			threeTickets(t, f)
			f.ticket(t, "A-4", phoneProj, "question", "") // 4
			f.handle(t, f.staff("/snippet add hello سلام {customer}"))
			if c.name == "merge" {
				f.ticket(t, "A-4", phoneProj, "question", "") // 5
			}
			if tc.setup != "" {
				f.handle(t, f.staff(tc.setup))
			}
			before := f.audit(t)
			in := f.staff(tc.text)
			if tc.chat != "" {
				in.Chat = tc.chat
			}
			if tc.manager {
				in.UserID, in.UserName = managerReza, "Reza"
			}
			sent := f.handle(t, in)
			after := f.audit(t)
			if len(after) != len(before)+1 {
				t.Fatalf("%s left %d records, want 1; answers: %v", tc.text, len(after)-len(before), texts(sent))
			}
			r := after[len(after)-1]
			if r.Action != c.name || r.UserID != in.UserID || r.TicketID != tc.ticket || !r.At.Equal(in.At) {
				t.Errorf("record %+v, want action %s by %d on ticket %d", r, c.name, in.UserID, tc.ticket)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		f := newDeskFixture(t)
		threeTickets(t, f)
		for _, text := range []string{"/close 99", "/outage on", "/merge 1 2", "/r 1 nothing", "/nonsense"} {
			f.handle(t, f.staff(text))
		}
		if rs := f.audit(t); len(rs) != 0 {
			t.Errorf("refused commands left records: %+v", rs)
		}
	})
	t.Run("buttons and replies", func(t *testing.T) {
		f := newDeskFixture(t)
		threeTickets(t, f)
		press := f.staff("")
		press.Callback = "claim:2"
		f.handle(t, press)
		reply := f.staff("نسخه را بفرستید")
		reply.ReplyToTicket = 1
		f.handle(t, reply)
		chat := f.staff("ناهار کی؟") // group chat, not about a ticket
		f.handle(t, chat)
		rs := f.audit(t)
		if len(rs) != 2 || rs[0].Action != "button:claim" || rs[0].TicketID != 2 || rs[1].Action != "reply" || rs[1].TicketID != 1 {
			t.Errorf("records %+v", rs)
		}
	})
}

func TestTicketShowsTheAuditTrail(t *testing.T) {
	f := newDeskFixture(t)
	threeTickets(t, f)
	f.handle(t, f.staff("/claim 1"))
	sent := f.handle(t, f.staff("/ticket 1"))
	if len(sent) != 2 || !strings.Contains(sent[1].Text, "claim") || !strings.Contains(sent[1].Text, "Sara") {
		t.Errorf("/ticket does not show the history: %v", texts(sent))
	}
}

func (f *deskFixture) audit(tb testing.TB) []store.AuditRecord {
	tb.Helper()
	rs, err := f.db.Audit(context.Background(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func texts(ms []store.OutboxMessage) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.To+": "+m.Text)
	}
	return out
}
