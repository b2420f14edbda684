package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// threeTickets opens ticket 1 (product A-1, problem), 2 (hourly A-4,
// customization) and 3 (project A-3, customization).
func threeTickets(tb testing.TB, f *deskFixture) {
	tb.Helper()
	f.ticket(tb, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	f.ticket(tb, "A-4", phoneProj, rules.RequestCustomization, "")
	f.ticket(tb, "A-3", phoneProj, rules.RequestCustomization, "")
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name  string
		setup []string // staff commands run first
		in    func(t *testing.T, f *deskFixture) StaffInput
		check func(t *testing.T, f *deskFixture, sent []store.OutboxMessage)
	}{
		{"tickets lists open tickets by deadline, overdue marked", []string{"/close 1"}, func(t *testing.T, f *deskFixture) StaffInput {
			in := f.staff("/tickets@SupportBot")
			in.At = f.getTicket(t, 2).FirstResponseDue.Add(-time.Minute) // gold 3 is due a day earlier, hourly 2 not yet
			return in
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			m := only(t, sent)
			lines := strings.Split(m.Text, "\n")
			if len(lines) != 3 || !strings.Contains(lines[0], "۲") {
				t.Fatalf("want a header and tickets 3 and 2:\n%s", m.Text)
			}
			if !strings.HasPrefix(lines[1], "• ۳ ") || !strings.HasPrefix(lines[2], "• ۲ ") {
				t.Errorf("not ordered by deadline:\n%s", m.Text)
			}
			overdue := f.p.T("desk.tickets.overdue", nil)
			if !strings.Contains(lines[1], overdue) || strings.Contains(lines[2], overdue) {
				t.Errorf("overdue mark wrong:\n%s", m.Text)
			}
		}},
		{"ticket shows the card and the history with notes", []string{"/note 1 مشتری عجله دارد"}, func(t *testing.T, f *deskFixture) StaffInput {
			return f.staff("/تیکت ۱")
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if len(sent) != 2 {
				t.Fatalf("sent %d messages, want card and history", len(sent))
			}
			if !strings.HasPrefix(sent[0].Text, "تیکت شماره ۱") || len(sent[0].Buttons) != 4 || sent[0].TicketID != 1 {
				t.Errorf("card = %+v", sent[0])
			}
			if !strings.Contains(sent[1].Text, "مشتری عجله دارد") || !strings.Contains(sent[1].Text, "گزارش فروش") || sent[1].TicketID != 1 {
				t.Errorf("history = %+v", sent[1])
			}
		}},
		{"claim", nil, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/claim 1") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				only(t, sent)
				if tk := f.getTicket(t, 1); tk.Assignee != staffSara || tk.AssigneeName != "Sara" {
					t.Errorf("assignee %d %q", tk.Assignee, tk.AssigneeName)
				}
			}},
		{"assign in Persian with Persian digits", nil, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/ارجاع ۱ ۱۰۰۲ علی") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				if m := only(t, sent); !strings.Contains(m.Text, "علی") {
					t.Errorf("answer %q", m.Text)
				}
				if tk := f.getTicket(t, 1); tk.Assignee != 1002 || tk.AssigneeName != "علی" {
					t.Errorf("assignee %d %q", tk.Assignee, tk.AssigneeName)
				}
			}},
		{"log on a product ticket", nil, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/log 1 1h30m") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				if m := only(t, sent); !strings.Contains(m.Text, "۱ ساعت و ۳۰ دقیقه") {
					t.Errorf("answer %q", m.Text)
				}
				tk := f.getTicket(t, 1)
				logs, _ := f.db.TimeLogs(context.Background(), 1)
				if tk.LoggedMin != 90 || tk.ChargedMin != 0 || len(logs) != 1 || logs[0].Minutes != 90 || logs[0].StaffID != staffSara {
					t.Errorf("logged %d charged %d logs %+v", tk.LoggedMin, tk.ChargedMin, logs)
				}
			}},
		{"close", nil, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/بستن 1") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				tk := f.getTicket(t, 1)
				if tk.Status != store.TicketClosed || !tk.ClosedAt.Equal(f.at) || !tk.FirstResponseAt.Equal(f.at) {
					t.Errorf("ticket %+v, want closed with first response now", tk)
				}
				c := only(t, to(sent, string(outbox.WhatsApp(phoneSilver))))
				if c.Text != f.p.T("desk.closed.customer", map[string]any{"id": 1}) || !strings.Contains(c.Text, "۱") || c.TicketID != 1 {
					t.Errorf("customer message %+v", c)
				}
				only(t, to(sent, string(outbox.StaffGroup)))
			}},
		{"reopen a closed ticket", []string{"/close 1"}, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/reopen 1") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				only(t, sent)
				if tk := f.getTicket(t, 1); tk.Status != store.TicketAnswered || !tk.ClosedAt.IsZero() {
					t.Errorf("ticket %+v, want answered and not closed", tk)
				}
			}},
		{"reopen a declined ticket without an answer", nil, func(t *testing.T, f *deskFixture) StaffInput {
			tk := f.getTicket(t, 1)
			tk.Status, tk.DeclineReason, tk.ClosedAt = store.TicketDeclined, rules.DeclineMisuse, f.at
			if err := f.db.UpdateTicket(context.Background(), tk); err != nil {
				t.Fatal(err)
			}
			return f.staff("/reopen 1")
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			only(t, sent)
			if tk := f.getTicket(t, 1); tk.Status != store.TicketNew || tk.DeclineReason != "" || !tk.ClosedAt.IsZero() {
				t.Errorf("ticket %+v, want new, no reason", tk)
			}
		}},
		{"note stays with staff", nil, func(t *testing.T, f *deskFixture) StaffInput {
			return f.staff("/note 1 با مدیر فنی تماس گرفتم\nفردا پیگیری")
		},
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				if m := only(t, sent); m.To != string(outbox.StaffGroup) {
					t.Errorf("note answer went to %s", m.To)
				}
				msgs, _ := f.db.Messages(context.Background(), 1)
				last := msgs[len(msgs)-1]
				if last.Direction != store.StaffNote || last.Text != "با مدیر فنی تماس گرفتم\nفردا پیگیری" || last.Author != "Sara" {
					t.Errorf("note = %+v", last)
				}
			}},
		{"usage", nil, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/usage p-۱") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				m := only(t, sent)
				for _, want := range []string{"شرکت نمونه یک", "A-1", f.p.T("contract_status.active", nil), "۱ از ۱۰", "۰ از ۱"} {
					if !strings.Contains(m.Text, want) {
						t.Errorf("usage lacks %q:\n%s", want, m.Text)
					}
				}
			}},
		{"usage of an hourly package", []string{"/log 2 2h"}, func(t *testing.T, f *deskFixture) StaffInput { return f.staff("/مصرف P-3") },
			func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
				m := only(t, sent)
				for _, want := range []string{"A-3", "A-4", "۴۸ ساعت مانده از ۵۰ ساعت", "۲ ساعت از سقف ۱۰ ساعت", "۷ ساعت مانده از ۷ ساعت"} {
					if !strings.Contains(m.Text, want) {
						t.Errorf("usage lacks %q:\n%s", want, m.Text)
					}
				}
			}},
		{"usage by a manager in private", nil, func(t *testing.T, f *deskFixture) StaffInput {
			in := f.staff("/usage P-1")
			in.Chat, in.UserID = ChatPrivate, managerReza
			return in
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if m := only(t, sent); m.To != string(outbox.TelegramUser(managerReza)) || !strings.Contains(m.Text, "A-1") {
				t.Errorf("answer %+v", m)
			}
		}},
		{"outage off and its state", []string{}, func(t *testing.T, f *deskFixture) StaffInput {
			in := f.staff("/قطعی خاموش")
			in.UserID = managerReza
			return in
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if m := only(t, sent); m.Text != f.p.T("desk.outage.off", nil) {
				t.Errorf("answer %q", m.Text)
			}
			if v, _ := f.db.Setting(context.Background(), store.SettingOutage); v != "off" {
				t.Errorf("outage %q", v)
			}
			in := f.staff("/outage")
			in.UserID = managerReza
			if m := only(t, f.handle(t, in)); m.Text != f.p.T("desk.outage.is_off", nil) {
				t.Errorf("state answer %q", m.Text)
			}
		}},
		{"digest", nil, func(t *testing.T, f *deskFixture) StaffInput {
			in := f.staff("/digest")
			in.Chat, in.UserID = ChatManagers, managerReza
			return in
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			m := only(t, sent)
			if m.To != string(outbox.ManagersGroup) || !strings.Contains(m.Text, f.p.T("digest.yesterday", nil)) || !strings.Contains(m.Text, "۳ تیکت تازه") {
				t.Errorf("digest %+v", m)
			}
		}},
		{"help anywhere", nil, func(t *testing.T, f *deskFixture) StaffInput {
			in := f.staff("/راهنما")
			in.Chat, in.UserID = ChatPrivate, 5555
			return in
		}, func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if m := only(t, sent); m.To != string(outbox.TelegramUser(5555)) || m.Text != f.p.T("desk.help", nil)+"\n\n"+f.p.T("lifecycle.help", nil) {
				t.Errorf("help %+v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			threeTickets(t, f)
			for _, cmd := range tt.setup {
				f.handle(t, f.staff(cmd))
			}
			tt.check(t, f, f.handle(t, tt.in(t, f)))
		})
	}
}

