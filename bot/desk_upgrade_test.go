package bot

import (
	"context"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// before0022 writes what the program before migration 0022 kept of the
// cards, relay marks and failure reports: settings keys with values as it
// wrote them (sqlitetest.Rewind).
const before0022 = `
INSERT INTO settings (key, value) SELECT 'card_outbox:' || ticket_id, outbox_id FROM current.ticket_cards;
INSERT INTO settings (key, value) SELECT 'card_shown:' || ticket_id, shown FROM current.ticket_cards;
INSERT INTO settings (key, value) SELECT 'relay_outbox:' || outbox_id, ticket_id FROM current.outbox_relays;
INSERT INTO settings (key, value) SELECT 'wa_relay:' || chat || ':' || message_id, outbox_id FROM current.message_relays;
INSERT INTO settings (key, value) SELECT 'outbox_report:' || report_id, failed_id FROM current.outbox_reports;
`

// upgraded opens a copy of db as the program before migration version
// would have left it (sqlitetest.Rewind with undo): the later migrations
// run on it.
func upgraded(t *testing.T, db *sqlite.DB, version int, undo string) *sqlite.DB {
	t.Helper()
	up, err := sqlite.Open(context.Background(), sqlitetest.Rewind(t, db, version-1, undo))
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
	f.db = upgraded(t, f.db, 22, before0022)

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

// before0024 writes what the program before migration 0024 kept of
// unknown contacts' cards and staff names: settings keys.
const before0024 = `
INSERT INTO settings (key, value) SELECT 'unknown_card_of:' || outbox_id, contact FROM current.unknown_cards;
INSERT INTO settings (key, value) SELECT 'unknown_card:' || contact, day || ' ' || outbox_id FROM current.unknown_cards;
INSERT INTO settings (key, value) SELECT 'telegram_staff_name:' || user_id, name FROM current.staff_names;
`

// TestUpgradeKeepsUnknownCardsAndNames: after migration 0024 carried the
// old keys over, a second message of an unknown number that day goes under
// its card, `/link CUSTOMER_ID` in reply to the card links the number, and
// a claim names the staff member the bot knew by name.
func TestUpgradeKeepsUnknownCardsAndNames(t *testing.T) {
	f := newDeskFixture(t)
	ctx := context.Background()
	const stranger = "+989370009999"
	if err := f.db.InTx(ctx, func(tx store.Store) error {
		return f.desk.UnknownContact(ctx, tx, stranger, "سلام، از شرکت نمونه یک هستم", f.at)
	}); err != nil {
		t.Fatal(err)
	}
	card := f.outbox(t)[0].ID
	f.handle(t, f.staff("سلام همکاران")) // the desk learns Sara's name
	f.db = upgraded(t, f.db, 24, before0024)

	before := len(f.outbox(t))
	if err := f.db.InTx(ctx, func(tx store.Store) error {
		return f.desk.UnknownContact(ctx, tx, stranger, "لطفاً تماس بگیرید", f.at.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if more := f.outbox(t)[before:]; len(more) != 1 || more[0].ReplyTo != card {
		t.Fatalf("the second message after the upgrade: %+v, want one under the card %d", more, card)
	}
	in := f.staff("/link P-1")
	in.ReplyTo = card
	f.handle(t, in)
	if c, err := f.db.CustomerByPhone(ctx, stranger); err != nil || c.ID != "P-1" {
		t.Errorf("/link in reply to the card after the upgrade: %+v, %v; want the number linked to P-1", c, err)
	}
	if name, err := f.db.StaffName(ctx, staffSara); err != nil || name != "Sara" {
		t.Errorf("Sara's name after the upgrade: %q, %v", name, err)
	}
}
