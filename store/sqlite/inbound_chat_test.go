package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"supportbot/store"
)

// TestRecordChatInbound: a WhatsApp id is unique within its chat, so the
// same id in two chats is two messages, and the same id in the same chat
// a redelivery. Ids without a chat (Telegram updates) stay apart.
func TestRecordChatInbound(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	when := at(2026, 11, 27, 9, 0)
	steps := []struct {
		name        string
		chat, id    string
		wantFresh   bool
		chatless    bool // recorded with RecordInbound
		wantErrText bool
	}{
		{name: "first in chat A", chat: "98912@s.whatsapp.net", id: "3EB0X", wantFresh: true},
		{name: "again in chat A", chat: "98912@s.whatsapp.net", id: "3EB0X", wantFresh: false},
		{name: "same id, chat B", chat: "98935@s.whatsapp.net", id: "3EB0X", wantFresh: true},
		{name: "again in chat B", chat: "98935@s.whatsapp.net", id: "3EB0X", wantFresh: false},
		{name: "same id without a chat", id: "3EB0X", chatless: true, wantFresh: true},
		{name: "no chat refused", chat: "", id: "3EB0Y", wantErrText: true},
	}
	for _, s := range steps {
		var fresh bool
		var err error
		if s.chatless {
			fresh, err = db.RecordInbound(ctx, "whatsapp", s.id, when)
		} else {
			fresh, err = db.RecordChatInbound(ctx, "whatsapp", s.chat, s.id, when)
		}
		if (err != nil) != s.wantErrText {
			t.Fatalf("%s: err %v", s.name, err)
		}
		if err == nil && fresh != s.wantFresh {
			t.Errorf("%s: fresh = %v, want %v", s.name, fresh, s.wantFresh)
		}
	}
	for _, c := range []struct {
		chat string
		want bool
	}{{"98912@s.whatsapp.net", true}, {"98935@s.whatsapp.net", true}, {"98900@s.whatsapp.net", true /* the chatless row */}} {
		if seen, err := db.ChatInboundSeen(ctx, "whatsapp", c.chat, "3EB0X"); err != nil || seen != c.want {
			t.Errorf("ChatInboundSeen(%s) = %v, %v; want %v", c.chat, seen, err, c.want)
		}
	}
	if seen, err := db.ChatInboundSeen(ctx, "whatsapp", "98900@s.whatsapp.net", "3EB0Z"); err != nil || seen {
		t.Errorf("an id never recorded is seen: %v, %v", seen, err)
	}
}