func TestCommandBadArguments(t *testing.T) {
	tests := []struct {
		text string
		key  string // the error said
	}{
		{"/ticket", "desk.err.missing_ticket"},
		{"/ticket abc", "desk.err.bad_ticket"},
		{"/claim 0", "desk.err.bad_ticket"},
		{"/claim -1", "desk.err.bad_ticket"},
		{"/close ۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹", "desk.err.bad_ticket"},
		{"/claim 99", "desk.err.ticket_not_found"},
		{"/assign 1", "desk.err.bad_user"},
		{"/assign 1 sara", "desk.err.bad_user"},
		{"/log 1", "desk.err.missing_duration"},
		{"/log 1 abc", "desk.err.bad_duration"},
		{"/log 1 25h", "desk.err.bad_duration"},
		{"/log 1 -5m", "desk.err.bad_duration"},
		{"/log 99 45m", "desk.err.ticket_not_found"},
		{"/reopen 1", "desk.err.already_open"},
		{"/decline 1 rude", "desk.err.bad_reason"},
		{"/decline 1 8", "desk.err.bad_reason"},
		{"/decline 1 misuse please", "desk.err.bad_reason"},
		{"/note 1", "desk.err.missing_note"},
		{"/note", "desk.err.missing_ticket"},
		{"/link", "desk.err.link_args"},
		{"/link 09370009999", "desk.err.link_args"},
		{"/link 12345 P-1", "desk.err.bad_phone"},
		{"/link +449370009999 P-1", "desk.err.bad_phone"},
		{"/link 09370009999 X-9", "desk.err.unknown_customer"},
		{"/usage", "desk.err.missing_customer"},
		{"/usage X-9", "desk.err.unknown_customer"},
		{"/nosuch 1", "desk.err.unknown_command"},
		{"/", "desk.err.unknown_command"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			f := newDeskFixture(t)
			threeTickets(t, f)
			before := f.snapshot(t)
			m := only(t, f.handle(t, f.staff(tt.text)))
			if m.To != string(outbox.StaffGroup) || !sameMessage(f, m.Text, tt.key) {
				t.Errorf("answer %q to %s, want %s", m.Text, m.To, tt.key)
			}
			if f.snapshot(t) != before {
				t.Error("a bad command changed the database")
			}
		})
	}
}

