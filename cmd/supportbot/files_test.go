package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func notExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s exists (err %v); nothing should have been created", path, err)
	}
}

// Relative paths in a config file are relative to its folder, whatever the
// current folder; what the bot creates there is private.
func TestConfigPathsAreRelativeToTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "etc", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("database: ../data/desk.db\nfiles_dir: ../data/files\nwhatsapp:\n  session_db: ../data/session.db\n  media_dir: ../data/media\ntelegram:\n  token: \"1:x\"\n  staff_chat_id: -100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := writeFile(t, "c.csv", goodCSV)
	mustRun(t, "import", "-config", cfg, csv)
	db := filepath.Join(dir, "data", "desk.db")
	if got := mode(t, db); got != 0o600 {
		t.Errorf("database mode %o, want 600", got)
	}
	if got := mode(t, filepath.Join(dir, "data")); got != 0o700 {
		t.Errorf("database folder mode %o, want 700", got)
	}
	for _, side := range []string{db + "-wal", db + "-shm"} {
		if _, err := os.Stat(side); err == nil && mode(t, side) != 0o600 {
			t.Errorf("%s mode %o, want 600", side, mode(t, side))
		}
	}
	notExist(t, "desk.db")
	notExist(t, filepath.Join(dir, "etc", "desk.db"))

	r := runMain(t, "check-config", "-config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, db) {
		t.Errorf("check-config: exit %d, %q does not name %s", r.code, r.stdout, db)
	}
	s, err := (&common{configPath: cfg}).loadFrom(cfg, true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"files_dir":           filepath.Join(dir, "data", "files"),
		"whatsapp.session_db": filepath.Join(dir, "data", "session.db"),
		"whatsapp.media_dir":  filepath.Join(dir, "data", "media"),
	}
	got := map[string]string{"files_dir": s.filesDir(), "whatsapp.session_db": s.cfg.WhatsApp.SessionDB, "whatsapp.media_dir": s.cfg.WhatsApp.MediaDir}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
}

// Commands that only read refuse a database that is not there, and leave
// nothing behind; a missing import file creates nothing either.
func TestMissingDatabaseIsRefusedAndNotCreated(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "typo.db")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("database: elsewhere.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		file string // the database that must not appear
		want string
	}{
		{"export -db", []string{"export", "-db", missing}, missing, "does not exist"},
		{"export from the config's folder", []string{"export", "-config", cfg}, filepath.Join(dir, "elsewhere.db"), "database in " + cfg},
		{"backup", []string{"backup", "-db", missing, filepath.Join(dir, "b.db")}, missing, "does not exist"},
		{"import of a missing file", []string{"import", "-db", missing, filepath.Join(dir, "nope.csv")}, missing, "nope.csv"},
		{"replay with a missing contracts file", []string{"replay", "-db", missing, "-contracts", filepath.Join(dir, "nope.csv"), "-script", writeFile(t, "s.jsonl", "{\"at\":\"2026-11-28T09:00:00+03:30\"}\n")}, missing, "nope.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.args...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1; stderr %q", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", r.stderr, tt.want)
			}
			notExist(t, tt.file)
			notExist(t, filepath.Dir(missing))
			notExist(t, filepath.Join(dir, "b.db"))
		})
	}
}

// Backups are as private as the database, and an existing database left
// world-readable by an older version is tightened when opened.
func TestBackupAndOldDatabaseArePrivate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	mustRun(t, "import", "-db", db, writeFile(t, "c.csv", goodCSV))
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "b.db")
	mustRun(t, "backup", "-db", db, backup)
	if got := mode(t, backup); got != 0o600 {
		t.Errorf("backup mode %o, want 600", got)
	}
	mustRun(t, "import", "-db", db, writeFile(t, "c.csv", goodCSV))
	if got := mode(t, db); got != 0o600 {
		t.Errorf("database mode after opening %o, want 600", got)
	}
}

// A second `run` on the same database is refused and names the first.
func TestSecondRunIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("database: s.db\ntelegram:\n  token: \"1:x\"\n  staff_chat_id: -100\n  api_endpoint: \"http://127.0.0.1:1/bot%s/%s\"\nwhatsapp:\n  enabled: false\nmetrics:\n  listen: \"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	first, err := acquireRunLock(db)
	if err != nil {
		t.Fatal(err)
	}
	r := runMain(t, "run", "-config", cfg)
	if r.code != 1 || !strings.Contains(r.stderr, "already in use") || !strings.Contains(r.stderr, "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second run: exit %d, stderr %q; want 1 and the first one's pid", r.code, r.stderr)
	}
	notExist(t, db)
	if got := mode(t, lockPath(db)); got != 0o600 {
		t.Errorf("lock file mode %o", got)
	}
	if err := first.release(); err != nil {
		t.Fatal(err)
	}
	// Released, the lock is free again: here run gets past it and keeps
	// trying the unreachable Bot API (it runs without Telegram) until
	// stopped.
	// Stopped as soon as it says so, however slowly this machine starts it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"run", "-config", cfg}, strings.NewReader(""), &out, &errb, noEnv)
	}()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !strings.Contains(errb.String(), "cannot reach Telegram"); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	code := <-done
	if code != 0 || strings.Contains(errb.String(), "already in use") || !strings.Contains(errb.String(), "cannot reach Telegram") {
		t.Errorf("run after release: exit %d, stderr %q", code, errb.String())
	}
}

