package bot

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"supportbot/jobs/jobstest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// Phones and people of the desk fixture: those of the jobs' test world,
// which the desk's tests share.
const (
	phoneSilver = jobstest.PhoneSilver
	phoneProj   = jobstest.PhoneProj
	phoneGold   = jobstest.PhoneGold
	staffSara   = jobstest.StaffSara
	managerReza = jobstest.ManagerReza
	dedicated   = jobstest.Dedicated
)

// deskFixture is a fresh database with three customers, a desk of the
// shipped defaults and a clock at Sunday 1405/09/08 10:00 Tehran.
type deskFixture struct {
	db   *sqlite.DB
	desk *Desk
	p    *locales.Printer
	loc  *time.Location
	at   time.Time
}

func newDeskFixture(tb testing.TB) *deskFixture {
	tb.Helper()
	w := jobstest.New(tb)
	return &deskFixture{
		db:   w.DB,
		desk: NewDesk(w.Policy, w.Printer, DeskConfig{Managers: []int64{managerReza}, StaffChatID: -100}),
		p:    w.Printer,
		loc:  w.Loc,
		at:   w.At,
	}
}

// ticket opens a ticket on contract for phone at the fixture's clock, as
// the conversation would, and posts its card.
func (f *deskFixture) ticket(tb testing.TB, contractID, phone string, kind rules.RequestKind, sev rules.Severity, files ...store.File) store.Ticket {
	tb.Helper()
	ctx := context.Background()
	c, err := f.db.Contract(ctx, contractID)
	if err != nil {
		tb.Fatal(err)
	}
	t := store.Ticket{
		ContractID: contractID, CustomerID: c.CustomerID, Phone: phone, Kind: kind, Severity: sev,
		Status: store.TicketNew, Description: "گزارش فروش در موبایل باز نمی‌شود", OpenedAt: f.at,
		FirstResponseDue: f.desk.policy.FirstResponseDue(c, f.at),
	}
	err = f.db.InTx(ctx, func(tx store.Store) error {
		if err := tx.CreateTicket(ctx, &t); err != nil {
			return err
		}
		m := store.Message{TicketID: t.ID, At: f.at, Direction: store.FromCustomer, Author: phone, Text: t.Description}
		if err := tx.AddMessage(ctx, &m); err != nil {
			return err
		}
		for i := range files {
			m := store.Message{TicketID: t.ID, At: f.at, Direction: store.FromCustomer, Author: phone, File: &files[i]}
			if err := tx.AddMessage(ctx, &m); err != nil {
				return err
			}
		}
		return f.desk.TicketOpened(ctx, tx, t, f.at)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// outbox lists every message the bot has decided to send, oldest first.
func (f *deskFixture) outbox(tb testing.TB) []store.OutboxMessage {
	tb.Helper()
	ms, err := f.db.DueOutbox(context.Background(), f.at.AddDate(10, 0, 0), 100000)
	if err != nil {
		tb.Fatal(err)
	}
	return ms
}

// handle runs one staff input in its own transaction and returns what the
// desk sent because of it, leaving out the edits of ticket cards that
// follow status changes (TestCardEdits checks those; f.edits lists them).
func (f *deskFixture) handle(tb testing.TB, in StaffInput) []store.OutboxMessage {
	tb.Helper()
	var out []store.OutboxMessage
	for _, m := range f.handleAll(tb, in) {
		if m.Edit == 0 {
			out = append(out, m)
		}
	}
	return out
}

// handleAll is handle with the card edits.
func (f *deskFixture) handleAll(tb testing.TB, in StaffInput) []store.OutboxMessage {
	tb.Helper()
	before := len(f.outbox(tb))
	ctx := context.Background()
	if err := f.db.InTx(ctx, func(tx store.Store) error { return f.desk.HandleStaff(ctx, tx, in) }); err != nil {
		tb.Fatalf("HandleStaff(%+v): %v", in, err)
	}
	return f.outbox(tb)[before:]
}

// edits are the card edits among ms.
func edits(ms []store.OutboxMessage) []store.OutboxMessage {
	var out []store.OutboxMessage
	for _, m := range ms {
		if m.Edit != 0 {
			out = append(out, m)
		}
	}
	return out
}

// staff is a message from Sara in the staff group at the fixture's clock.
func (f *deskFixture) staff(text string) StaffInput {
	return StaffInput{At: f.at, Chat: ChatStaff, UserID: staffSara, UserName: "Sara", Text: text}
}

func (f *deskFixture) getTicket(tb testing.TB, id int64) store.Ticket {
	tb.Helper()
	t, err := f.db.Ticket(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// snapshot is everything staff input may change except the outbox, for
// checking that a refused command changed nothing.
func (f *deskFixture) snapshot(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	type ticketState struct {
		T    store.Ticket
		Msgs []store.Message
		Logs []store.TimeLog
	}
	var state struct {
		Tickets   []ticketState
		Customers []store.Customer
		Outage    string
		Sessions  []store.Session
	}
	ts, err := f.db.ListTickets(ctx, store.TicketFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range ts {
		ms, err := f.db.Messages(ctx, t.ID)
		if err != nil {
			tb.Fatal(err)
		}
		ls, err := f.db.TimeLogs(ctx, t.ID)
		if err != nil {
			tb.Fatal(err)
		}
		state.Tickets = append(state.Tickets, ticketState{t, ms, ls})
	}
	if state.Customers, err = f.db.ListCustomers(ctx); err != nil {
		tb.Fatal(err)
	}
	if state.Outage, err = f.db.Setting(ctx, store.SettingOutage); err != nil && !errors.Is(err, store.ErrNotFound) {
		tb.Fatal(err)
	}
	for _, phone := range []string{phoneSilver, phoneProj, phoneGold, "+989370009999"} {
		s, err := f.db.Session(ctx, phone)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			tb.Fatal(err)
		}
		state.Sessions = append(state.Sessions, s)
	}
	b, err := json.Marshal(state)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// only returns the one message sent, failing when there are more or none.
func only(tb testing.TB, ms []store.OutboxMessage) store.OutboxMessage {
	tb.Helper()
	if len(ms) != 1 {
		tb.Fatalf("sent %d messages, want 1: %+v", len(ms), ms)
	}
	return ms[0]
}

// to returns the messages sent to addr.
func to(ms []store.OutboxMessage, addr string) []store.OutboxMessage {
	var out []store.OutboxMessage
	for _, m := range ms {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

func TestTicketCard(t *testing.T) {
	f := newDeskFixture(t)
	shot := store.File{Kind: "image", Name: "error.png", MIME: "image/png", Bytes: 48211}
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant, shot)
	out := f.outbox(t)
	if len(out) != 2 {
		t.Fatalf("TicketOpened sent %d messages, want the card and its file: %+v", len(out), out)
	}
	card := out[0]
	if card.To != string(outbox.StaffGroup) || card.TicketID != tk.ID || !slices.Equal(card.Buttons, []string{"claim", "close", "decline", "log"}) {
		t.Errorf("card = %+v, want to %s about ticket %d with the four buttons", card, outbox.StaffGroup, tk.ID)
	}
	for _, want := range []string{
		"تیکت شماره ۱",
		"شرکت نمونه یک",
		"P-1", "A-1",
		f.p.T("contract_kind.product", nil),
		f.p.T("tier.silver", nil),
		f.p.T("request_kind.problem", nil),
		f.p.T("severity.important", nil),
		f.p.DateTime(tk.FirstResponseDue),
		tk.Description,
		"error.png", "۴۸ کیلوبایت", f.p.T("desk.file_kind.image", nil),
		phoneSilver,
	} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("card lacks %q:\n%s", want, card.Text)
		}
	}
	if strings.Contains(card.Text, "[desk.") || strings.Contains(card.Text, "tg://") {
		t.Errorf("card has a missing key or a mention without a dedicated person:\n%s", card.Text)
	}
	file := out[1]
	if file.File == nil || file.File.Name != "error.png" || file.ReplyTo != card.ID || file.TicketID != tk.ID {
		t.Errorf("file post = %+v, want error.png under card %d", file, card.ID)
	}

	gold := f.ticket(t, "G-1", phoneGold, rules.RequestQuestion, "")
	goldCard := to(f.outbox(t), string(outbox.StaffGroup))[2]
	if goldCard.TicketID != gold.ID || !strings.Contains(goldCard.Text, "\u2068777\u2069") || strings.Contains(goldCard.Text, "tg://") {
		t.Errorf("gold card does not show the dedicated person (never seen, so by id, not as a link):\n%s", goldCard.Text)
	}
	if strings.Contains(goldCard.Text, f.p.T("desk.card.severity", map[string]any{"severity": rules.Severity("")})) {
		t.Errorf("card shows a severity that was not asked:\n%s", goldCard.Text)
	}
}

func TestCustomerWroteAndUnknownContact(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
	card := f.outbox(t)[0]
	ctx := context.Background()
	doc := &store.File{Kind: "document", Name: "log.txt", Bytes: 2 * 1024 * 1024}
	err := f.db.InTx(ctx, func(tx store.Store) error {
		if err := f.desk.CustomerWrote(ctx, tx, tk, store.Message{TicketID: tk.ID, Text: "نسخه ۲.۳ است"}, f.at); err != nil {
			return err
		}
		if err := f.desk.CustomerWrote(ctx, tx, tk, store.Message{TicketID: tk.ID, File: doc}, f.at); err != nil {
			return err
		}
		return f.desk.UnknownContact(ctx, tx, "+989370009999", "سلام، از شرکت الف هستم", f.at)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := f.outbox(t)[1:]
	if len(out) != 3 {
		t.Fatalf("sent %d messages, want 3: %+v", len(out), out)
	}
	text, file, unknown := out[0], out[1], out[2]
	if text.To != string(outbox.StaffGroup) || text.TicketID != tk.ID || text.ReplyTo != card.ID || !strings.Contains(text.Text, "نسخه ۲.۳ است") || !strings.Contains(text.Text, "شرکت نمونه یک") {
		t.Errorf("follow-up = %+v, want the text under card %d", text, card.ID)
	}
	if file.File == nil || file.File.Name != "log.txt" || file.ReplyTo != card.ID || !strings.Contains(file.Text, "۲٫۰ مگابایت") {
		t.Errorf("file follow-up = %+v", file)
	}
	if unknown.To != string(outbox.StaffGroup) || unknown.TicketID != 0 || !strings.Contains(unknown.Text, "+989370009999") ||
		!strings.Contains(unknown.Text, "/link") || !strings.Contains(unknown.Text, "شرکت الف") {
		t.Errorf("unknown contact card = %+v", unknown)
	}
}

func TestReplyRouting(t *testing.T) {
	tests := []struct {
		name  string
		reply func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput
		relay bool
	}{
		{"reply to the card", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("لطفاً نسخه اپلیکیشن را بفرمایید")
			in.ReplyTo = f.outbox(t)[0].ID
			return in
		}, true},
		{"reply_to_ticket", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("لطفاً نسخه اپلیکیشن را بفرمایید")
			in.ReplyToTicket = tk.ID
			return in
		}, true},
		{"reply to a relayed customer message", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			ctx := context.Background()
			err := f.db.InTx(ctx, func(tx store.Store) error {
				return f.desk.CustomerWrote(ctx, tx, tk, store.Message{TicketID: tk.ID, Text: "نسخه ۲"}, f.at)
			})
			if err != nil {
				t.Fatal(err)
			}
			out := f.outbox(t)
			in := f.staff("لطفاً نسخه اپلیکیشن را بفرمایید")
			in.ReplyTo = out[len(out)-1].ID
			return in
		}, true},
		{"a file as the reply", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("")
			in.ReplyToTicket = tk.ID
			in.File = &store.File{Kind: "document", Name: "guide.pdf", Bytes: 1000}
			return in
		}, true},
		{"reply to a message about no ticket", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			ctx := context.Background()
			err := f.db.InTx(ctx, func(tx store.Store) error {
				return f.desk.UnknownContact(ctx, tx, "+989370009999", "سلام", f.at)
			})
			if err != nil {
				t.Fatal(err)
			}
			out := f.outbox(t)
			in := f.staff("این کیست؟")
			in.ReplyTo = out[len(out)-1].ID
			return in
		}, false},
		{"reply to an outbox id that does not exist", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("سلام")
			in.ReplyTo = 999
			return in
		}, false},
		{"not a reply", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			return f.staff("سلام همکاران")
		}, false},
		{"a reply from a bot", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("پیام خودکار")
			in.ReplyToTicket, in.IsBot = tk.ID, true
			return in
		}, false},
		{"a reply in the managers group", func(t *testing.T, f *deskFixture, tk store.Ticket) StaffInput {
			in := f.staff("سلام")
			in.Chat, in.ReplyToTicket = ChatManagers, tk.ID
			return in
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			in := tt.reply(t, f, tk)
			in.At = f.at.Add(time.Hour)
			before := f.snapshot(t)
			sent := f.handle(t, in)
			if !tt.relay {
				if len(sent) != 0 || f.snapshot(t) != before {
					t.Errorf("sent %+v or changed the database, want nothing", sent)
				}
				return
			}
			m := only(t, sent)
			if m.To != string(outbox.WhatsApp(phoneSilver)) || m.TicketID != tk.ID {
				t.Errorf("relay = %+v, want to the customer about ticket %d", m, tk.ID)
			}
			// The Telegram display name never reaches the customer
			// (desk.staff_names names staff to customers; none here).
			if strings.Contains(m.Text, "Sara") || !strings.Contains(m.Text, "کارشناس پشتیبانی") || !strings.Contains(m.Text, "۱") {
				t.Errorf("relay text does not say it is the support specialist's answer on ticket ۱:\n%s", m.Text)
			}
			if in.Text != "" && !strings.Contains(m.Text, in.Text) {
				t.Errorf("relay lacks the staff text:\n%s", m.Text)
			}
			if in.File != nil && (m.File == nil || m.File.Name != in.File.Name) {
				t.Errorf("relay file = %+v, want %+v", m.File, in.File)
			}
			got := f.getTicket(t, tk.ID)
			if got.Status != store.TicketAnswered || !got.FirstResponseAt.Equal(in.At) {
				t.Errorf("ticket after the first answer: status %s, first response %v; want answered at %v", got.Status, got.FirstResponseAt, in.At)
			}
			msgs, _ := f.db.Messages(context.Background(), tk.ID)
			last := msgs[len(msgs)-1]
			if last.Direction != store.FromStaff || last.Author != "Sara" || last.Text != in.Text {
				t.Errorf("stored message = %+v, want Sara's answer", last)
			}
		})
	}
}