// sameMessage reports whether text is the message key with some
// arguments: the catalog text's fixed start matches.
func sameMessage(f *deskFixture, text, key string) bool {
	tmpl := f.p.T(key, nil)
	prefix, _, _ := strings.Cut(tmpl, "{")
	if prefix == "" {
		// Starts with a placeholder: compare the fixed text after it.
		_, after, _ := strings.Cut(tmpl, "}")
		prefix, _, _ = strings.Cut(after, "{")
		return strings.Contains(text, prefix)
	}
	return strings.HasPrefix(text, prefix)
}

func TestClosedTicketRefusesWork(t *testing.T) {
	f := newDeskFixture(t)
	threeTickets(t, f)
	f.handle(t, f.staff("/close 1"))
	for _, cmd := range []string{"/close 1", "/claim 1", "/assign 1 1002", "/decline 1 misuse", "/decline 1"} {
		before := f.snapshot(t)
		m := only(t, f.handle(t, f.staff(cmd)))
		if !sameMessage(f, m.Text, "desk.err.ticket_not_open") || !strings.Contains(m.Text, "/reopen ۱") {
			t.Errorf("%s: answer %q", cmd, m.Text)
		}
		if f.snapshot(t) != before {
			t.Errorf("%s changed a closed ticket", cmd)
		}
	}
}

