package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

func TestAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := store.AuditRecord{At: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC), UserID: 1001, UserName: "Sara", Action: "close", TicketID: 3, Detail: "3"}
	if err := db.AddAudit(ctx, &r); err != nil || r.ID == 0 {
		t.Fatalf("AddAudit: %v, id %d", err, r.ID)
	}
	for _, q := range []string{`UPDATE audit SET action = 'x'`, `DELETE FROM audit`} {
		if _, err := db.writer.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err %v, want a refusal", q, err)
		}
	}
	rs, err := db.Audit(ctx, 3)
	if err != nil || len(rs) != 1 || rs[0].Action != "close" || rs[0].UserName != "Sara" || !rs[0].At.Equal(r.At) {
		t.Errorf("Audit(3) = %+v, %v", rs, err)
	}
	if rs, _ := db.Audit(ctx, 4); len(rs) != 0 {
		t.Errorf("Audit(4) = %+v", rs)
	}
}

func TestSnippets(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &store.File{Kind: "document", Name: "guide.pdf", MIME: "application/pdf", Bytes: 1200, Path: "/x/guide.pdf"}
	for _, s := range []store.Snippet{{Key: "b", Text: "دوم"}, {Key: "a", Text: "اول", File: f}, {Key: "b", Text: "دوم نو"}} {
		if err := db.SaveSnippet(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := db.Snippets(ctx)
	if err != nil || len(ss) != 2 || ss[0].Key != "a" || *ss[0].File != *f || ss[1].Text != "دوم نو" || ss[1].File != nil {
		t.Fatalf("Snippets = %+v, %v", ss, err)
	}
	if err := db.DeleteSnippet(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSnippet(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := db.Snippet(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted snippet: %v", err)
	}
}

// TestLifecycleStatusesRoundTrip checks the mapping of waiting and merged
// onto the 0001 status column, and that a usage count leaves merged
// tickets out like declined ones.
func TestLifecycleStatusesRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	mk := func(st store.TicketStatus) store.Ticket {
		tk := store.Ticket{Phone: "+989121230001", Kind: "problem", Status: store.TicketAnswered, OpenedAt: at, FirstResponseAt: at}
		if err := db.CreateTicket(ctx, &tk); err != nil {
			t.Fatal(err)
		}
		tk.Status = st
		switch st {
		case store.TicketWaiting:
			tk.WaitingSince, tk.NudgedAt = at.Add(time.Hour), at.Add(2*time.Hour)
		case store.TicketMerged:
			tk.MergedInto, tk.ClosedAt = 1, at
		case store.TicketClosed:
			tk.CSAT, tk.CSATAskedAt, tk.CSATPending = 0, at, true
		}
		if err := db.UpdateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	waiting, merged, closed := mk(store.TicketWaiting), mk(store.TicketMerged), mk(store.TicketClosed)
	for _, want := range []store.Ticket{waiting, merged, closed} {
		got, err := db.Ticket(ctx, want.ID)
		if err != nil || got != want {
			t.Errorf("ticket %d:\n got %+v\nwant %+v (%v)", want.ID, got, want, err)
		}
	}
	ws, err := db.WaitingTickets(ctx)
	if err != nil || len(ws) != 1 || ws[0].ID != waiting.ID {
		t.Errorf("WaitingTickets = %+v, %v", ws, err)
	}
	open, err := db.ListTickets(ctx, store.TicketFilter{OpenOnly: true})
	if err != nil || len(open) != 1 || open[0].ID != waiting.ID {
		t.Errorf("open tickets = %+v, %v (a waiting ticket is open)", open, err)
	}
	p, err := db.PendingCSAT(ctx, "+989121230001")
	if err != nil || p.ID != closed.ID {
		t.Errorf("PendingCSAT = %+v, %v", p, err)
	}
	// Answered again: the wait's columns are gone.
	waiting.Status = store.TicketAnswered
	if err := db.UpdateTicket(ctx, waiting); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Ticket(ctx, waiting.ID); got.Status != store.TicketAnswered || !got.WaitingSince.IsZero() {
		t.Errorf("after the wait: %+v", got)
	}
}