// One weekday changed leaves the others as shipped; closed and [] close a day.
func TestWeekIsMergedByDay(t *testing.T) {
	tests := []struct {
		name, yaml string
		office     map[time.Weekday]string // "" closed
	}{
		{"one day shorter", "office_hours:\n  wednesday: [\"08:30-13:00\"]\n",
			map[time.Weekday]string{time.Saturday: "510-1050", time.Tuesday: "510-1050", time.Wednesday: "510-780", time.Thursday: "", time.Friday: ""}},
		{"a day closed", "office_hours:\n  Sunday: closed\n",
			map[time.Weekday]string{time.Saturday: "510-1050", time.Sunday: "", time.Monday: "510-1050"}},
		{"a day closed by an empty list", "office_hours:\n  monday: []\n  thursday: \"09:00-12:00\"\n",
			map[time.Weekday]string{time.Monday: "", time.Thursday: "540-720", time.Wednesday: "510-1050"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeFile(t, "c.yaml", tt.yaml), true, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := cfg.Location()
			cal, err := cfg.Calendar(loc)
			if err != nil {
				t.Fatal(err)
			}
			for day, want := range tt.office {
				got := ""
				for _, iv := range cal.Office[day] {
					got += strconv.Itoa(iv.Start) + "-" + strconv.Itoa(iv.End)
				}
				if got != want {
					t.Errorf("%s: %q, want %q", day, got, want)
				}
			}
			if got := len(cal.Contact[time.Thursday]); got != 1 {
				t.Errorf("contact hours on Thursday: %d spans; office_hours must not touch contact_hours", got)
			}
		})
	}
	// The case: a Saturday ticket keeps a Saturday deadline.
	cfg, err := LoadConfig(writeFile(t, "c.yaml", "office_hours:\n  wednesday: [\"08:30-13:00\"]\n"), true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := cfg.Location()
	cal, _ := cfg.Calendar(loc)
	opened := time.Date(2026, 11, 28, 9, 0, 0, 0, loc) // a Saturday
	if due := cal.BusinessDeadline(opened, 1); due.Weekday() != time.Sunday {
		t.Errorf("a 1-day ticket opened Saturday 09:00 is due %s, want Sunday", due)
	}
}

// A tier changed in one field keeps every other field and tier.
func TestTiersAreMergedByKey(t *testing.T) {
	cfg, err := LoadConfig(writeFile(t, "c.yaml", "tiers:\n  product:\n    silver:\n      monthly_requests: 12\n"), true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	def := rules.DefaultTiers()
	got, want := cfg.Tiers[rules.KindProduct][rules.TierSilver], def[rules.KindProduct][rules.TierSilver]
	want.MonthlyRequests = 12
	if got.MonthlyRequests != 12 || got.ResponseDays != want.ResponseDays || len(got.Kinds) != len(want.Kinds) || got.Remote != want.Remote {
		t.Errorf("silver = %+v, want %+v", got, want)
	}
	if len(cfg.Tiers[rules.KindProject]) != len(def[rules.KindProject]) || cfg.Tiers[rules.KindProduct][rules.TierGold].Onsite != 4 {
		t.Error("other tiers changed")
	}
}

// check-config -v shows the week and tiers after the merge.
func TestCheckConfigVerbosePrintsTheEffectiveWeek(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "office_hours:\n  wednesday: [\"08:30-13:00\"]\ntiers:\n  product:\n    silver:\n      monthly_requests: 12\ntelegram:\n  token: \"1:x\"\n  staff_chat_id: -100\n")
	out := mustRun(t, "check-config", "-v", "-config", cfg)
	for _, want := range []string{
		"saturday        08:30-17:30           08:30-17:30",
		"wednesday       08:30-13:00           08:30-17:30",
		"thursday        closed                08:30-17:30",
		"product.silver: response 2 days, 12 requests a month",
		"product.bronze: response 3 days, 5 requests a month",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check-config -v lacks %q:\n%s", want, out)
		}
	}
}

// Config errors are said in the file's words, with the line.
func TestConfigErrorsSayTheLine(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"telegram:\n  staff_chat_id: abc\n", `c.yaml:2: telegram.staff_chat_id: "abc" is not a whole number`},
		{"whatsapp:\n  enabled: maybe\n", `c.yaml:2: whatsapp.enabled: "maybe" is not true or false`},
		{"telegram: [1]\n", "c.yaml:1: telegram: want a mapping"},
		{"holidays:\n  add: 1405/01/01\n", `c.yaml:2: holidays.add: "1405/01/01" is not a list`},
		{"language: fa\nlimits:\n  max_text_chars: 10\n", "c.yaml:3: limits.max_text_chars: 10 is not between"},
		{"office_hours:\n  shanbe: closed\n", `c.yaml:2: office_hours.shanbe: "shanbe" is not a weekday`},
		{"\xff\xfet\x00z\x00:\x00", "UTF-16"},
		{"telegram:\n  proxy: ftp://p:21\n", "c.yaml:2: telegram.proxy: \"ftp://p:21\": the scheme must be"},
		{"whatsapp:\n  proxy: socks5h://p\n", "c.yaml:2: whatsapp.proxy"},
	}
	for _, tt := range tests {
		_, err := LoadConfig(writeFile(t, "c.yaml", tt.yaml), true, noEnv)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
			continue
		}
		for _, goWord := range []string{"int64", "main.", "!!", "unmarshal"} {
			if strings.Contains(err.Error(), goWord) {
				t.Errorf("%q: error %q shows %q", tt.yaml, err, goWord)
			}
		}
	}
	if _, err := LoadConfig(writeFile(t, "c.yaml", "\ufefflanguage: en\n"), true, noEnv); err != nil {
		t.Errorf("a config with a byte-order mark: %v", err)
	}
}