func TestDeclineReasons(t *testing.T) {
	tests := []struct {
		arg  string
		want rules.DeclineReason
	}{
		{"new_customization", rules.DeclineNewCustomization},
		{"MISUSE", rules.DeclineMisuse},
		{"customer-infrastructure", rules.DeclineCustomerInfrastructure},
		{"عدم همکاری", rules.DeclineNoCooperation},
		{"خارج از قرارداد", rules.DeclineOutOfContract},
		{"۶", rules.DeclineExternalChange},
		{"بی‌احترامی", rules.DeclineDisrespect},
		{"بي احترامي", rules.DeclineDisrespect},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			f := newDeskFixture(t)
			threeTickets(t, f)
			ctx := context.Background()
			c, _ := f.db.Contract(ctx, "A-1")
			usage := func() int {
				u, err := f.db.Usage(ctx, "A-1", f.desk.window(c, f.at))
				if err != nil {
					t.Fatal(err)
				}
				return u.MonthRequests
			}
			if n := usage(); n != 1 {
				t.Fatalf("requests before %d, want 1", n)
			}
			sent := f.handle(t, f.staff("/رد 1 "+tt.arg))
			tk := f.getTicket(t, 1)
			if tk.Status != store.TicketDeclined || tk.DeclineReason != tt.want || !tk.FirstResponseAt.Equal(f.at) {
				t.Errorf("ticket %+v, want declined for %s", tk, tt.want)
			}
			m := only(t, to(sent, string(outbox.WhatsApp(phoneSilver))))
			for _, want := range []string{"۱", f.p.T(tt.want.LocaleKey(), nil), f.p.T("desk.decline.explain."+string(tt.want), nil)} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("customer message lacks %q:\n%s", want, m.Text)
				}
			}
			if s := only(t, to(sent, string(outbox.StaffGroup))); !strings.Contains(s.Text, f.p.T(tt.want.LocaleKey(), nil)) {
				t.Errorf("staff answer %q", s.Text)
			}
			if n := usage(); n != 0 {
				t.Errorf("a declined ticket still counts: %d requests", n)
			}
		})
	}
}