func TestFirstResponseSetOnce(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	first := f.staff("سلام")
	first.ReplyToTicket, first.At = tk.ID, f.at.Add(time.Hour)
	f.handle(t, first)
	second := first
	second.Text, second.At = "پیگیری می‌کنیم", f.at.Add(3*time.Hour)
	f.handle(t, second)
	got := f.getTicket(t, tk.ID)
	if !got.FirstResponseAt.Equal(first.At) || got.Status != store.TicketAnswered {
		t.Errorf("first response %v status %s, want %v answered", got.FirstResponseAt, got.Status, first.At)
	}
}

func TestReplyToClosedTicket(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	f.handle(t, f.staff("/close 1"))
	before := f.snapshot(t)
	in := f.staff("یک نکته دیگر")
	in.ReplyToTicket = tk.ID
	m := only(t, f.handle(t, in))
	if m.To != string(outbox.StaffGroup) || !strings.Contains(m.Text, "/reopen ۱") {
		t.Errorf("reply to a closed ticket answered %+v, want a note to staff to reopen", m)
	}
	if f.snapshot(t) != before {
		t.Error("reply to a closed ticket changed the database")
	}
}

func TestPermissions(t *testing.T) {
	tests := []struct {
		name string
		in   func(f *deskFixture) StaffInput
		addr string
		key  string
	}{
		{"close from a private chat", func(f *deskFixture) StaffInput {
			in := f.staff("/close 1")
			in.Chat = ChatPrivate
			return in
		}, string(outbox.TelegramUser(staffSara)), "desk.refuse.staff_only"},
		{"close from the managers group, even by a manager", func(f *deskFixture) StaffInput {
			in := f.staff("/close 1")
			in.Chat, in.UserID = ChatManagers, managerReza
			return in
		}, string(outbox.ManagersGroup), "desk.refuse.staff_only"},
		{"outage by staff in the staff group", func(f *deskFixture) StaffInput { return f.staff("/outage on") }, string(outbox.StaffGroup), "desk.refuse.managers_only"},
		{"digest by a stranger in private", func(f *deskFixture) StaffInput {
			in := f.staff("/digest")
			in.Chat, in.UserID = ChatPrivate, 5555
			return in
		}, string(outbox.TelegramUser(5555)), "desk.refuse.managers_only"},
		{"usage by a stranger in private", func(f *deskFixture) StaffInput {
			in := f.staff("/usage P-1")
			in.Chat, in.UserID = ChatPrivate, 5555
			return in
		}, string(outbox.TelegramUser(5555)), "desk.refuse.staff_or_managers"},
		{"a button pressed outside the staff group", func(f *deskFixture) StaffInput {
			in := f.staff("")
			in.Chat, in.Callback = ChatPrivate, "close:1"
			return in
		}, string(outbox.TelegramUser(staffSara)), "desk.refuse.staff_only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newDeskFixture(t)
			f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
			before := f.snapshot(t)
			m := only(t, f.handle(t, tt.in(f)))
			if m.To != tt.addr || m.Text != f.p.T(tt.key, nil) {
				t.Errorf("answer = %q to %s, want %s to %s", m.Text, m.To, tt.key, tt.addr)
			}
			if f.snapshot(t) != before {
				t.Error("a refused command changed the database")
			}
		})
	}
}

