package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// managersConfig names manager 2001, so breach alerts and digests have
// someone to go to.
const managersConfig = "telegram:\n  managers: [2001]\n"

// replayLines runs a replay phase and decodes its output lines.
func replayLines(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out := mustRun(t, append([]string{"replay"}, args...)...)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

// TestReplayFiresDeadlineJobs opens a gold ticket (one business day) on
// Wednesday 16:00 and moves the clock over the weekend: the reminders, the
// breach alert and Saturday's digest come out at their instants, once.
func TestReplayFiresDeadlineJobs(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	cfg := writeFile(t, "config.yaml", managersConfig)
	csv := writeFile(t, "contracts.csv", goodCSV)
	script := writeFile(t, "s.jsonl", strings.Join([]string{
		`{"at":"2026-11-25T16:00:00+03:30","whatsapp":"09121230001","text":"سلام"}`,
		`{"at":"2026-11-25T16:00:10+03:30","whatsapp":"09121230001","text":"۱"}`,
		`{"at":"2026-11-25T16:00:20+03:30","whatsapp":"09121230001","text":"2"}`,
		`{"at":"2026-11-25T16:00:30+03:30","whatsapp":"09121230001","text":"خروجی اکسل کجاست؟"}`,
		`{"at":"2026-11-29T09:00:00+03:30"}`,
	}, "\n"))
	lines := replayLines(t, "-config", cfg, "-db", db, "-contracts", csv, "-script", script)

	type line struct{ at, to, kind string }
	var got []line
	for _, m := range lines {
		text, _ := m["text"].(string)
		kind := ""
		switch {
		case m["ticket"] == 1.0 && strings.HasPrefix(text, "⏰"):
			kind = "reminder"
		case m["ticket"] == 1.0 && strings.HasPrefix(text, "⛔"):
			kind = "breach"
		case m["to"] == "telegram:user:2001" && m["file"] != nil:
			kind = "chart"
		case m["to"] == "telegram:user:2001":
			kind = "digest"
		default:
			continue
		}
		got = append(got, line{m["at"].(string), m["to"].(string), kind})
	}
	want := []line{
		{"2026-11-28T08:00:00+03:30", "telegram:user:2001", "digest"},
		{"2026-11-28T08:00:00+03:30", "telegram:user:2001", "chart"},
		{"2026-11-28T14:00:30+03:30", "telegram:staff", "reminder"},
		{"2026-11-28T15:30:30+03:30", "telegram:staff", "reminder"},
		{"2026-11-28T16:00:30+03:30", "telegram:staff", "breach"},
		{"2026-11-28T16:00:30+03:30", "telegram:user:2001", "breach"},
		{"2026-11-29T08:00:00+03:30", "telegram:user:2001", "digest"},
		{"2026-11-29T08:00:00+03:30", "telegram:user:2001", "chart"},
	}
	if len(got) != len(want) {
		t.Fatalf("scheduled lines:\n%v\nwant\n%v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
	for _, m := range lines {
		if f, ok := m["file"].(map[string]any); ok {
			if name, _ := f["name"].(string); !strings.HasPrefix(name, "sla-") || f["kind"] != "image" {
				t.Errorf("chart file %v", f)
			}
		}
	}
	// files_dir is relative to the config file's folder, not the database's.
	charts, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), "files", "sla-*.png"))
	if len(charts) != 2 {
		t.Errorf("charts kept in the config's files_dir: %v, want 2", charts)
	}

	// A second phase on the same database, as after a restart: nothing
	// already sent goes out again.
	again := writeFile(t, "s2.jsonl", `{"at":"2026-11-29T12:00:00+03:30"}`+"\n")
	for _, m := range replayLines(t, "-config", cfg, "-db", db, "-script", again) {
		if m["ticket"] == 1.0 {
			t.Errorf("second phase repeated %v", m)
		}
	}
	snap := export(t, db, "2026-11-29T12:00:00+03:30")
	tk := snap["tickets"].([]any)[0].(map[string]any)
	if tk["breached"] != true || tk["first_response_due"] != "2026-11-28T16:00:30+03:30" {
		t.Errorf("ticket %v", tk)
	}
}

// TestReplaySettlesHourlyPackages moves the clock over the end of Azar and
// the end of the Jalali year: the month-end minimum and the expiry show in
// the export.
func TestReplaySettlesHourlyPackages(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	csv := writeFile(t, "contracts.csv", goodCSV+
		"C-3,شرکت سه,Tehran,989121230003,K-5,hourly,h100,بسته دوم,1405/08/01,,,K-3,\n")
	script := writeFile(t, "s.jsonl", `{"at":"2026-12-21T12:00:00+03:30"}`+"\n"+`{"at":"2026-12-22T09:00:00+03:30"}`+"\n")
	mustRun(t, "replay", "-db", db, "-contracts", csv, "-script", script)

	usage := func(at string) (map[string]any, []any) {
		for _, c := range export(t, db, at)["contracts"].([]any) {
			if m := c.(map[string]any); m["id"] == "K-5" {
				es, _ := m["hourly_entries"].([]any)
				return m["usage"].(map[string]any), es
			}
		}
		t.Fatal("no K-5 in the export")
		return nil, nil
	}
	u, es := usage("2026-12-22T09:00:00+03:30")
	if u["hours_used_min"] != 300.0 || u["month_used_min"] != 0.0 || u["hours_left_min"] != 5700.0 {
		t.Errorf("K-5 after the end of Azar: %v", u)
	}
	if len(es) != 1 || es[0].(map[string]any)["month"] != "1405-09" || es[0].(map[string]any)["minutes"] != 300.0 {
		t.Errorf("K-5 entries %v", es)
	}

	// The next phase continues the clock over Dey, Bahman and Esfand: each
	// month's minimum, then at the year end the rest expires.
	script2 := writeFile(t, "s2.jsonl", `{"at":"2027-03-20T12:00:00+03:30"}`+"\n"+`{"at":"2027-03-21T09:00:00+03:30"}`+"\n")
	mustRun(t, "replay", "-db", db, "-script", script2)
	u, es = usage("2027-03-21T09:00:00+03:30")
	if u["hours_used_min"] != 6000.0 || u["hours_left_min"] != 0.0 || len(es) != 5 ||
		es[4].(map[string]any)["kind"] != "expiry" || es[4].(map[string]any)["minutes"] != 4800.0 {
		t.Errorf("K-5 after the year end: %v, entries %v", u, es)
	}
	if _, err := os.Stat(filepath.Join(dir, "files")); err == nil {
		t.Error("a replay without managers wrote charts")
	}
}