func TestLink(t *testing.T) {
	f := newDeskFixture(t)
	ctx := context.Background()
	const unknown = "+989370009999"
	if err := f.db.SaveSession(ctx, store.Session{Phone: unknown, State: "unknown_asked", Data: `{"x":1}`, UpdatedAt: f.at}); err != nil {
		t.Fatal(err)
	}
	sent := f.handle(t, f.staff("/اتصال ۰۹۳۷ ۰۰۰ ۹۹۹۹ P-1"))
	c, err := f.db.CustomerByPhone(ctx, unknown)
	if err != nil || c.ID != "P-1" {
		t.Fatalf("phone belongs to %+v (%v), want P-1", c, err)
	}
	s, err := f.db.Session(ctx, unknown)
	if err != nil || s.State != "" || s.Data != "" || !s.UpdatedAt.Equal(f.at) {
		t.Errorf("session %+v (%v), want reset", s, err)
	}
	w := only(t, to(sent, string(outbox.WhatsApp(unknown))))
	if !strings.Contains(w.Text, "شرکت نمونه یک") || !strings.Contains(w.Text, "۰") || strings.Contains(w.Text, "P-1") {
		t.Errorf("welcome %q", w.Text)
	}
	if s := only(t, to(sent, string(outbox.StaffGroup))); !strings.HasPrefix(s.Text, "شماره") || !strings.Contains(s.Text, unknown) {
		t.Errorf("staff answer %q", s.Text)
	}

	// A number that is another customer's moves only with "force".
	sent = f.handle(t, f.staff("/link "+phoneProj+" P-1"))
	if s := only(t, to(sent, string(outbox.StaffGroup))); !strings.Contains(s.Text, "force") || !strings.Contains(s.Text, "شرکت نمونه سه") {
		t.Errorf("refusal %q does not name the owner and force", s.Text)
	}
	if len(to(sent, string(outbox.WhatsApp(phoneProj)))) != 0 {
		t.Error("a refused link welcomed the customer")
	}
	if c, _ := f.db.CustomerByPhone(ctx, phoneProj); c.ID != "P-3" {
		t.Errorf("refused move: phone belongs to %s", c.ID)
	}
	// Moving a number from one customer to another with force says so.
	sent = f.handle(t, f.staff("/link "+phoneProj+" P-1 force"))
	if s := only(t, to(sent, string(outbox.StaffGroup))); !strings.Contains(s.Text, "شرکت نمونه سه") {
		t.Errorf("move answer %q does not name the old customer", s.Text)
	}
	if c, _ := f.db.CustomerByPhone(ctx, phoneProj); c.ID != "P-1" {
		t.Errorf("moved phone belongs to %s", c.ID)
	}
}

