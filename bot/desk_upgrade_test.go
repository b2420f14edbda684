package bot

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// before0022 turns a database into what the program before migration
// 0022 kept: the cards, relay marks, parts and failure reports in settings
// keys with values written as it wrote them, and none of 0022's tables.
const before0022 = `
INSERT INTO settings (key, value) SELECT 'card_outbox:' || ticket_id, outbox_id FROM ticket_cards;
INSERT INTO settings (key, value) SELECT 'card_shown:' || ticket_id, shown FROM ticket_cards;
INSERT INTO settings (key, value) SELECT 'relay_outbox:' || outbox_id, ticket_id FROM outbox_relays;
INSERT INTO settings (key, value) SELECT 'wa_relay:' || chat || ':' || message_id, outbox_id FROM message_relays;
INSERT INTO settings (key, value) SELECT 'outbox_report:' || report_id, failed_id FROM outbox_reports;
DROP TABLE ticket_cards;
DROP TABLE outbox_relays;
DROP TABLE message_relays;
DROP TABLE outbox_parts;
DROP TABLE outbox_reports;
-- and undo the migrations after 0022, which that program did not have
-- either (0023: the WhatsApp queue's failure counts)
ALTER TABLE whatsapp_pending DROP COLUMN attempts;
ALTER TABLE whatsapp_pending DROP COLUMN failed_at;
ALTER TABLE whatsapp_pending DROP COLUMN last_error;
DELETE FROM schema_migrations WHERE version >= 22;
`

// downgrade copies db to a new file, rewinds the copy with undo, and
// returns the copy opened again: the migrations after undo's run on it.
func downgrade(t *testing.T, db *sqlite.DB, undo string) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	if err := db.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, undo); err != nil {
		t.Fatal(err)
	}
	var old int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings`).Scan(&old); err != nil || old == 0 {
		t.Fatalf("the old database has %d settings (%v): nothing to carry over", old, err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	up, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	return up
}

// TestUpgradeKeepsCardsAndRelays: on a database the previous program
// wrote, with the card and relay marks in settings, migration 0022 carries
// them over and the desk goes on with them: a claim edits the ticket's own
// card in place, a reply to the card or to a relayed file reaches the
// customer, a reply to a bot message that relays nothing stays internal.
func TestUpgradeKeepsCardsAndRelays(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal,
		store.File{Kind: store.FileImage, Name: "error.png", MIME: "image/png", Bytes: 48211})
	var card, relay int64
	for _, m := range f.outbox(t) {
		switch {
		case m.Kind == store.OutboxCard && m.TicketID == tk.ID:
			card = m.ID
		case m.File != nil && m.TicketID == tk.ID:
			relay = m.ID
		}
	}
	if card == 0 || relay == 0 {
		t.Fatalf("card %d, relayed file %d: the fixture posted neither", card, relay)
	}
	note, err := outbox.Enqueue(context.Background(), f.db, f.at, outbox.Post{To: outbox.StaffGroup, TicketID: tk.ID, Text: "reminder"})
	if err != nil {
		t.Fatal(err)
	}
	f.db = downgrade(t, f.db, before0022)

	e := edits(f.handleAll(t, f.staff("/claim 1")))
	if len(e) != 1 || e[0].Edit != card {
		t.Fatalf("claim after the upgrade: edits %+v, want one of the card %d", e, card)
	}
	for _, c := range []struct {
		name       string
		replyTo    int64
		toCustomer bool
	}{{"the card", card, true}, {"the relayed file", relay, true}, {"a reminder", note, false}} {
		in := f.staff("لطفاً نسخه را بفرمایید")
		in.ReplyTo = c.replyTo
		reached := false
		for _, m := range f.handle(t, in) {
			reached = reached || m.To == string(outbox.WhatsApp(phoneSilver))
		}
		if reached != c.toCustomer {
			t.Errorf("a reply to %s reached the customer: %v, want %v", c.name, reached, c.toCustomer)
		}
	}
}
