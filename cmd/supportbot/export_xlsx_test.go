package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// export -format xlsx writes the same state as the JSON, one right-to-left
// sheet each for customers, contracts and tickets, with a Jalali column
// beside each date; read back cell by cell.
func TestExportXLSX(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	mustRun(t, "import", "-db", db, writeFile(t, "c.csv", goodCSV))
	script := writeFile(t, "s.jsonl", `{"at":"2026-11-28T09:00:00+03:30","whatsapp":"+989121230001","text":"سلام، نرم‌افزار خطا می‌دهد"}
{"at":"2026-11-28T09:00:10+03:30","whatsapp":"+989121230001","text":"1"}
{"at":"2026-11-28T09:00:20+03:30","whatsapp":"+989121230001","text":"1"}
`)
	mustRun(t, "replay", "-db", db, "-script", script)
	out := filepath.Join(dir, "state.xlsx")
	mustRun(t, "export", "-db", db, "-at", "2026-11-28T12:00:00+03:30", "-format", "xlsx", "-o", out)
	if got := mode(t, out); got != 0o600 {
		t.Errorf("export file mode %o, want 600", got)
	}
	snap := export(t, db, "2026-11-28T12:00:00+03:30")

	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 3 || got[0] != "مشتریان" || got[1] != "قراردادها" || got[2] != "درخواست‌ها" {
		t.Fatalf("sheets %v", got)
	}
	for _, name := range f.GetSheetList() {
		view, err := f.GetSheetView(name, 0)
		if err != nil || view.RightToLeft == nil || !*view.RightToLeft {
			t.Errorf("sheet %s is not right to left (%v)", name, err)
		}
	}
	customers, _ := f.GetRows("مشتریان")
	if len(customers) != 1+len(snap["customers"].([]any)) || customers[1][0] != "C-1" || customers[1][1] != "شرکت یک" {
		t.Errorf("customers sheet %v", customers)
	}
	contracts, _ := f.GetRows("قراردادها")
	if len(contracts) != 1+len(snap["contracts"].([]any)) {
		t.Fatalf("contracts sheet has %d rows", len(contracts))
	}
	col := func(rows [][]string, title string) int {
		for i, h := range rows[0] {
			if h == title {
				return i
			}
		}
		t.Fatalf("no column %q in %v", title, rows[0])
		return -1
	}
	k1 := contracts[1]
	start := col(contracts, "شروع پشتیبانی")
	if k1[0] != "K-1" || k1[start] != "2026-06-02T00:00:00+03:30" || k1[start+1] != "1405/03/12" {
		t.Errorf("K-1 support start %q / %q, want 2026-06-02T00:00:00+03:30 / 1405/03/12 (row %v)", k1[start], k1[start+1], k1)
	}
	tickets, _ := f.GetRows("درخواست‌ها")
	wantTickets := snap["tickets"].([]any)
	if len(wantTickets) == 0 || len(tickets) != 1+len(wantTickets) {
		t.Fatalf("tickets sheet has %d rows, export %d tickets", len(tickets), len(wantTickets))
	}
	tk := wantTickets[0].(map[string]any)
	opened := col(tickets, "زمان ثبت")
	if tickets[1][opened] != tk["opened_at"] || tickets[1][opened+1] != "1405/09/07 09:00" {
		t.Errorf("ticket opened %q / %q, want %v / 1405/09/07 09:00", tickets[1][opened], tickets[1][opened+1], tk["opened_at"])
	}
	if tickets[1][col(tickets, "وضعیت")] != tk["status"] {
		t.Errorf("ticket status %q, want %v", tickets[1][col(tickets, "وضعیت")], tk["status"])
	}

	for _, bad := range [][]string{{"-format", "xlsx"}, {"-format", "pdf", "-o", out}} {
		if r := runMain(t, append([]string{"export", "-db", db}, bad...)...); r.code != 2 {
			t.Errorf("export %v: exit %d, want 2", bad, r.code)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}
