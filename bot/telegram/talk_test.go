package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/bot"
	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// deskHandler hands staff input to the real desk in a transaction, as the
// engine does.
type deskHandler struct {
	st   store.Store
	desk *bot.Desk
	rec  recorder
}

func (d *deskHandler) HandleStaff(ctx context.Context, id string, in bot.StaffInput) error {
	if err := d.rec.HandleStaff(ctx, id, in); err != nil {
		return err
	}
	return d.st.InTx(ctx, func(tx store.Store) error { return d.desk.HandleStaff(ctx, tx, in) })
}

// In a ticket's topic, a forward (Bot API 7's forward_origin, or the older
// forward_date) and a reply to a colleague's message are kept from the
// customer; a plain message there reaches them. Through the real library
// and the real desk.
func TestTopicStaffTalkStaysInternal(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Topics = true })
	h.srv.Forum(staffChat)
	ctx := context.Background()
	desk, tk, phone := deskTicket(t, h, true)
	now := h.clock.Now()
	var thread int
	for id := range h.srv.Topics(staffChat) {
		thread = id
	}
	if thread == 0 {
		t.Fatal("no topic made for the ticket")
	}
	card := h.srv.SentTo(staffChat)[0]

	dh := &deskHandler{st: h.db, desk: desk, rec: recorder{st: h.db}}
	stop := h.run(h.ad, dh)
	origin := map[string]any{"forward_origin": map[string]any{"type": "user", "date": 1764300000, "sender_user": map[string]any{"id": 5, "is_bot": false, "first_name": "Customer"}}}
	h.srv.PushInTopicWith(telegramtest.Message(staff, sara, "forwarded (Bot API 7)"), thread, origin)
	legacy := telegramtest.Message(staff, sara, "forwarded (old field)")
	legacy.Message.ForwardDate = 1764300000
	h.srv.PushInTopic(legacy, thread)
	colleague := telegramtest.Message(staff, ali, "Ali asks Sara")
	h.srv.PushInTopic(colleague, thread)
	h.srv.PushInTopic(telegramtest.Reply(staff, sara, "Sara answers Ali", colleague.Message.MessageID, ali), thread)
	h.srv.PushInTopic(telegramtest.Reply(staff, sara, "Sara to the customer, quoting the card", card.MessageID, telegramtest.BotUser), thread)
	last := h.srv.PushInTopic(telegramtest.Message(staff, sara, "Sara to the customer"), thread)
	wait(t, "every update handled", func() bool { return h.offset() == strconv.Itoa(last+1) })
	stop()

	got := dh.rec.all()
	want := []struct {
		forwarded, other bool
	}{{true, false}, {true, false}, {false, false}, {false, true}, {false, false}, {false, false}}
	if len(got) != len(want) {
		t.Fatalf("handled %d, want %d", len(got), len(want))
	}
	for i, w := range want {
		if in := got[i].in; in.Forwarded != w.forwarded || in.ReplyToOther != w.other || in.Thread != tk.ID {
			t.Errorf("%q: forwarded %v, reply to another %v, thread %d; want %v %v %d", in.Text, in.Forwarded, in.ReplyToOther, in.Thread, w.forwarded, w.other, tk.ID)
		}
	}
	due, err := h.db.DueOutbox(ctx, now.AddDate(1, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var toCustomer []string
	for _, m := range due {
		if m.To == string(outbox.WhatsApp(phone)) {
			toCustomer = append(toCustomer, m.Text)
		}
	}
	// Ali's own message (not a reply) is for the customer too, as any plain
	// message in the topic; the two of Sara's that are plain or quote the card.
	if len(toCustomer) != 3 {
		t.Errorf("to the customer: %q; want Ali's plain message and Sara's two answers only", toCustomer)
	}
	for _, text := range toCustomer {
		for _, internal := range []string{"forwarded", "Sara answers Ali"} {
			if strings.Contains(text, internal) {
				t.Errorf("internal text reached the customer: %q", text)
			}
		}
	}
}

// deskTicket is the real desk (topics as asked) on h's database, with one
// customer, contract and ticket whose card is sent.
func deskTicket(t *testing.T, h *harness, topics bool) (*bot.Desk, store.Ticket, string) {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	p := deskPrinter(t)
	policy := &rules.Policy{Calendar: rules.DefaultCalendar(loc), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	desk := bot.NewDesk(policy, p, bot.DeskConfig{StaffChatID: staffChat, Topics: topics})
	const phone = "+989121230001"
	if err := h.db.UpsertCustomer(ctx, store.Customer{ID: "P-1", Name: "Acme", Phones: []string{phone}}); err != nil {
		t.Fatal(err)
	}
	k := rules.Contract{ID: "A-1", CustomerID: "P-1", Kind: rules.KindProduct, Tier: rules.TierSilver,
		PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 2}, DeliveredOn: rules.Date{Year: 2026, Month: 10, Day: 6}}
	if err := h.db.UpsertContract(ctx, k); err != nil {
		t.Fatal(err)
	}
	now := h.clock.Now()
	tk := store.Ticket{ContractID: "A-1", CustomerID: "P-1", Phone: phone, Kind: rules.RequestProblem, Severity: rules.SeverityImportant,
		Status: store.TicketNew, Description: "report", OpenedAt: now, FirstResponseDue: now.Add(8 * time.Hour)}
	err = h.db.InTx(ctx, func(tx store.Store) error {
		if err := tx.CreateTicket(ctx, &tk); err != nil {
			return err
		}
		return desk.TicketOpened(ctx, tx, tk, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.flush() // the card makes the topic
	return desk, tk, phone
}

// deskPrinter is the Persian printer the desk speaks with, in Tehran time.
func deskPrinter(t *testing.T) *locales.Printer {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	p, err := locales.New("fa", loc)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
