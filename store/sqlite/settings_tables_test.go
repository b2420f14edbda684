package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
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

// TestContractEnds: waiting reminders are a set (a second wait changes
// nothing, dropping an absent key is no error), and the hour's count is
// one row, replaced.
func TestContractEnds(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	for _, k := range []string{"b", "a", "b"} {
		must(t, db.WaitContractEnd(ctx, k))
	}
	must(t, db.DropContractEndWaiting(ctx, "c"))
	if got, err := db.ContractEndWaiting(ctx); err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("waiting = %q, %v; want [a b]", got, err)
	}
	must(t, db.DropContractEndWaiting(ctx, "a", "b"))
	if got, err := db.ContractEndWaiting(ctx); err != nil || len(got) != 0 {
		t.Errorf("waiting after drop = %q, %v", got, err)
	}
	must(t, db.SetContractEndHour(ctx, "2026-12-02T08", 3))
	must(t, db.SetContractEndHour(ctx, "2026-12-02T09", 5))
	if h, n, err := db.ContractEndHour(ctx); err != nil || h != "2026-12-02T09" || n != 5 {
		t.Errorf("hour = %q %d %v, want 2026-12-02T09 5", h, n, err)
	}
}
