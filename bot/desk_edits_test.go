package bot

import (
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// A staff member's edit of a message the customer already has is answered
// once, in reply, saying the customer keeps the old text and how to send a
// correction; an edit that would turn a note into an answer says nothing
// was sent; edits of commands, group chat and notes that stay notes are
// left alone. Nothing of an edit reaches the customer.
func TestStaffEdits(t *testing.T) {
	type step struct {
		name   string
		topics bool
		first  func(f *deskFixture, tk store.Ticket) StaffInput // the message as first sent
		edit   string                                           // its edited text
		answer string                                           // what the answer says; "" for none
	}
	card := func(text string) func(f *deskFixture, tk store.Ticket) StaffInput {
		return func(f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff(text)
			in.ReplyToTicket = tk.ID
			return in
		}
	}
	topic := func(text string) func(f *deskFixture, tk store.Ticket) StaffInput {
		return func(f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff(text)
			in.Thread = tk.ID
			return in
		}
	}
	tests := []step{
		{"an answer to the customer", false, card("نسخه ۵ را نصب کنید"), "نسخه ۶ را نصب کنید", "با پاسخ روی کارت"},
		{"an answer in a topic", true, topic("نسخه ۵ را نصب کنید"), "نسخه ۶ را نصب کنید", "در همین موضوع"},
		{"a note edited into an answer", false, card("!بررسی شود"), "بررسی شد، مشکل حل است", "یادداشت داخلی"},
		{"a note that stays a note", false, card("!بررسی شود"), "!بررسی شد", ""},
		{"a command", false, func(f *deskFixture, tk store.Ticket) StaffInput { return f.staff("/log 1 30m") }, "/log 1 45m", ""},
		{"group chat", false, func(f *deskFixture, tk store.Ticket) StaffInput { return f.staff("ناهار؟") }, "ناهار کجا؟", ""},
		{"a reply to a colleague in a topic", true, func(f *deskFixture, tk store.Ticket) StaffInput {
			in := topic("باشد")(f, tk)
			in.ReplyToOther = true
			return in
		}, "باشد، من می‌برم", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.desk.cfg.Topics = tt.topics
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			first := tt.first(f, tk)
			first.MessageID = 5101
			f.handleAll(t, first)
			for i := range 2 { // Telegram sends an update per edit
				edit := first
				edit.Text, edit.Edited, edit.Original, edit.At = tt.edit, true, first.At, first.At.Add(time.Duration(i+1)*time.Minute)
				out := f.handleAll(t, edit)
				if c := to(out, string(outbox.WhatsApp(phoneSilver))); len(c) != 0 {
					t.Errorf("edit %d reached the customer: %+v", i+1, c)
				}
				group := to(out, string(outbox.StaffGroup))
				if tt.answer == "" || i > 0 {
					if len(group) != 0 {
						t.Errorf("edit %d: said %+v, want nothing", i+1, group)
					}
					continue
				}
				if len(group) != 1 || !strings.Contains(group[0].Text, tt.answer) || group[0].ReplyToMessage != 5101 {
					t.Fatalf("edit %d: said %+v, want one answer in reply to 5101 saying %q", i+1, group, tt.answer)
				}
				if tt.topics && group[0].Thread != tk.ID {
					t.Errorf("answered in thread %d, want the topic %d", group[0].Thread, tk.ID)
				}
			}
		})
	}
}

// An administrator posting as the group is told, in reply, that the bot
// cannot tell who they are and how to post as themselves, whenever the
// post would have acted (a command, an answer to a ticket); nothing
// reaches the customer and nothing changes. Group chat is left alone.
func TestAnonymousAdmin(t *testing.T) {
	for _, tt := range []struct {
		name   string
		topics bool
		in     func(f *deskFixture, tk store.Ticket) StaffInput
		told   bool
	}{
		{"a reply to the card", false, func(f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("نسخه را بفرمایید")
			in.ReplyToTicket = tk.ID
			return in
		}, true},
		{"a command", false, func(f *deskFixture, tk store.Ticket) StaffInput { return f.staff("/close 1") }, true},
		{"a message in a topic", true, func(f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("نسخه را بفرمایید")
			in.Thread = tk.ID
			return in
		}, true},
		{"group chat", false, func(f *deskFixture, tk store.Ticket) StaffInput { return f.staff("سلام همکاران") }, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.desk.cfg.Topics = tt.topics
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			in := tt.in(f, tk)
			in.Anonymous, in.UserID, in.UserName, in.MessageID = true, 0, "", 5200
			before := f.snapshot(t)
			out := f.handleAll(t, in)
			if c := to(out, string(outbox.WhatsApp(phoneSilver))); len(c) != 0 {
				t.Errorf("reached the customer: %+v", c)
			}
			if after := f.snapshot(t); after != before {
				t.Errorf("changed:\n%s\nwant:\n%s", after, before)
			}
			group := to(out, string(outbox.StaffGroup))
			switch {
			case !tt.told && len(group) != 0:
				t.Errorf("said %+v, want nothing", group)
			case tt.told && (len(group) != 1 || group[0].ReplyToMessage != 5200 || !strings.Contains(group[0].Text, "ناشناس")):
				t.Errorf("said %+v, want one answer in reply to 5200 about posting anonymously", group)
			case tt.told && tt.topics && group[0].Thread != tk.ID:
				t.Errorf("answered in thread %d, want the topic", group[0].Thread)
			}
		})
	}
}