// TestInboundChatMigration: ids recorded before the chat joined the key
// (migration 0010) are still recognised in whatever chat they come back
// from, and their times are kept for pruning.
func TestInboundChatMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 9)
	for _, id := range []string{"3EB0A1", "update:7"} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO inbound (transport, external_id, at) VALUES ('whatsapp', ?, '2026-11-27T07:00:00.000000000Z')`, id); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())
	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	if fresh, err := db.RecordChatInbound(ctx, "whatsapp", "98912@s.whatsapp.net", "3EB0A1", at(2026, 11, 27, 11, 0)); err != nil || fresh {
		t.Errorf("an id from before the migration, redelivered in a chat: fresh %v, %v", fresh, err)
	}
	if seen, err := db.ChatInboundSeen(ctx, "whatsapp", "98912@s.whatsapp.net", "3EB0A1"); err != nil || !seen {
		t.Errorf("ChatInboundSeen of an id from before the migration = %v, %v", seen, err)
	}
	if seen, err := db.InboundSeen(ctx, "whatsapp", "update:7"); err != nil || !seen {
		t.Errorf("InboundSeen of an id from before the migration = %v, %v", seen, err)
	}
	_, pruned, _, err := db.PruneInbound(ctx, at(2026, 11, 28, 0, 0), store.InboundKey{}, 100)
	if err != nil || pruned != 2 {
		t.Errorf("pruning the migrated ids: %d, %v; want 2", pruned, err)
	}
}

// TestHeldPage: pages go from the newest back, each oldest first, with the
// total; only the phone's own messages; PruneHeld takes the oldest first
// and no more than its limit.
func TestHeldPage(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	const phone = "+989121234567"
	for i := range 7 {
		h := store.HeldMessage{At: at(2026, 11, 1+i, 9, 0), Phone: phone, Reason: store.HeldFlood, Text: string(rune('a' + i))}
		must(t, db.Hold(ctx, &h))
		other := store.HeldMessage{At: at(2026, 11, 1+i, 9, 0), Phone: "+989350000000", Reason: store.HeldFlood, Text: "x"}
		must(t, db.Hold(ctx, &other))
	}
	tests := []struct {
		skip, limit int
		want        string
	}{{0, 3, "efg"}, {3, 3, "bcd"}, {6, 3, "a"}, {9, 3, ""}, {0, 100, "abcdefg"}}
	for _, tt := range tests {
		page, total, err := db.HeldPage(ctx, phone, tt.skip, tt.limit)
		must(t, err)
		got := ""
		for _, h := range page {
			got += h.Text
			if h.Phone != phone {
				t.Errorf("page shows %s's message", h.Phone)
			}
		}
		if got != tt.want || total != 7 {
			t.Errorf("HeldPage(skip %d, limit %d) = %q of %d, want %q of 7", tt.skip, tt.limit, got, total, tt.want)
		}
	}
	if _, _, err := db.HeldPage(ctx, phone, 0, 0); err == nil {
		t.Error("a page of 0 messages was accepted")
	}
	// Before Nov 5: a, b, c, d of each phone (8), at most 5 a call.
	n, err := db.PruneHeld(ctx, at(2026, 11, 5, 0, 0), 5)
	must(t, err)
	if n != 5 {
		t.Errorf("first prune forgot %d, want its limit 5", n)
	}
	n, err = db.PruneHeld(ctx, at(2026, 11, 5, 0, 0), 5)
	must(t, err)
	if n != 3 {
		t.Errorf("second prune forgot %d, want the 3 old ones left", n)
	}
	page, total, err := db.HeldPage(ctx, phone, 0, 100)
	must(t, err)
	if total != 3 || len(page) != 3 || page[0].Text != "e" {
		t.Errorf("after pruning: %d in all, first %+v; want e, f and g", total, page)
	}
}

// TestRecordChatInboundPlainInsert: a store without chat-less ids of the
// transport records a chat's id with a plain insert (the probing form
// copies through a temporary table); a chat-less id recorded later, even
// after the plain form was chosen, is still found, and once the chat-less
// ids are pruned the plain form comes back.
func TestRecordChatInboundPlainInsert(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	var (
		mu    sync.Mutex
		texts []string
	)
	db.TraceStatements(func(q string) {
		mu.Lock()
		defer mu.Unlock()
		texts = append(texts, q)
	})
	defer db.TraceStatements(nil)
	record := func(chat, id string, want bool) (probed bool) {
		t.Helper()
		mu.Lock()
		texts = nil
		mu.Unlock()
		fresh, err := db.RecordChatInbound(ctx, "whatsapp", chat, id, at(2026, 11, 27, 9, 0))
		if err != nil || fresh != want {
			t.Errorf("RecordChatInbound(%s, %s) = %v, %v; want %v", chat, id, fresh, err, want)
		}
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(texts[len(texts)-1], "NOT EXISTS")
	}
	const chat = "98912@s.whatsapp.net"
	if record(chat, "A1", true) {
		t.Error("a store without chat-less ids probed for one")
	}
	if record(chat, "A1", false) {
		t.Error("a redelivery probed for a chat-less id")
	}
	if fresh, err := db.RecordInbound(ctx, "whatsapp", "B1", at(2026, 11, 27, 9, 0)); err != nil || !fresh {
		t.Fatalf("RecordInbound = %v, %v", fresh, err)
	}
	if !record(chat, "B1", false) {
		t.Error("after a chat-less id was recorded, the next record did not probe")
	}
	if _, pruned, _, err := db.PruneInbound(ctx, at(2026, 12, 1, 0, 0), store.InboundKey{}, 100); err != nil || pruned != 2 {
		t.Fatalf("prune: %d, %v; want 2", pruned, err)
	}
	if record(chat, "B1", true) {
		t.Error("after the chat-less ids were pruned, the record still probed")
	}
	// Telegram's ids are all chat-less: a chat's id of that transport probes.
	if _, err := db.RecordInbound(ctx, "telegram", "update:1", at(2026, 11, 27, 9, 0)); err != nil {
		t.Fatal(err)
	}
	if fresh, err := db.RecordChatInbound(ctx, "telegram", "-100", "update:1", at(2026, 11, 27, 9, 0)); err != nil || fresh {
		t.Errorf("a Telegram id recorded without a chat, again in a chat: fresh %v, %v", fresh, err)
	}
}
