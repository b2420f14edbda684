package bot

import (
	"fmt"
	"testing"

	"supportbot/rules"
	"supportbot/store"
)

func TestTmpShow(t *testing.T) {
	f := newDeskFixture(t)
	f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant, store.File{Kind: "image", Name: "error.png", Bytes: 48211})
	f.ticket(t, "G-1", phoneGold, rules.RequestQuestion, "")
	h := f.ticket(t, "A-4", phoneProj, rules.RequestCustomization, "")
	f.ticket(t, "A-3", phoneProj, rules.RequestCustomization, "")
	in := f.staff("لطفاً نسخه را بفرمایید")
	in.ReplyToTicket = 1
	f.handle(t, in)
	for _, cmd := range []string{"/tickets", "/ticket 1", "/claim 1", "/assign ۲ 1002 Ali", "/log 3 10m", "/log 3 11h", "/log 4 2h", "/note 1 مشتری عجله دارد", "/ticket 1", "/decline 2", "/decline 2 misuse", "/close 3", "/reopen 2", "/link 0937 000 9999 p-۱", "/usage P-3", "/usage P-1", "/help", "/foo", "/log 3 abc", "/decline 1 rude", "/close", "/close x", "/close 99", "/assign 1 abc"} {
		fmt.Println(">>>", cmd)
		for _, m := range f.handle(t, f.staff(cmd)) {
			fmt.Printf("[%s t=%d b=%v]\n%s\n\n", m.To, m.TicketID, m.Buttons, m.Text)
		}
	}
	_ = h
	in = f.staff("/digest")
	in.UserID = managerReza
	for _, m := range f.handle(t, in) {
		fmt.Printf("[%s]\n%s\n", m.To, m.Text)
	}
	for _, m := range f.outbox(t)[:8] {
		fmt.Printf("[%s t=%d b=%v r=%d]\n%s\n\n", m.To, m.TicketID, m.Buttons, m.ReplyTo, m.Text)
	}
}