func TestManagerCommandsFromAnyChat(t *testing.T) {
	for _, chat := range []string{ChatStaff, ChatManagers, ChatPrivate} {
		f := newDeskFixture(t)
		in := f.staff("/outage on")
		in.Chat, in.UserID = chat, managerReza
		m := only(t, f.handle(t, in))
		if m.To != string(replyAddr(in)) || m.Text != f.p.T("desk.outage.on", nil) {
			t.Errorf("%s: answer %q to %s", chat, m.Text, m.To)
		}
		if v, _ := f.db.Setting(context.Background(), store.SettingOutage); v != "on" {
			t.Errorf("%s: outage = %q, want on", chat, v)
		}
	}
}

func TestManagerAddresses(t *testing.T) {
	d := NewDesk(&rules.Policy{}, nil, DeskConfig{Managers: []int64{1, 2}})
	if got := d.ManagerAddresses(); !slices.Equal(got, []outbox.Address{"telegram:user:1", "telegram:user:2"}) {
		t.Errorf("without a managers group: %v", got)
	}
	d = NewDesk(&rules.Policy{}, nil, DeskConfig{Managers: []int64{1}, HasManagersGroup: true})
	if got := d.ManagerAddresses(); !slices.Equal(got, []outbox.Address{outbox.ManagersGroup}) {
		t.Errorf("with a managers group: %v", got)
	}
}

