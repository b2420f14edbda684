package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"supportbot/store"
)

// A pending message is stored once per chat and id: a redelivery of one
// still pending changes nothing; its failures are counted and listed.
func TestWhatsAppPending(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	t0 := at(2026, 11, 28, 9, 0)
	p := store.WhatsAppPending{Chat: "989121234567@s.whatsapp.net", MessageID: "M1", Sender: "989121234567@s.whatsapp.net",
		Address: "+989121234567", At: t0, SentAt: t0.Add(-time.Minute), Message: []byte{1, 2, 3}}
	first := p
	fresh, err := db.AddWhatsAppPending(ctx, &first)
	if err != nil || !fresh || first.ID == 0 {
		t.Fatalf("first add: %v, %v, id %d", fresh, err, first.ID)
	}
	for _, tc := range []struct {
		name  string
		chat  string
		fresh bool
	}{
		{"the same chat and id again", p.Chat, false},
		{"the same id in another chat", "989121110002@s.whatsapp.net", true},
	} {
		q := p
		q.Chat, q.Message, q.At = tc.chat, []byte{9}, t0.Add(time.Hour)
		fresh, err := db.AddWhatsAppPending(ctx, &q)
		if err != nil || fresh != tc.fresh || (fresh && q.ID == 0) || (!fresh && q.ID != 0) {
			t.Errorf("%s: fresh %v, id %d, %v; want fresh %v", tc.name, fresh, q.ID, err, tc.fresh)
		}
	}
	ps, err := db.WhatsAppPendingList(ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("list %+v, %v", ps, err)
	}
	want := first
	want.At, want.SentAt = want.At.UTC(), want.SentAt.UTC()
	if !reflect.DeepEqual(ps[0], want) {
		t.Errorf("listed %+v, want the first as stored %+v (the duplicate changed nothing)", ps[0], want)
	}

	failed := ps[0]
	failed.Attempts, failed.FailedAt, failed.LastError = 2, t0.Add(time.Minute), "engine: boom"
	must(t, db.FailWhatsAppPending(ctx, failed))
	ps, err = db.WhatsAppPendingList(ctx)
	if err != nil || ps[0].Attempts != 2 || !ps[0].FailedAt.Equal(failed.FailedAt) || ps[0].LastError != "engine: boom" || ps[1].Attempts != 0 || !ps[1].FailedAt.IsZero() {
		t.Errorf("after a failure: %+v, %v", ps, err)
	}
	must(t, db.DeleteWhatsAppPending(ctx, ps[0].ID))
	if ps, err := db.WhatsAppPendingList(ctx); err != nil || len(ps) != 1 || ps[0].MessageID != "M1" || ps[0].Chat == p.Chat {
		t.Errorf("after the delete: %+v, %v", ps, err)
	}
}

// A send is recorded before it goes; a retry of its id moves the time of
// the send and keeps the receipts.
func TestSendingWhatsApp(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	first := at(2026, 11, 28, 9, 0)
	s := store.WhatsAppSent{MessageID: "3EB0AA", OutboxID: 7, Address: "+989121234567", TicketID: 3, SentAt: first}
	must(t, db.SendingWhatsApp(ctx, s))
	got, err := db.WhatsAppSent(ctx, "3EB0AA")
	if err != nil || got.OutboxID != 7 || got.TicketID != 3 || !got.SentAt.Equal(first) {
		t.Fatalf("recorded %+v, %v", got, err)
	}
	got.DeliveredAt = first.Add(time.Second)
	must(t, db.UpdateWhatsAppSent(ctx, got))
	retry := s
	retry.SentAt, retry.OutboxID, retry.Reported = first.Add(time.Hour), 99, true
	must(t, db.SendingWhatsApp(ctx, retry))
	got, err = db.WhatsAppSent(ctx, "3EB0AA")
	if err != nil || !got.SentAt.Equal(retry.SentAt) || got.OutboxID != 7 || got.Reported || !got.DeliveredAt.Equal(first.Add(time.Second)) {
		t.Errorf("after a retry %+v, %v; want only the time moved", got, err)
	}
	if err := db.AddWhatsAppSent(ctx, s); !errors.Is(err, store.ErrConflict) {
		t.Errorf("adding the id again: %v, want ErrConflict", err)
	}
}
