package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// ids lists the messages' ids.
func ids(ms []store.OutboxMessage) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestOutboxFlow(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	t0 := at(2026, 5, 1, 10, 0)

	card := store.OutboxMessage{CreatedAt: t0, To: "telegram:staff", TicketID: 3, Text: "ticket 3",
		Buttons: []string{"claim", "close", "decline"}, NextAttempt: t0}
	reply := store.OutboxMessage{CreatedAt: t0, To: "whatsapp:+989121111111", TicketID: 3, Text: "received",
		ReplyTo: 1, File: &store.File{Kind: "document", Name: "a.pdf", MIME: "application/pdf", Bytes: 10, Path: "f/a.pdf"},
		NextAttempt: t0.Add(time.Minute)}
	asap := store.OutboxMessage{CreatedAt: t0, To: "telegram:managers", Text: "digest"} // no NextAttempt: due now
	for _, m := range []*store.OutboxMessage{&card, &reply, &asap} {
		must(t, db.Enqueue(ctx, m))
		if m.Status != store.OutboxPending {
			t.Errorf("enqueued status %q, want pending", m.Status)
		}
	}

	got, err := db.OutboxMessage(ctx, reply.ID)
	must(t, err)
	want := reply
	want.CreatedAt, want.NextAttempt = t0.UTC(), t0.Add(time.Minute).UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OutboxMessage =\n%+v\nwant\n%+v", got, want)
	}

	for _, tc := range []struct {
		now   time.Time
		limit int
		want  []int64
	}{
		{t0.Add(-time.Second), 10, []int64{asap.ID}},
		{t0, 10, []int64{card.ID, asap.ID}},
		{t0.Add(time.Minute), 10, []int64{card.ID, reply.ID, asap.ID}},
		{t0.Add(time.Minute), 2, []int64{card.ID, reply.ID}},
		{t0.Add(time.Minute), 0, []int64{card.ID, reply.ID, asap.ID}},
	} {
		due, err := db.DueOutbox(ctx, tc.now, tc.limit)
		must(t, err)
		if !reflect.DeepEqual(ids(due), tc.want) {
			t.Errorf("DueOutbox(%v, %d) = %v, want %v", tc.now, tc.limit, ids(due), tc.want)
		}
	}

	// The card goes out; the reply fails twice and is retried later; the
	// digest fails for good.
	must(t, db.MarkSent(ctx, card.ID, t0.Add(time.Second), "tg-501"))
	must(t, db.MarkRetry(ctx, reply.ID, t0.Add(5*time.Minute), "timeout"))
	must(t, db.MarkRetry(ctx, reply.ID, t0.Add(10*time.Minute), "timeout again"))
	must(t, db.MarkFailed(ctx, asap.ID, "chat not found"))

	due, err := db.DueOutbox(ctx, t0.Add(9*time.Minute), 10)
	must(t, err)
	if len(due) != 0 {
		t.Errorf("due before retry time: %v", ids(due))
	}
	due, err = db.DueOutbox(ctx, t0.Add(10*time.Minute), 10)
	must(t, err)
	if !reflect.DeepEqual(ids(due), []int64{reply.ID}) {
		t.Fatalf("due at retry time: %v", ids(due))
	}
	if r := due[0]; r.Attempts != 2 || r.LastError != "timeout again" || !r.NextAttempt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("retried message: attempts %d, error %q, next %v", r.Attempts, r.LastError, r.NextAttempt)
	}

	sent, err := db.SentByExternal(ctx, "telegram:staff", "tg-501")
	must(t, err)
	if sent.ID != card.ID || sent.Status != store.OutboxSent || !sent.SentAt.Equal(t0.Add(time.Second)) ||
		!reflect.DeepEqual(sent.Buttons, card.Buttons) {
		t.Errorf("SentByExternal = %+v", sent)
	}
	if _, err := db.SentByExternal(ctx, "telegram:managers", "tg-501"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SentByExternal to another chat: %v, want ErrNotFound", err)
	}
	failed, err := db.OutboxMessage(ctx, asap.ID)
	must(t, err)
	if failed.Status != store.OutboxFailed || failed.LastError != "chat not found" {
		t.Errorf("failed message = %+v", failed)
	}
	for _, err := range []error{
		db.MarkRetry(ctx, 99, t0, "x"),
		db.MarkFailed(ctx, 99, "x"),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("marking a missing message: %v, want ErrNotFound", err)
		}
	}
}

func TestEnqueueRollsBackWithTx(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx store.Store) error {
		must(t, tx.Enqueue(ctx, &store.OutboxMessage{To: "telegram:staff", Text: "x"}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	due, err := db.DueOutbox(ctx, time.Now(), 10)
	must(t, err)
	if len(due) != 0 {
		t.Errorf("rolled-back message is due: %v", ids(due))
	}
}

func TestRecordInbound(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	t0 := at(2026, 5, 1, 10, 0)
	for _, tc := range []struct {
		transport, id string
		want          bool
	}{
		{"whatsapp", "wamid.1", true},
		{"whatsapp", "wamid.1", false}, // redelivery
		{"telegram", "wamid.1", true},  // same id, other transport
		{"whatsapp", "wamid.2", true},
		{"telegram", "wamid.1", false},
	} {
		got, err := db.RecordInbound(ctx, tc.transport, tc.id, t0)
		must(t, err)
		if got != tc.want {
			t.Errorf("RecordInbound(%s, %s) = %v, want %v", tc.transport, tc.id, got, tc.want)
		}
	}
}

// TestDueOutboxUsesPendingIndex: the dispatcher's query reads the partial
// index of pending messages, not the whole outbox.
func TestDueOutboxUsesPendingIndex(t *testing.T) {
	db := MustOpen(t)
	got := queryPlan(t, db, `SELECT `+outboxCols+` FROM outbox
		WHERE status = 'pending' AND (next_attempt IS NULL OR next_attempt <= ?)
		ORDER BY id LIMIT ?`, "2026-11-27T00:00:00.000000000Z", 10)
	if !strings.Contains(got, "outbox_pending") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("DueOutbox plan %q, want the outbox_pending index and no sort", got)
	}
}
