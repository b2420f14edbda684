package bot

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"supportbot/store"
	"supportbot/store/sqlite/sqlitetest"
)

// The phone state the look at the menu read is handed to the
// conversation's first read of that phone only; every other read goes to
// the store.
func TestPhoneStateHandedOnOnce(t *testing.T) {
	ctx := context.Background()
	db := sqlitetest.Open(t, filepath.Join(t.TempDir(), "phone.db"))
	at := time.Date(2026, 11, 29, 6, 30, 0, 0, time.UTC)
	save := func(state string) {
		t.Helper()
		if err := db.SaveSession(ctx, store.Session{Phone: "+989121111111", State: state, UpdatedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(st store.Store, phone string) string {
		t.Helper()
		ps, err := st.(store.PhoneStates).PhoneState(ctx, phone)
		if err != nil {
			t.Fatal(err)
		}
		return ps.Session.State
	}
	save("menu")
	seen := &phoneSeen{tx: db}
	if got := read(seen.recording(), "+989121111111"); got != "menu" {
		t.Fatalf("recorded read = %q", got)
	}
	save("kind") // what the conversation itself might write later
	conv := seen.handedOn()
	for i, want := range []struct{ phone, state string }{
		{"+989122222222", ""},     // another phone: read
		{"+989121111111", "menu"}, // the first read of the phone: what was seen
		{"+989121111111", "kind"}, // then the store
	} {
		if got := read(conv, want.phone); got != want.state {
			t.Errorf("read %d of %s = %q, want %q", i, want.phone, got, want.state)
		}
	}
	// Nothing seen: the conversation reads the store.
	if st := (&phoneSeen{tx: db}).handedOn(); st != store.Store(db) {
		t.Errorf("handedOn without a recorded read = %T, want the store itself", st)
	}
}
