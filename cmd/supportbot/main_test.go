package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one in-process run of the binary produced.
type result struct {
	code           int
	stdout, stderr string
}

func runMain(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb, noEnv)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := runMain(t, args...)
	if r.code != 0 {
		t.Fatalf("supportbot %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

func export(t *testing.T, db, at string) map[string]any {
	t.Helper()
	out := mustRun(t, "export", "-db", db, "-at", at)
	var snap map[string]any
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, out)
	}
	return snap
}

const goodCSV = `customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff
C-1,شرکت یک,تهران,09121230001;+98 912 123 0009,K-1,product,gold,ماژول,1405/03/01,1405/03/10,1405/03/12,,1001
C-2,شرکت دو,مشهد,۰۰۹۸۹۱۵۱۲۳۰۰۰۲,K-2,product,bronze,گزارش,2026-10-01,2026-10-10,,,
C-3,شرکت سه,Tehran,989121230003,K-3,project,silver,پورتال,1405/05/01,1405/05/10,1405/05/12,,
C-3,شرکت سه,Tehran,989121230003,K-4,hourly,h50,بسته,۱۴۰۵/۱۱/۰۱,,,K-3,
`

func TestImportExportThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	csv := writeFile(t, "contracts.csv", goodCSV)

	out := mustRun(t, "import", "-db", db, csv)
	if !strings.Contains(out, "contracts 4 added") {
		t.Errorf("import summary: %s", out)
	}
	before := export(t, db, "2026-12-06T09:00:00+03:30")

	// The same file again changes nothing.
	mustRun(t, "import", "-db", db, csv)
	if again := export(t, db, "2026-12-06T09:00:00+03:30"); !jsonEqual(before, again) {
		t.Error("importing the same file twice changed the export")
	}

	// One bad row: exit 1, FILE:LINE, and the database as it was.
	bad := writeFile(t, "bad.csv", strings.Replace(goodCSV, "2026-10-10", "2026-13-10", 1))
	r := runMain(t, "import", "-db", db, bad)
	if r.code != 1 {
		t.Errorf("bad import exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "bad.csv:3:") {
		t.Errorf("bad import error does not name bad.csv:3: %s", r.stderr)
	}
	if after := export(t, db, "2026-12-06T09:00:00+03:30"); !jsonEqual(before, after) {
		t.Error("a failed import changed the database")
	}

	contracts := before["contracts"].([]any)
	byID := map[string]map[string]any{}
	for _, c := range contracts {
		m := c.(map[string]any)
		byID[m["id"].(string)] = m
	}
	if got := byID["K-2"]["support_start"]; got != "2026-10-17T00:00:00+03:30" {
		t.Errorf("K-2 (no confirmation) starts %v, want delivery + 7 days", got)
	}
	if got := byID["K-4"]["support_end"]; got != "2028-01-21T00:00:00+03:30" {
		t.Errorf("K-4 (bought in Bahman) ends %v, want one year after purchase", got)
	}
	usage := byID["K-4"]["usage"].(map[string]any)
	if usage["hours_total_min"] != 3000.0 || usage["month_cap_min"] != 600.0 {
		t.Errorf("K-4 usage %v", usage)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestReplayThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	csv := writeFile(t, "contracts.csv", goodCSV)
	script := writeFile(t, "s.jsonl", strings.Join([]string{
		`{"at":"2026-11-29T16:00:00+03:30","whatsapp":"09121230001","text":"سلام"}`,
		`{"at":"2026-11-29T16:00:10+03:30","whatsapp":"09121230001","text":"۱"}`,
		`{"at":"2026-11-29T16:00:20+03:30","whatsapp":"09121230001","text":"2"}`,
		`{"at":"2026-11-29T16:00:30+03:30","whatsapp":"09121230001","text":"خروجی اکسل کجاست؟"}`,
		`{"at":"2026-11-30T09:00:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"از منوی گزارش‌ها","reply_to_ticket":1}`,
	}, "\n"))
	out := mustRun(t, "replay", "-db", db, "-contracts", csv, "-script", script)
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	var card, relayed bool
	for _, m := range lines {
		if m["to"] == "telegram:staff" && m["ticket"] == 1.0 {
			card = true
		}
		if m["to"] == "whatsapp:+989121230001" && strings.Contains(m["text"].(string), "از منوی گزارش‌ها") {
			relayed = true
		}
	}
	if !card || !relayed {
		t.Errorf("card %v, staff reply relayed %v:\n%s", card, relayed, out)
	}
	snap := export(t, db, "2026-11-30T10:00:00+03:30")
	tickets := snap["tickets"].([]any)
	if len(tickets) != 1 {
		t.Fatalf("%d tickets, want 1", len(tickets))
	}
	tk := tickets[0].(map[string]any)
	if tk["status"] != "answered" || tk["first_response_at"] != "2026-11-30T09:00:00+03:30" || tk["breached"] != false {
		t.Errorf("ticket %v", tk)
	}

	// A second phase on the same database continues the output ids.
	script2 := writeFile(t, "s2.jsonl", `{"at":"2026-11-30T10:00:00+03:30","whatsapp":"09121230001","text":"0"}`)
	out2 := mustRun(t, "replay", "-db", db, "-script", script2)
	if strings.Contains(out2, `"id":"m1"`) {
		t.Errorf("second phase reused output ids: %s", out2)
	}
}

func TestBadScriptChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	script := writeFile(t, "bad.jsonl", `{"at":"2026-11-29T16:00:00+03:30","whatsapp":"09121230001","text":"سلام"}
{"at":"yesterday","whatsapp":"09121230001","text":"x"}
`)
	r := runMain(t, "replay", "-db", db, "-script", script)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.jsonl:2:") {
		t.Errorf("exit %d, stderr %q; want 1 and bad.jsonl:2:", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a bad script created the database")
	}
}

func TestCommandLineErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"import"}, 2, "missing argument"},
		{[]string{"export", "-at", "tomorrow"}, 2, "-at"},
		{[]string{"replay"}, 2, "-script"},
		{[]string{"replay", "-script", "x.jsonl", "-format", "xml"}, 2, "-format"},
		{[]string{"check-config", "-config", "/nonexistent/config.yaml"}, 1, "config"},
	}
	for _, tt := range tests {
		r := runMain(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.want)
		}
	}
	// The example has no token and no staff group, as shipped: check-config
	// refuses it as run would, naming the field.
	if r := runMain(t, "check-config", "-config", "../../config.example.yaml"); r.code != 1 || !strings.Contains(r.stderr, "telegram.token") {
		t.Errorf("check-config on the example: %d %s", r.code, r.stderr)
	}
}

// The limits in the config reach the engine: with two messages a minute
// allowed, a third gets one notice and the rest get silence.
func TestConfiguredFloodLimitApplies(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", "limits:\n  messages_per_minute: 2\n")
	csv := writeFile(t, "contracts.csv", goodCSV)
	var lines []string
	for i := range 6 {
		lines = append(lines, fmt.Sprintf(`{"at":"2026-11-29T10:00:%02d+03:30","whatsapp":"09121230001","text":"سلام %d"}`, i*5, i))
	}
	script := writeFile(t, "s.jsonl", strings.Join(lines, "\n"))
	out := mustRun(t, "replay", "-config", cfg, "-db", filepath.Join(dir, "r.db"), "-contracts", csv, "-script", script)
	replies := strings.Count(out, `"to":"whatsapp:+989121230001"`)
	if replies != 3 {
		t.Errorf("%d replies to 6 messages with a limit of 2 a minute, want 2 answers and 1 notice:\n%s", replies, out)
	}
}

func TestConfiguredCompanyNameGreets(t *testing.T) {
	dir := t.TempDir()
	csv := writeFile(t, "contracts.csv", goodCSV)
	script := writeFile(t, "s.jsonl", `{"at":"2026-11-29T10:00:00+03:30","whatsapp":"09121230001","text":"سلام"}`)
	for _, tt := range []struct{ config, want string }{
		{"company_name: شرکت آزمون\n", "شرکت آزمون"},
		{"", "کیان پرداز هوشمند"},
	} {
		cfg := writeFile(t, "c.yaml", tt.config)
		out := mustRun(t, "replay", "-config", cfg, "-db", filepath.Join(dir, fmt.Sprintf("r%d.db", len(tt.config))), "-contracts", csv, "-script", script)
		if !strings.Contains(out, tt.want) {
			t.Errorf("config %q: greeting does not name %q:\n%s", tt.config, tt.want, out)
		}
	}
}
