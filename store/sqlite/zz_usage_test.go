package sqlite

import (
	"context"
	"testing"
	"time"

	"supportbot/store"
)

func BenchmarkZZUsage(b *testing.B) {
	db := MustOpen(b)
	MustSeed(b, db)
	ctx := context.Background()
	w := store.UsageWindow{MonthStart: time.Now().Add(-time.Hour * 24 * 30), MonthEnd: time.Now(), YearStart: time.Now().Add(-time.Hour * 24 * 300), YearEnd: time.Now()}
	for i := 0; i < 5; i++ {
		tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Status: "closed", Kind: "problem", OpenedAt: time.Now().Add(-time.Hour)}
		db.CreateTicket(ctx, &tk)
	}
	db.InTx(ctx, func(tx store.Store) error { tx.Usage(ctx, "K-1", w); return nil })
	db.InTx(ctx, func(tx store.Store) error {
		b.ResetTimer()
		for b.Loop() {
			if _, err := tx.Usage(ctx, "K-1", w); err != nil {
				b.Fatal(err)
			}
		}
		return nil
	})
}

func BenchmarkZZSession(b *testing.B) {
	db := MustOpen(b)
	ctx := context.Background()
	db.SaveSession(ctx, store.Session{Phone: "+98912", State: "idle", Data: "{}", UpdatedAt: time.Now()})
	db.InTx(ctx, func(tx store.Store) error { tx.Session(ctx, "+98912"); return nil })
	db.InTx(ctx, func(tx store.Store) error {
		for b.Loop() {
			if _, err := tx.Session(ctx, "+98912"); err != nil {
				b.Fatal(err)
			}
		}
		return nil
	})
}

func BenchmarkZZEnqueue(b *testing.B) {
	db := MustOpen(b)
	ctx := context.Background()
	db.InTx(ctx, func(tx store.Store) error { m := store.OutboxMessage{To: "x"}; tx.Enqueue(ctx, &m); return nil })
	db.InTx(ctx, func(tx store.Store) error {
		for b.Loop() {
			m := store.OutboxMessage{CreatedAt: time.Now(), To: "whatsapp:+98912", Text: "سلام، درخواست شما ثبت شد. شماره پیگیری ۱۲۳", NextAttempt: time.Now()}
			if err := tx.Enqueue(ctx, &m); err != nil {
				b.Fatal(err)
			}
		}
		return nil
	})
}
