package sqlite

import (
	"context"
	"errors"
	"fmt"
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

// TestPruneInbound: a sweep in stretches forgets the ids of messages sent
// before the cut-off, across transports, keeps the newer ones and those
// without a time, and leaves the counts alone; a forgotten id is new again.
func TestPruneInbound(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	cut := at(2026, 8, 1, 0, 0)
	type rec struct {
		transport, id string
		at            time.Time
		kept          bool
	}
	recs := []rec{
		{"telegram", "update:1", cut.Add(-72 * time.Hour), false},
		{"telegram", "update:2", cut.Add(time.Hour), true},
		{"whatsapp", "3EB0AAA", cut.Add(-90 * 24 * time.Hour), false},
		{"whatsapp", "3EB0AAB", cut.Add(-time.Nanosecond), false},
		{"whatsapp", "3EB0AAC", cut, true},
		{"whatsapp", "3EB0AAD", time.Time{}, true}, // no time: kept
		{"whatsapp", "3EB0AAE", cut.Add(-time.Hour), false},
		{"whatsapp", "3EB0AAF", cut.Add(48 * time.Hour), true},
	}
	for _, r := range recs {
		if fresh, err := db.RecordInbound(ctx, r.transport, r.id, r.at); err != nil || !fresh {
			t.Fatalf("record %s: %v %v", r.id, fresh, err)
		}
	}
	before, err := db.Counts(ctx, cut)
	must(t, err)

	for _, limit := range []int{3, 100} { // a sweep in stretches, then one over what is left
		var key store.InboundKey
		total, calls := 0, 0
		for {
			next, n, done, err := db.PruneInbound(ctx, cut, key, limit)
			must(t, err)
			total += n
			calls++
			if done {
				break
			}
			if next == key {
				t.Fatalf("limit %d: the sweep did not move on from %+v", limit, key)
			}
			key = next
		}
		want := 4
		if limit == 100 {
			want = 0 // nothing left to forget
		}
		if total != want {
			t.Errorf("limit %d: forgot %d ids in %d calls, want %d", limit, total, calls, want)
		}
	}
	for _, r := range recs {
		seen, err := db.InboundSeen(ctx, r.transport, r.id)
		must(t, err)
		if seen != r.kept {
			t.Errorf("%s %s (%v): seen %v after pruning, want %v", r.transport, r.id, r.at, seen, r.kept)
		}
	}
	after, err := db.Counts(ctx, cut)
	must(t, err)
	if !reflect.DeepEqual(after.Inbound, before.Inbound) || after.Inbound["whatsapp"] != 6 || after.Inbound["telegram"] != 2 {
		t.Errorf("inbound counts %v after pruning, want %v as before", after.Inbound, before.Inbound)
	}
	if fresh, err := db.RecordInbound(ctx, "whatsapp", "3EB0AAA", cut); err != nil || !fresh {
		t.Errorf("a forgotten id recorded again: fresh %v (%v), want true", fresh, err)
	}
	if _, _, _, err := db.PruneInbound(ctx, cut, store.InboundKey{}, 0); err == nil {
		t.Error("a limit of 0 was accepted")
	}

	plan := queryPlan(t, db, `SELECT transport, chat, external_id FROM inbound
			WHERE (transport, chat, external_id) > (?1, ?2, ?3)
			ORDER BY transport, chat, external_id LIMIT 1 OFFSET ?4`, "", "", "", 99)
	if !strings.Contains(plan, "PRIMARY KEY") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("stretch plan %q, want the primary key in order", plan)
	}
}

// BenchmarkPruneInbound is one stretch of the nightly sweep (2,000 ids, the
// job's stretch) over a table of 200,000 ids, one in four old enough to go:
// the time it holds the writer.
func BenchmarkPruneInbound(b *testing.B) {
	db := MustOpen(b)
	ctx := context.Background()
	cut := at(2026, 8, 1, 0, 0)
	const total = 200_000
	must(b, db.InTx(ctx, func(tx store.Store) error {
		for i := range total {
			when := cut.Add(time.Duration(i) * time.Second)
			if i%4 == 0 {
				when = cut.Add(-time.Duration(i) * time.Second)
			}
			if _, err := tx.RecordInbound(ctx, "whatsapp", fmt.Sprintf("3EB0%016X", uint64(i)*0x9E3779B97F4A7C15), when); err != nil {
				return err
			}
		}
		return nil
	}))
	var key store.InboundKey
	b.ResetTimer()
	for b.Loop() {
		next, _, done, err := db.PruneInbound(ctx, cut, key, 2000)
		must(b, err)
		key = next
		if done {
			key = store.InboundKey{}
		}
	}
}
