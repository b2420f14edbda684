package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
)

func noEnv(string) string { return "" }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The shipped example must say exactly what the code defaults to, or the
// documentation lies.
func TestExampleConfigIsTheDefault(t *testing.T) {
	cfg, err := LoadConfig("../../config.example.yaml", true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.dir, _ = filepath.Abs("../..")
	want.Resolve(want.dir)
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config.example.yaml differs from DefaultConfig:\n got %+v\nwant %+v", cfg, want)
	}
	if !reflect.DeepEqual(rules.Tiers(cfg.Tiers), rules.DefaultTiers()) {
		t.Error("config.example.yaml tiers differ from rules.DefaultTiers")
	}
}

func TestMissingDefaultConfigUsesShippedValues(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join(t.TempDir(), "config.yaml"), false, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, DefaultConfig()) {
		t.Error("absent config.yaml did not give the defaults")
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "named.yaml"), true, noEnv); err == nil {
		t.Error("a config file named with -config that does not exist must be an error")
	}
}

func TestPartialConfigKeepsOtherDefaults(t *testing.T) {
	path := writeFile(t, "c.yaml", `
telegram:
  managers: [2001]
tiers:
  product:
    bronze:
      monthly_requests: 7
office_hours:
  saturday: ["08:30-12:30", "13:30-17:30"]
  sunday: ["08:30-17:30"]
`)
	cfg, err := LoadConfig(path, true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Telegram.Managers; !reflect.DeepEqual(got, []int64{2001}) {
		t.Errorf("managers = %v", got)
	}
	bronze := cfg.Tiers[rules.KindProduct][rules.TierBronze]
	if bronze.MonthlyRequests != 7 || bronze.ResponseDays != 3 || bronze.Reinstalls != 1 {
		t.Errorf("bronze = %+v, want monthly 7 and the other defaults", bronze)
	}
	if got := cfg.Tiers[rules.KindProduct][rules.TierGold].MonthlyRequests; got != -1 {
		t.Errorf("gold monthly = %d, want the default -1", got)
	}
	if cfg.FallbackPhone != "09198906850" {
		t.Errorf("fallback phone = %q", cfg.FallbackPhone)
	}
	loc, _ := cfg.Location()
	cal, err := cfg.Calendar(loc)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cal.Office[time.Saturday]); got != 2 {
		t.Errorf("saturday has %d intervals, want 2 (lunch break)", got)
	}
	// A file changes the days it names; the rest of the week stays open.
	if got := cal.Office[time.Monday]; len(got) != 1 || got[0] != (rules.Interval{Start: 8*60 + 30, End: 17*60 + 30}) {
		t.Errorf("monday = %v, want the shipped 08:30-17:30", got)
	}
}

