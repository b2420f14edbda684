package bot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"supportbot/export"
	"supportbot/store"
)

// TestWriteExportJSONIsTheSnapshot drives a desk through customer
// messages, staff answers, notes, closes and refusals (many at the same
// instant, so the ordering ties are exercised), then checks that the
// streamed export is byte for byte what encoding the whole export.Snapshot gives,
// and that the export.Snapshot's lists are in the order the in-memory export
// sorted them into before it streamed: denials by time then id, messages
// stably by time over received-then-tickets.
func TestWriteExportJSONIsTheSnapshot(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			f := newEngineFixture(t)
			ctx := context.Background()
			r := rand.New(rand.NewPCG(seed, seed*31))
			phones := []string{phoneSilver, phoneProj, phoneGold, "+989359990000"}
			now := f.at
			for i := range 80 {
				if r.IntN(3) == 0 { // a third share the instant of the one before
					now = now.Add(time.Duration(r.IntN(300)) * time.Second)
				}
				if r.IntN(4) == 0 {
					ts, err := f.db.ListTickets(ctx, store.TicketFilter{OpenOnly: true})
					if err != nil {
						t.Fatal(err)
					}
					if len(ts) == 0 {
						continue
					}
					tk := ts[r.IntN(len(ts))]
					in := StaffInput{At: now, Chat: ChatStaff, UserID: 1001, UserName: "Sara <b>&", Text: "لطفاً نسخه را بفرستید <ok>", ReplyToTicket: tk.ID}
					switch r.IntN(3) {
					case 0:
						in = StaffInput{At: now, Chat: ChatStaff, UserID: 1001, UserName: "Sara", Text: fmt.Sprintf("/close %d", tk.ID)}
					case 1:
						in = StaffInput{At: now, Chat: ChatStaff, UserID: 1002, UserName: "Reza", Text: fmt.Sprintf("/note %d \"quoted\" & <tagged>", tk.ID)}
					}
					if err := f.eng.HandleStaff(ctx, fmt.Sprintf("u%d", i), in); err != nil {
						t.Fatal(err)
					}
					continue
				}
				m := CustomerMessage{ID: fmt.Sprintf("w%d", i), Phone: phones[r.IntN(len(phones))], At: now,
					Text: customerWords[r.IntN(len(customerWords))]}
				if err := f.eng.HandleCustomer(ctx, m); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			for i := range 5 { // refusals out of id order in time, two at one instant
				d := store.Denial{At: f.at.Add(time.Duration(5-i/2) * time.Hour), Phone: "+989370009999", Reason: "unknown_customer"}
				if err := f.db.AddDenial(ctx, &d); err != nil {
					t.Fatal(err)
				}
			}

			at := now.Add(time.Hour)
			o := export.Options{Audit: true, Messages: true}
			snap, err := export.TakeWith(ctx, f.db, f.desk.policy, at, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Tickets) == 0 || len(*snap.Messages) < 50 || len(*snap.Audit) == 0 || len(snap.Denials) < 5 {
				t.Fatalf("too little to compare: %d tickets, %d messages, %d audit, %d denials",
					len(snap.Tickets), len(*snap.Messages), len(*snap.Audit), len(snap.Denials))
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(snap); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := export.WriteJSON(ctx, &got, f.db, f.desk.policy, at, o); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				i := 0
				for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
					i++
				}
				t.Fatalf("streamed export differs at byte %d:\n got %q\nwant %q", i,
					got.Bytes()[max(0, i-80):min(got.Len(), i+80)], want.Bytes()[max(0, i-80):min(want.Len(), i+80)])
			}

			if wantMsgs := messagesSortedInMemory(t, f.db); !sameMessages(t, *snap.Messages, wantMsgs) {
				t.Errorf("messages not in the in-memory export's order")
			}
			ds, err := f.db.ListDenials(ctx)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortStableFunc(ds, func(a, b store.Denial) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
			for i, d := range ds {
				if got := snap.Denials[i].At; got == nil || *got != d.At.In(f.loc).Format(time.RFC3339) {
					t.Errorf("denial %d at %v, want %v", i, got, d.At)
				}
			}
		})
	}
}

// messagesSortedInMemory is how export -messages ordered its list before
// it streamed: every received message by id, then each ticket's staff
// messages by ticket and id, sorted stably by time.
func messagesSortedInMemory(t *testing.T, st store.Store) []export.Message {
	ctx := context.Background()
	type item struct {
		at time.Time
		m  export.Message
	}
	var items []item
	rs, err := st.ListReceived(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		items = append(items, item{r.At, export.Message{From: "customer", Phone: r.Phone, Ticket: nullIfZero(r.TicketID), Text: r.Text}})
	}
	ts, err := st.ListTickets(ctx, store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ts {
		ms, err := st.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Direction != store.FromCustomer {
				items = append(items, item{m.At, export.Message{From: "staff", Phone: tk.Phone, Ticket: nullIfZero(tk.ID), Text: m.Text}})
			}
		}
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.at.UnixNano(), b.at.UnixNano()) })
	out := []export.Message{}
	for _, it := range items {
		out = append(out, it.m)
	}
	return out
}

// sameMessages compares the from, phone, ticket and text of two message lists.
func sameMessages(t *testing.T, got, want []export.Message) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d messages, want %d", len(got), len(want))
		return false
	}
	ok := true
	for i := range got {
		g, w := got[i], want[i]
		if g.From != w.From || g.Phone != w.Phone || g.Text != w.Text || !slices.Equal(ptrs(g.Ticket), ptrs(w.Ticket)) {
			t.Errorf("message %d: %s %s %v %q, want %s %s %v %q", i, g.From, g.Phone, ptrs(g.Ticket), g.Text, w.From, w.Phone, ptrs(w.Ticket), w.Text)
			ok = false
		}
	}
	return ok
}

func ptrs(p *int64) []int64 {
	if p == nil {
		return nil
	}
	return []int64{*p}
}

// nullIfZero is nil for 0 (JSON null), else a pointer to n, as the export
// writes ids.
func nullIfZero(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
