package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"supportbot/store"
)

// settingsBefore fills a database at the migration before the one under
// test with settings rows as the older program wrote them.
func settingsBefore(t *testing.T, version int, rows map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, version-1)
	for k, v := range rows {
		if _, err := raw.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, k, v); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())
	return path
}

// settingKeys lists the keys left in the settings table.
func settingKeys(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.reader.Query(`SELECT key FROM settings ORDER BY key`)
	must(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		must(t, rows.Scan(&k))
		keys = append(keys, k)
	}
	must(t, rows.Err())
	return keys
}

// TestContractEndMigration: 0019 carries the waiting contract-end
// reminders and the hour's count over from the settings table into their
// own tables, deletes those keys, leaves the others, and reads a malformed
// value as nothing rather than failing the upgrade.
func TestContractEndMigration(t *testing.T) {
	tests := []struct {
		name        string
		rows        map[string]string
		wantWaiting []string
		wantHour    string
		wantSent    int
	}{
		{"both kept", map[string]string{
			"contract_end_waiting": `["contract_end:K-2:7:1405-10-11","contract_end:K-1:30:1405-10-11"]`,
			"contract_end_hour":    "2026-12-02T08 17",
			"outage":               "on",
		}, []string{"contract_end:K-1:30:1405-10-11", "contract_end:K-2:7:1405-10-11"}, "2026-12-02T08", 17},
		{"emptied list", map[string]string{"contract_end_waiting": "", "outage": "on"}, nil, "", 0},
		{"malformed", map[string]string{"contract_end_waiting": "[oops", "contract_end_hour": "17", "outage": "on"}, nil, "", 0},
		{"never set", map[string]string{"outage": "on"}, nil, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := Open(ctx, settingsBefore(t, 19, tt.rows))
			must(t, err)
			defer db.Close()
			got, err := db.ContractEndWaiting(ctx)
			must(t, err)
			if !slices.Equal(got, tt.wantWaiting) {
				t.Errorf("waiting = %q, want %q", got, tt.wantWaiting)
			}
			hour, sent, err := db.ContractEndHour(ctx)
			must(t, err)
			if hour != tt.wantHour || sent != tt.wantSent {
				t.Errorf("hour = %q %d, want %q %d", hour, sent, tt.wantHour, tt.wantSent)
			}
			if keys := settingKeys(t, db); !slices.Equal(keys, []string{"outage"}) {
				t.Errorf("settings left: %q, want only outage", keys)
			}
		})
	}
}

