package sqlite

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

func TestWhatsAppContacts(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	if _, err := db.WhatsAppContact(ctx, "+989121234567"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown contact: %v, want ErrNotFound", err)
	}
	first, later := at(2026, 11, 28, 9, 0), at(2026, 11, 29, 10, 0)
	must(t, db.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: "+989121234567", JID: "989121234567@s.whatsapp.net", LastAt: first}))
	must(t, db.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: "+989121234567", JID: "111@lid", LastAt: later}))
	must(t, db.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: "+989121234567", JID: "111@lid", LastAt: first})) // late redelivery
	c, err := db.WhatsAppContact(ctx, "+989121234567")
	if err != nil || c.JID != "111@lid" || !c.FirstAt.Equal(first) || !c.LastAt.Equal(later) {
		t.Errorf("contact %+v, %v", c, err)
	}
}

func TestWhatsAppSentAndUndelivered(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	t0 := at(2026, 11, 28, 9, 0)
	for i, id := range []string{"A", "B", "C"} {
		must(t, db.AddWhatsAppSent(ctx, store.WhatsAppSent{MessageID: id, OutboxID: int64(i + 1), Address: "+989121234567", TicketID: 12, SentAt: t0.Add(time.Duration(i) * time.Minute)}))
	}
	if err := db.AddWhatsAppSent(ctx, store.WhatsAppSent{MessageID: "A", SentAt: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second A: %v, want ErrConflict", err)
	}
	a, _ := db.WhatsAppSent(ctx, "A")
	a.DeliveredAt = t0.Add(time.Minute)
	must(t, db.UpdateWhatsAppSent(ctx, a))
	b, _ := db.WhatsAppSent(ctx, "B")
	b.Reported = true
	must(t, db.UpdateWhatsAppSent(ctx, b))
	list, err := db.UndeliveredWhatsApp(ctx, t0.Add(time.Hour))
	if err != nil || len(list) != 1 || list[0].MessageID != "C" || list[0].TicketID != 12 || list[0].OutboxID != 3 {
		t.Errorf("undelivered %+v, %v; want only C", list, err)
	}
	if list, _ := db.UndeliveredWhatsApp(ctx, t0); len(list) != 0 {
		t.Errorf("undelivered before t0: %+v", list)
	}
	// A send the outbox gave up on (staff told by its failure report) is
	// not reported again as undelivered.
	m := &store.OutboxMessage{To: "whatsapp:+989121234567", Text: "سلام"}
	must(t, db.Enqueue(ctx, m))
	must(t, db.AddWhatsAppSent(ctx, store.WhatsAppSent{MessageID: "D", OutboxID: m.ID, Address: "+989121234567", SentAt: t0.Add(3 * time.Minute)}))
	if list, _ := db.UndeliveredWhatsApp(ctx, t0.Add(time.Hour)); len(list) != 2 || list[1].MessageID != "D" {
		t.Fatalf("undelivered %+v; want C and D while D's send may still go", list)
	}
	must(t, db.MarkFailed(ctx, m.ID, "connection reset"))
	if list, _ := db.UndeliveredWhatsApp(ctx, t0.Add(time.Hour)); len(list) != 1 || list[0].MessageID != "C" {
		t.Errorf("undelivered %+v; want only C once D's send was given up", list)
	}
	if _, err := db.WhatsAppSent(ctx, "Z"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if err := db.UpdateWhatsAppSent(ctx, store.WhatsAppSent{MessageID: "Z"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update unknown: %v", err)
	}
}

func TestInboundSeen(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	if seen, err := db.InboundSeen(ctx, "whatsapp", "M1"); err != nil || seen {
		t.Fatalf("seen %v, %v", seen, err)
	}
	if _, err := db.RecordInbound(ctx, "whatsapp", "M1", at(2026, 11, 28, 9, 0)); err != nil {
		t.Fatal(err)
	}
	if seen, _ := db.InboundSeen(ctx, "whatsapp", "M1"); !seen {
		t.Error("recorded id not seen")
	}
	if seen, _ := db.InboundSeen(ctx, "telegram", "M1"); seen {
		t.Error("seen under another transport")
	}
}

func TestCounts(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	now := at(2026, 11, 30, 12, 0)
	for _, id := range []string{"w1", "w2"} {
		db.RecordInbound(ctx, "whatsapp", id, now)
	}
	db.RecordInbound(ctx, "telegram", "update:1", now)
	for i, to := range []string{"whatsapp:+989121111111", "telegram:staff", "telegram:staff", "telegram:user:5"} {
		m := store.OutboxMessage{CreatedAt: now, To: to, Text: "x"}
		must(t, db.Enqueue(ctx, &m))
		switch i {
		case 0, 1:
			must(t, db.MarkSent(ctx, m.ID, now, "x"))
		case 2:
			must(t, db.MarkFailed(ctx, m.ID, "gone"))
		}
	}
	must(t, db.AddDenial(ctx, &store.Denial{At: now, Phone: "+989120000000", Reason: rules.DenyUnknownCustomer}))
	must(t, db.AddDenial(ctx, &store.Denial{At: now, Phone: "+989120000001", Reason: rules.DenyUnknownCustomer}))
	tickets := []store.Ticket{
		{FirstResponseDue: now.Add(-time.Hour)},                                           // unanswered, overdue: breached
		{FirstResponseDue: now.Add(time.Hour)},                                            // unanswered, not yet due
		{FirstResponseDue: now.Add(-2 * time.Hour), FirstResponseAt: now.Add(-time.Hour)}, // answered late: breached
		{FirstResponseDue: now, FirstResponseAt: now.Add(-time.Hour)},                     // answered in time
		{}, // no deadline
	}
	for _, tk := range tickets {
		tk.ContractID, tk.CustomerID, tk.Status, tk.OpenedAt = "K-1", "C-1", store.TicketNew, now.Add(-3*time.Hour)
		must(t, db.CreateTicket(ctx, &tk))
	}
	c, err := db.Counts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Inbound["whatsapp"] != 2 || c.Inbound["telegram"] != 1 {
		t.Errorf("inbound %v", c.Inbound)
	}
	if c.Sent["whatsapp"] != 1 || c.Sent["telegram"] != 1 || c.Failed["telegram"] != 1 || c.Pending != 1 {
		t.Errorf("sent %v failed %v pending %d", c.Sent, c.Failed, c.Pending)
	}
	if c.Denials[string(rules.DenyUnknownCustomer)] != 2 || c.TicketsOpened != 5 || c.Breached != 2 {
		t.Errorf("denials %v tickets %d breached %d", c.Denials, c.TicketsOpened, c.Breached)
	}
}

// TestCountsMatchTheOutbox: after any mix of messages queued, sent, retried,
// given up on, marked again and stored already final, the running totals
// equal a count over the whole outbox, and a message counts once.
func TestCountsMatchTheOutbox(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	now := at(2026, 11, 30, 12, 0)
	rng := rand.New(rand.NewPCG(7, 11))
	addrs := []string{"whatsapp:+989121111111", "whatsapp:lid:42", "telegram:staff", "telegram:user:5", "plain"}
	var pending []int64
	for range 600 {
		switch op := rng.IntN(10); {
		case op < 5 || len(pending) == 0:
			m := store.OutboxMessage{CreatedAt: now, To: addrs[rng.IntN(len(addrs))], Text: "x", NextAttempt: now}
			if rng.IntN(10) == 0 {
				m.Status, m.SentAt = store.OutboxSent, now // stored already sent
			}
			must(t, db.Enqueue(ctx, &m))
			if m.Status == store.OutboxPending {
				pending = append(pending, m.ID)
			}
		default:
			i := rng.IntN(len(pending))
			id := pending[i]
			switch op {
			case 5:
				must(t, db.MarkRetry(ctx, id, now.Add(time.Minute), "later"))
				continue
			case 6, 7, 8:
				must(t, db.MarkSent(ctx, id, now, "ext"))
				if rng.IntN(4) == 0 { // marked again: counted once
					must(t, db.MarkSent(ctx, id, now, "ext"))
				}
			case 9:
				must(t, db.MarkFailed(ctx, id, "gone"))
				if rng.IntN(4) == 0 {
					must(t, db.MarkFailed(ctx, id, "gone again"))
				}
			}
			pending = append(pending[:i], pending[i+1:]...)
		}
	}
	want := store.Counts{Sent: map[string]int64{}, Failed: map[string]int64{}}
	rows, err := db.reader.QueryContext(ctx, `SELECT recipient, status FROM outbox`)
	must(t, err)
	for rows.Next() {
		var to, status string
		must(t, rows.Scan(&to, &status))
		transport, _, _ := strings.Cut(to, ":")
		switch store.OutboxStatus(status) {
		case store.OutboxSent:
			want.Sent[transport]++
		case store.OutboxFailed:
			want.Failed[transport]++
		case store.OutboxPending:
			want.Pending++
		}
	}
	must(t, closeRows(rows))
	got, err := db.Counts(ctx, now)
	must(t, err)
	if !reflect.DeepEqual(got.Sent, want.Sent) || !reflect.DeepEqual(got.Failed, want.Failed) || got.Pending != want.Pending {
		t.Errorf("counts sent %v failed %v pending %d; the outbox holds sent %v failed %v pending %d",
			got.Sent, got.Failed, got.Pending, want.Sent, want.Failed, want.Pending)
	}
	if plan := queryPlan(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`); !strings.Contains(plan, "outbox_pending") {
		t.Errorf("pending count plan %q, want the index of pending messages", plan)
	}
}

// TestCountersMigration: a database with messages already sent and given
// up on before 0009 starts its totals from them.
func TestCountersMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 8)
	for _, r := range []struct{ to, status string }{
		{"whatsapp:+989121111111", "sent"}, {"whatsapp:+989122222222", "sent"}, {"whatsapp:+989121111111", "failed"},
		{"telegram:staff", "sent"}, {"telegram:staff", "pending"},
	} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO outbox (recipient, text, status) VALUES (?, 'x', ?)`, r.to, r.status); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	must(t, db.MarkSent(ctx, 5, at(2026, 11, 30, 12, 0), "ext"))
	c, err := db.Counts(ctx, at(2026, 11, 30, 12, 0))
	must(t, err)
	if c.Sent["whatsapp"] != 2 || c.Failed["whatsapp"] != 1 || c.Sent["telegram"] != 2 || c.Pending != 0 {
		t.Errorf("after the migration and one more sent: sent %v failed %v pending %d", c.Sent, c.Failed, c.Pending)
	}
}

// TestPing: the health check's read answers on an open database and fails
// on a closed one.
func TestPing(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	must(t, err)
	if err := db.Ping(context.Background()); err != nil {
		t.Errorf("Ping on an open database: %v", err)
	}
	must(t, db.Close())
	if err := db.Ping(context.Background()); err == nil {
		t.Error("Ping on a closed database succeeded")
	}
}