func TestLogHourly(t *testing.T) {
	f := newDeskFixture(t)
	threeTickets(t, f)
	m := only(t, f.handle(t, f.staff("/log 2 10m")))
	tk := f.getTicket(t, 2)
	if tk.LoggedMin != 10 || tk.ChargedMin != 30 {
		t.Errorf("after 10m: logged %d charged %d, want 10 and the 30-minute minimum", tk.LoggedMin, tk.ChargedMin)
	}
	if !strings.Contains(m.Text, f.p.T("desk.charged", map[string]any{"charged": 30 * time.Minute})) {
		t.Errorf("answer does not show the charge:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "⚠️") {
		t.Errorf("warned too early:\n%s", m.Text)
	}

	// The cap of h50 is 10 hours a month.
	m = only(t, f.handle(t, f.staff("/log 2 10h")))
	if !strings.Contains(m.Text, f.p.T("desk.warn.month_cap", map[string]any{"contract_id": "A-4", "month": 610 * time.Minute, "cap": 10 * time.Hour})) {
		t.Errorf("no month-cap warning:\n%s", m.Text)
	}

	// A closed hourly ticket with little time is charged the minimum.
	f.ticket(t, "A-4", phoneProj, rules.RequestProblem, rules.SeverityNormal) // ticket 4
	f.handle(t, f.staff("/close 4"))
	if tk := f.getTicket(t, 4); tk.ChargedMin != 30 || tk.LoggedMin != 0 {
		t.Errorf("closed untouched hourly ticket: logged %d charged %d, want 0 and 30", tk.LoggedMin, tk.ChargedMin)
	}
	f.handle(t, f.staff("/reopen 4"))
	if tk := f.getTicket(t, 4); tk.ChargedMin != 0 {
		t.Errorf("reopened untouched ticket still charged %d", tk.ChargedMin)
	}

	// Past the package's 50 hours.
	f.handle(t, f.staff("/log 2 24h"))
	m = only(t, f.handle(t, f.staff("/log 2 24h")))
	if !strings.Contains(m.Text, f.p.T("desk.warn.hours", map[string]any{"contract_id": "A-4", "used": (58*60 + 10) * time.Minute, "total": 50 * time.Hour})) {
		t.Errorf("no hours-exhausted warning:\n%s", m.Text)
	}
}

func TestLogProjectYearlyHours(t *testing.T) {
	f := newDeskFixture(t)
	threeTickets(t, f)
	m := only(t, f.handle(t, f.staff("/log 3 ۲ ساعت")))
	left := f.p.T("desk.logged.yearly", map[string]any{"contract_id": "A-3", "kind": rules.RequestCustomization,
		"used": 2 * time.Hour, "left": 5 * time.Hour, "total": 7 * time.Hour})
	if !strings.Contains(m.Text, left) || strings.Contains(m.Text, "⚠️") {
		t.Errorf("answer lacks %q:\n%s", left, m.Text)
	}
	m = only(t, f.handle(t, f.staff("/log 3 6h")))
	if !strings.Contains(m.Text, "⚠️") {
		t.Errorf("no warning past the 7 yearly hours:\n%s", m.Text)
	}
	if tk := f.getTicket(t, 3); tk.LoggedMin != 8*60 || tk.ChargedMin != 0 {
		t.Errorf("project ticket logged %d charged %d", tk.LoggedMin, tk.ChargedMin)
	}
}

func TestCallbacks(t *testing.T) {
	tests := []struct {
		data  string
		check func(t *testing.T, f *deskFixture, sent []store.OutboxMessage)
	}{
		{"claim:1", func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if tk := f.getTicket(t, 1); tk.Assignee != staffSara {
				t.Errorf("assignee %d", tk.Assignee)
			}
		}},
		{"close:1", func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if tk := f.getTicket(t, 1); tk.Status != store.TicketClosed {
				t.Errorf("status %s", tk.Status)
			}
		}},
		{"log:1", func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if m := only(t, sent); !strings.Contains(m.Text, "/log ۱ ۴۵m") || m.TicketID != 1 {
				t.Errorf("prompt %+v", m)
			}
		}},
		{"decline:1", func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			m := only(t, sent)
			var want []string
			for _, r := range rules.AllDeclineReasons {
				want = append(want, "decline:1:"+string(r))
			}
			if !slices.Equal(m.Buttons, want) || m.TicketID != 1 || m.To != string(outbox.StaffGroup) {
				t.Errorf("picker %+v", m)
			}
			if tk := f.getTicket(t, 1); tk.Status != store.TicketNew {
				t.Errorf("the picker changed the ticket: %s", tk.Status)
			}
		}},
		{"decline:1:no_cooperation", func(t *testing.T, f *deskFixture, sent []store.OutboxMessage) {
			if tk := f.getTicket(t, 1); tk.Status != store.TicketDeclined || tk.DeclineReason != rules.DeclineNoCooperation {
				t.Errorf("ticket %s %s", tk.Status, tk.DeclineReason)
			}
			only(t, to(sent, string(outbox.WhatsApp(phoneSilver))))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			f := newDeskFixture(t)
			threeTickets(t, f)
			in := f.staff("")
			in.Callback = tt.data
			tt.check(t, f, f.handle(t, in))
		})
	}
}

func TestBadCallbacks(t *testing.T) {
	for _, data := range []string{"claim:x", "claim", "claim:1:2", "foo:1", "decline:1:rude", "close:99", "log:-1", ":::"} {
		t.Run(data, func(t *testing.T) {
			f := newDeskFixture(t)
			threeTickets(t, f)
			before := f.snapshot(t)
			in := f.staff("")
			in.Callback = data
			if m := only(t, f.handle(t, in)); m.To != string(outbox.StaffGroup) {
				t.Errorf("answer went to %s", m.To)
			}
			if f.snapshot(t) != before {
				t.Error("a bad button changed the database")
			}
		})
	}
}