// TestOutboxLinksMigration: 0022 carries the desk's and the transports'
// settings keys about outbox messages over into their tables, reading the
// values as the older program wrote them; keys naming rows that do not
// exist and values that do not parse are dropped, every old key is
// deleted, and other settings stay.
func TestOutboxLinksMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 21)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO customers (id, name) VALUES ('C-1', 'Acme')`)
	exec(`INSERT INTO contracts (id, customer_id, kind, tier) VALUES ('K-1', 'C-1', 'product', 'gold')`)
	for range 2 {
		exec(`INSERT INTO tickets (contract_id, customer_id, status) VALUES ('K-1', 'C-1', 'new')`)
	}
	for range 6 {
		exec(`INSERT INTO outbox (recipient, status) VALUES ('telegram:staff', 'sent')`)
	}
	old := map[string]string{
		"card_outbox:1": "1", "card_shown:1": "card text\x00claim,close\x00",
		"card_outbox:2":  "2", // posted before cards were edited: shown unknown
		"card_outbox:9":  "3", // no such ticket
		"relay_outbox:3": "1", "relay_outbox:4": "2", "relay_outbox:99": "1",
		"wa_relay:+989121111111:3EB0AA": "3",
		"wa_relay:lid:12345:3EB0BB":     "4",
		"wa_relay:broken":               "4",
		"telegram_parts:5":              "-1001234:101,102,103",
		"telegram_part:-1001234:102":    "5",
		"telegram_part:-1001234:103":    "5",
		"telegram_parts:6":              "garbage",
		"whatsapp_parts:4":              "3EB0C1,3EB0C2",
		"outbox_report:6":               "5",
		"outbox_report:77":              "5",
		"outage":                        "on",
		"telegram_offset":               "4711",
	}
	for k, v := range old {
		exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, k, v)
	}
	must(t, raw.Close())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	cards := []struct {
		ticket int64
		want   store.Card
		err    error
	}{
		{1, store.Card{TicketID: 1, OutboxID: 1, Shown: "card text\x00claim,close\x00"}, nil},
		{2, store.Card{TicketID: 2, OutboxID: 2}, nil},
		{9, store.Card{}, store.ErrNotFound},
	}
	for _, c := range cards {
		got, err := db.Card(ctx, c.ticket)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("Card(%d) = %+v, %v; want %+v, %v", c.ticket, got, err, c.want, c.err)
		}
	}
	for id, want := range map[int64]bool{3: true, 4: true, 5: false, 99: false} {
		if got, err := db.IsRelay(ctx, id); err != nil || got != want {
			t.Errorf("IsRelay(%d) = %v, %v; want %v", id, got, err, want)
		}
	}
	relays := []struct {
		chat, msg string
		want      int64
	}{{"+989121111111", "3EB0AA", 3}, {"lid:12345", "3EB0BB", 4}, {"lid", "12345:3EB0BB", 0}}
	for _, r := range relays {
		got, err := db.MessageRelay(ctx, r.chat, r.msg)
		if got != r.want || (r.want == 0) != errors.Is(err, store.ErrNotFound) {
			t.Errorf("MessageRelay(%s, %s) = %d, %v; want %d", r.chat, r.msg, got, err, r.want)
		}
	}
	if got, err := db.OutboxParts(ctx, 5, "-1001234"); err != nil || !slices.Equal(got, []string{"101", "102", "103"}) {
		t.Errorf("Telegram parts of 5 = %q, %v", got, err)
	}
	for _, part := range []string{"101", "102", "103"} {
		if id, err := db.OutboxByPart(ctx, "-1001234", part); err != nil || id != 5 {
			t.Errorf("OutboxByPart(%s) = %d, %v; want 5", part, id, err)
		}
	}
	if got, err := db.OutboxParts(ctx, 6, ""); err != nil || len(got) != 0 {
		t.Errorf("parts of a garbled value = %q, %v; want none", got, err)
	}
	if got, err := db.OutboxParts(ctx, 4, ""); err != nil || !slices.Equal(got, []string{"3EB0C1", "3EB0C2"}) {
		t.Errorf("WhatsApp parts of 4 = %q, %v", got, err)
	}
	for id, want := range map[int64]bool{6: true, 5: false, 77: false} {
		if got, err := db.IsOutboxReport(ctx, id); err != nil || got != want {
			t.Errorf("IsOutboxReport(%d) = %v, %v; want %v", id, got, err, want)
		}
	}
	if keys := settingKeys(t, db); !slices.Equal(keys, []string{"outage", "telegram_offset"}) {
		t.Errorf("settings left: %q", keys)
	}
}

// TestKeyedSettingsMigration: 0024 carries unknown contacts' cards,
// told-once marks, staff names, group migrations and reposted messages over
// from settings keys into their tables, and deletes the keys.
func TestKeyedSettingsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 23)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for range 3 {
		exec(`INSERT INTO outbox (recipient, status) VALUES ('telegram:staff', 'sent')`)
	}
	old := map[string]string{
		"unknown_card_of:1":              "+989121111111",
		"unknown_card_of:2":              "lid:12345",
		"unknown_card_of:3":              "+989121111111",
		"unknown_card:+989121111111":     "2026-12-01 3",
		"unknown_card:lid:12345":         "2026-11-30 2",
		"reveal_told:lid:12345 +9891222": "2026-12-01T10:00:00Z",
		"whatsapp_told:call:ABC":         "2026-12-01T10:05:00Z",
		"whatsapp_told:garbled":          "yesterday",
		"telegram_staff_name:1001":       "Sara",
		"telegram_migrated:-1234":        "-1001234",
		"telegram_moved:2":               "-1001234:77",
		"outage":                         "on",
	}
	for k, v := range old {
		exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, k, v)
	}
	must(t, raw.Close())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	cards := []struct {
		outbox int64
		want   store.UnknownCard
	}{
		{1, store.UnknownCard{OutboxID: 1, Contact: "+989121111111"}},
		{2, store.UnknownCard{OutboxID: 2, Contact: "lid:12345", Day: "2026-11-30"}},
		{3, store.UnknownCard{OutboxID: 3, Contact: "+989121111111", Day: "2026-12-01"}},
	}
	for _, c := range cards {
		if got, err := db.UnknownCard(ctx, c.outbox); err != nil || got != c.want {
			t.Errorf("UnknownCard(%d) = %+v, %v; want %+v", c.outbox, got, err, c.want)
		}
	}
	if got, err := db.LatestUnknownCard(ctx, "+989121111111"); err != nil || got != cards[2].want {
		t.Errorf("LatestUnknownCard = %+v, %v; want %+v", got, err, cards[2].want)
	}
	for key, told := range map[string]bool{"reveal_told:lid:12345 +9891222": true, "whatsapp_told:call:ABC": true, "whatsapp_told:garbled": false} {
		fresh, err := db.RecordNotice(ctx, key, at(2026, 12, 2, 9, 0))
		if err != nil || fresh == told {
			t.Errorf("RecordNotice(%s) after the migration = %v, %v; want fresh %v", key, fresh, err, !told)
		}
	}
	if n, err := db.StaffName(ctx, 1001); err != nil || n != "Sara" {
		t.Errorf("StaffName = %q, %v", n, err)
	}
	if to, err := db.ChatMigration(ctx, -1234); err != nil || to != -1001234 {
		t.Errorf("ChatMigration = %d, %v", to, err)
	}
	if ext, err := db.OutboxRepost(ctx, 2); err != nil || ext != "-1001234:77" {
		t.Errorf("OutboxRepost = %q, %v", ext, err)
	}
	if keys := settingKeys(t, db); !slices.Equal(keys, []string{"outage"}) {
		t.Errorf("settings left: %q", keys)
	}
}

// TestTopicsUnreadMigration: 0025 carries tickets' forum topics (titles
// with colons too), the topics' tickets and the messages waiting for their
// read receipt over from settings keys, and deletes the keys.
func TestTopicsUnreadMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 24)
	old := map[string]string{
		"telegram_topic:12":                 "-1001234:77:تیکت ۱۲ · شرکت: نمونه · problem",
		"telegram_topic:13":                 "-1001234:0:تیکت ۱۳",
		"telegram_topic:14":                 "garbled",
		"telegram_topic_ticket:-1001234:77": "12",
		"telegram_topic_ticket:-1001234:55": "13",
		"whatsapp_unread:+989121111111":     `[{"id":"A1","chat":"989121111111@s.whatsapp.net","sender":"989121111111@s.whatsapp.net"},{"id":"A2","chat":"989121111111@s.whatsapp.net","sender":"989121111111@s.whatsapp.net"}]`,
		"whatsapp_unread:+989122222222":     "",
		"whatsapp_unread:lid:1":             "[oops",
		"outage":                            "on",
	}
	for k, v := range old {
		if _, err := raw.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, k, v); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())
	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	topics := []struct {
		ticket int64
		want   store.Topic
		err    error
	}{
		{12, store.Topic{TicketID: 12, Chat: -1001234, Thread: 77, Title: "تیکت ۱۲ · شرکت: نمونه · problem"}, nil},
		{13, store.Topic{TicketID: 13, Chat: -1001234, Title: "تیکت ۱۳"}, nil},
		{14, store.Topic{}, store.ErrNotFound},
	}
	for _, tt := range topics {
		if got, err := db.Topic(ctx, tt.ticket); got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Topic(%d) = %+v, %v; want %+v, %v", tt.ticket, got, err, tt.want, tt.err)
		}
	}
	for thread, want := range map[int]int64{77: 12, 55: 13} {
		if got, err := db.TopicTicket(ctx, -1001234, thread); err != nil || got != want {
			t.Errorf("TopicTicket(%d) = %d, %v; want %d", thread, got, err, want)
		}
	}
	want := []store.UnreadMessage{
		{ID: "A1", Chat: "989121111111@s.whatsapp.net", Sender: "989121111111@s.whatsapp.net"},
		{ID: "A2", Chat: "989121111111@s.whatsapp.net", Sender: "989121111111@s.whatsapp.net"},
	}
	if got, err := db.Unread(ctx, "+989121111111"); err != nil || !slices.Equal(got, want) {
		t.Errorf("Unread = %+v, %v; want %+v", got, err, want)
	}
	for _, addr := range []string{"+989122222222", "lid:1"} {
		if got, err := db.Unread(ctx, addr); err != nil || len(got) != 0 {
			t.Errorf("Unread(%s) = %+v, %v; want none", addr, got, err)
		}
	}
	if keys := settingKeys(t, db); !slices.Equal(keys, []string{"outage"}) {
		t.Errorf("settings left: %q", keys)
	}
}