func TestButtons(t *testing.T) {
	p, err := locales.New("fa", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := outbox.CallbackData("claim", 12); got != "claim:12" {
		t.Errorf("outbox.CallbackData(claim, 12) = %q", got)
	}
	if got := outbox.CallbackData("decline:12:misuse", 12); got != "decline:12:misuse" {
		t.Errorf("CallbackData of a reason button = %q", got)
	}
	for _, b := range []string{"claim", "close", "decline", "log", "decline:12:misuse"} {
		if l := ButtonLabel(p, b); l == "" || strings.HasPrefix(l, "[") {
			t.Errorf("ButtonLabel(%q) = %q", b, l)
		}
	}
	if l := ButtonLabel(p, "decline:12:misuse"); l != p.T("decline_reason.misuse", nil) {
		t.Errorf("reason button label = %q", l)
	}
}

func TestUnknownContactWithHiddenNumber(t *testing.T) {
	tests := []struct {
		phone, text string
		linkable    bool
	}{
		{"+989370009999", "سلام", true},
		{"+989370009999", "", true},
		// A hidden sender is linked like a number (docs/whatsapp.md).
		{"lid:123456789", "سلام، از شرکت الف هستم", true},
		{"lid:123456789", "", true},
	}
	for _, tt := range tests {
		f := newDeskFixture(t)
		ctx := context.Background()
		if err := f.db.InTx(ctx, func(tx store.Store) error {
			return f.desk.UnknownContact(ctx, tx, tt.phone, tt.text, f.at)
		}); err != nil {
			t.Fatal(err)
		}
		out := f.outbox(t)
		if len(out) != 1 {
			t.Fatalf("%s: sent %d messages", tt.phone, len(out))
		}
		offersLink := strings.Contains(out[0].Text, "/link "+tt.phone) || strings.Contains(out[0].Text, "/link \u2068"+tt.phone)
		if offersLink != tt.linkable || strings.Contains(out[0].Text, "[desk.") {
			t.Errorf("%s %q: card %q; offers /link %v, want %v", tt.phone, tt.text, out[0].Text, offersLink, tt.linkable)
		}
	}
}

// A reply to one of the bot's messages that the bot has no record of (a
// card sent twice around a crash: Telegram took the first copy, the bot
// never learnt its id) is refused with a word in the staff group, not
// dropped in silence; nothing reaches the customer or changes.
func TestReplyToAnUnrecordedBotMessageIsRefusedAloud(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityImportant)
	in := f.staff("لطفاً نسخه اپلیکیشن را بفرمایید")
	in.ReplyToUnknown, in.At = true, f.at.Add(time.Hour)
	m := only(t, f.handle(t, in))
	if m.To != string(outbox.StaffGroup) || !strings.Contains(m.Text, f.desk.printer.T("desk.err.reply_unknown", nil)) {
		t.Errorf("answer %+v, want the refusal in the staff group", m)
	}
	if got := f.getTicket(t, tk.ID); !got.FirstResponseAt.IsZero() {
		t.Errorf("ticket answered at %v, want untouched", got.FirstResponseAt)
	}
	// An empty reply (a sticker) to such a message stays silent.
	in.Text = ""
	if sent := f.handle(t, in); len(sent) != 0 {
		t.Errorf("sent %+v for an empty reply", sent)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