func TestEnvironmentOverridesSecrets(t *testing.T) {
	path := writeFile(t, "c.yaml", "telegram:\n  token: from-file\n")
	env := map[string]string{EnvTelegramToken: "from-env", EnvDatabase: "/tmp/x.db"}
	cfg, err := LoadConfig(path, true, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Telegram.Token != "from-env" || cfg.Database != "/tmp/x.db" {
		t.Errorf("token %q database %q", cfg.Telegram.Token, cfg.Database)
	}
}

func TestBadConfigNamesTheField(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "telegramm:\n  token: x\n", "telegramm"},
		{"unknown tier field", "tiers:\n  product:\n    gold:\n      monthly: 3\n", "tiers.product.gold: unknown field"},
		{"bad tier value", "tiers:\n  product:\n    gold:\n      response_days: 0\n", "tiers.product.gold.response_days"},
		{"bad interval", "office_hours:\n  saturday: [\"17:30-08:30\"]\n", "office_hours.saturday[0]"},
		{"bad clock", "office_hours:\n  saturday: [\"8-17\"]\n", "office_hours.saturday[0]"},
		{"overlap", "office_hours:\n  saturday: [\"08:00-12:00\", \"11:00-17:00\"]\n", "office_hours.saturday: intervals overlap"},
		{"bad weekday", "contact_hours:\n  shanbe: [\"08:30-17:30\"]\n", "contact_hours.shanbe"},
		{"bad holiday", "holidays:\n  add: [\"1405/13/01\"]\n", "holidays.add[0]"},
		{"bad phone", "fallback_phone: \"12345\"\n", "fallback_phone"},
		{"bad timezone", "timezone: Mars/Olympus\n", "timezone"},
		{"bad language", "language: de\n", "language"},
		{"bad duration", "conversation:\n  idle_timeout: soon\n", "not a duration"},
		{"short idle", "conversation:\n  idle_timeout: 10s\n", "conversation.idle_timeout"},
		{"id retention under WhatsApp's window", "retention:\n  inbound_ids_days: 30\n", "retention.inbound_ids_days"},
		{"negative id retention", "retention:\n  inbound_ids_days: -1\n", "retention.inbound_ids_days"},
		{"sync off", "storage:\n  sync: \"off\"\n", "storage.sync"},
		{"sync empty", "storage:\n  sync: \"\"\n", "storage.sync"},
		{"probe too often", "storage:\n  probe_every: 10ms\n", "storage.probe_every"},
		{"negative free space", "storage:\n  min_free_mb: -1\n", "storage.min_free_mb"},
		{"bad endpoint", "telegram:\n  api_endpoint: http://x/\n", "telegram.api_endpoint"},
		{"bad manager", "telegram:\n  managers: [0]\n", "telegram.managers[0]"},
		{"bad cron", "schedule:\n  digest: \"every morning\"\n", "schedule.digest"},
		{"bad reminder days", "schedule:\n  contract_end_reminders: [0]\n", "schedule.contract_end_reminders[0]"},
		{"hourly cap", "hourly:\n  month_cap_percent: 0\n", "hourly.month_cap_percent"},
		{"negative reminder cap", "schedule:\n  contract_end_per_hour: -1\n", "schedule.contract_end_per_hour"},
		{"bad mark_read", "whatsapp:\n  mark_read: later\n", "whatsapp.mark_read"},
		{"empty mark_read", "whatsapp:\n  mark_read: \"\"\n", "whatsapp.mark_read"},
		{"no queue attempts", "whatsapp:\n  queue_attempts: 0\n", "whatsapp.queue_attempts"},
		{"give-up too soon", "whatsapp:\n  queue_give_up_after: 10s\n", "whatsapp.queue_give_up_after"},
		{"stuck after a week", "whatsapp:\n  queue_stuck_after: 168h\n", "whatsapp.queue_stuck_after"},
		{"not yaml", "timezone: [\n", "c.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(writeFile(t, "c.yaml", tt.yaml), true, noEnv)
			if err == nil {
				t.Fatalf("no error for %q", tt.yaml)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestTehranZoneIsPlusThreeThirty(t *testing.T) {
	loc, err := DefaultConfig().Location()
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)} {
		if _, off := at.In(loc).Zone(); off != 3*3600+1800 {
			t.Errorf("offset at %s = %d, want +03:30", at, off)
		}
	}
}

func TestMissingHolidayYear(t *testing.T) {
	loc := time.FixedZone("Asia/Tehran", 3*3600+1800)
	cal := rules.DefaultCalendar(loc)
	tests := []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 11, 27, 12, 0, 0, 0, loc), 0},   // 1405, and 1405/1406 ahead: shipped
		{time.Date(2027, 12, 1, 12, 0, 0, 0, loc), 0},    // 1406, 90 days on still 1406
		{time.Date(2028, 1, 15, 12, 0, 0, 0, loc), 1407}, // 90 days on is 1407: warn ahead
		{time.Date(2028, 6, 1, 12, 0, 0, 0, loc), 1407},  // inside 1407
	}
	for _, tt := range tests {
		if got := missingHolidayYear(cal, tt.now); got != tt.want {
			t.Errorf("at %s: missing year %d, want %d", tt.now.Format(time.DateOnly), got, tt.want)
		}
	}
}
