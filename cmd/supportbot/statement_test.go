package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestStatementThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	csv := writeFile(t, "contracts.csv", goodCSV)
	script := writeFile(t, "s.jsonl", strings.Join([]string{
		`{"at":"2026-11-29T09:00:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"/open C-3 K-3 customization گزارش تازه بسازید"}`,
		`{"at":"2026-11-29T10:00:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"/log 1 1h15m"}`,
		`{"at":"2026-11-29T10:05:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"/close 1"}`,
	}, "\n"))
	mustRun(t, "replay", "-db", db, "-contracts", csv, "-script", script)

	text := mustRun(t, "statement", "-db", db, "-customer", "C-3", "-month", "1405-09", "-at", "2026-11-30T10:00:00+03:30")
	for _, want := range []string{"صورتحساب ماهانه پشتیبانی، آذر ۱۴۰۵", "تیکت ۱، ثبت ۸ آذر ۱۴۰۵", "۱ ساعت و ۱۵ دقیقه", "قرارداد \u2068K-3\u2069"} {
		if !strings.Contains(text, want) {
			t.Errorf("text statement lacks %q:\n%s", want, text)
		}
	}
	csvOut := mustRun(t, "statement", "-db", db, "-customer", "C-3", "-month", "۱۴۰۵/۰۹", "-format", "csv", "-at", "2026-11-30T10:00:00+03:30")
	if !strings.HasPrefix(csvOut, "\ufeffقرارداد,") || !strings.Contains(csvOut, "K-3,درخواست,1,1405/09/08 09:00") || !strings.Contains(csvOut, ",75,,") {
		t.Errorf("csv statement:\n%s", csvOut)
	}
	xlsx := filepath.Join(dir, "s.xlsx")
	mustRun(t, "statement", "-db", db, "-customer", "C-3", "-month", "1405-09", "-format", "xlsx", "-o", xlsx)
	b, err := os.ReadFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("C-3 1405-09", "C2"); v != "1" {
		t.Errorf("xlsx C2 = %q, want ticket 1", v)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"statement", "-db", filepath.Join(dir, "missing.db"), "-customer", "C-3"}, 1, "does not exist"},
		{[]string{"statement", "-db", db, "-customer", "C-3", "-month", "1405-13"}, 2, "1405-13"},
		{[]string{"statement", "-db", db, "-customer", "C-3", "-format", "pdf"}, 2, "pdf"},
		{[]string{"statement", "-db", db}, 2, "-customer"},
		{[]string{"statement", "-db", db, "-customer", "C-99"}, 1, "C-99"},
	} {
		r := runMain(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.code, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Errorf("statement created the missing database: %v", err)
	}
}
