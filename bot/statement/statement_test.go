package statement_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/xuri/excelize/v2"

	"supportbot/bot"
	"supportbot/bot/statement"
	"supportbot/jobs"
	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite/sqlitetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// month builds Azar 1405 (2026-11-22 to 2026-12-21) for customer C-7: an
// hourly h50 package with two tickets (45 minutes logged; 20 minutes,
// charged the 30-minute minimum), a ticket of Aban worked on in Azar, and
// the month-end minimum charged by the real job; a gold product with an
// on-site visit answered late and a question answered in time.
func month(t *testing.T) (store.Store, *rules.Policy, time.Time) {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	db := sqlitetest.Open(t, filepath.Join(t.TempDir(), "s.db"))
	p := &rules.Policy{Calendar: rules.DefaultCalendar(loc), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	date := func(y int, m time.Month, d int) rules.Date { return rules.Date{Year: y, Month: m, Day: d} }
	cu := store.Customer{ID: "C-7", Name: "مهندسی سپهر", City: "تهران", Phones: []string{"+989121110006"}}
	hourly := rules.Contract{ID: "K-20", CustomerID: "C-7", Kind: rules.KindHourly, Tier: rules.TierH50, Subject: "بسته ساعتی", PurchasedOn: date(2026, 10, 1), ProjectID: "K-19"}
	gold := rules.Contract{ID: "K-21", CustomerID: "C-7", Kind: rules.KindProduct, Tier: rules.TierGold, Subject: "ماژول فروش",
		PurchasedOn: date(2026, 5, 1), DeliveredOn: date(2026, 5, 10), ConfirmedOn: date(2026, 5, 12)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.UpsertCustomer(ctx, cu))
	must(db.SetImportedPhones(ctx, cu.ID, cu.Phones))
	must(db.UpsertContract(ctx, hourly))
	must(db.UpsertContract(ctx, gold))
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	type work struct {
		at  time.Time
		min int
	}
	ticket := func(c rules.Contract, kind rules.RequestKind, sev rules.Severity, opened, answered, closed time.Time, logs ...work) {
		t.Helper()
		tk := store.Ticket{ContractID: c.ID, CustomerID: cu.ID, Phone: cu.Phones[0], Kind: kind, Severity: sev, Status: store.TicketNew,
			Description: "شرح", OpenedAt: opened, FirstResponseDue: p.FirstResponseDue(c, opened), FirstResponseAt: answered}
		must(db.CreateTicket(ctx, &tk))
		for _, l := range logs {
			must(db.AddTimeLog(ctx, &store.TimeLog{TicketID: tk.ID, At: l.at, Minutes: l.min, StaffID: 1001}))
			tk.LoggedMin += l.min
		}
		if !answered.IsZero() {
			tk.Status = store.TicketAnswered
		}
		if !closed.IsZero() {
			tk.Status, tk.ClosedAt = store.TicketClosed, closed
		}
		if c.Kind == rules.KindHourly {
			tk.ChargedMin = rules.TicketCharge(tk.LoggedMin, tk.Status == store.TicketClosed, false, p.Hourly)
		}
		must(db.UpdateTicket(ctx, tk))
	}
	// 1: Aban, worked on in Azar too.
	ticket(hourly, rules.RequestCustomization, "", at(11, 18, 10, 0), at(11, 18, 11, 0), at(11, 25, 12, 0),
		work{at(11, 18, 11, 0), 60}, work{at(11, 25, 11, 30), 30})
	// 2, 3: Azar.
	ticket(hourly, rules.RequestQuestion, "", at(11, 29, 9, 0), at(11, 29, 10, 0), at(11, 30, 12, 0), work{at(11, 29, 10, 0), 45})
	ticket(hourly, rules.RequestRemote, "", at(12, 2, 9, 0), at(12, 2, 9, 30), at(12, 2, 10, 0), work{at(12, 2, 9, 45), 20})
	// 4: on-site, answered after its deadline; 5: a question in time, still open.
	ticket(gold, rules.RequestOnsite, rules.SeverityCritical, at(12, 6, 9, 0), at(12, 8, 15, 0), at(12, 9, 12, 0))
	ticket(gold, rules.RequestQuestion, "", at(12, 14, 9, 0), at(12, 14, 9, 20), time.Time{})
	desk := bot.NewDesk(p, nil, bot.DeskConfig{})
	scheduled := jobs.New(desk.JobsEnv(db), jobs.Config{})
	must(scheduled.RunHourly(ctx, at(12, 22, 0, 0))) // 1 Dey 1405: Azar is settled
	return db, p, at(12, 23, 10, 0)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update to rewrite after checking):\n%s", name, got)
	}
}

func build(t *testing.T) (statement.Statement, *locales.Printer) {
	t.Helper()
	st, p, now := month(t)
	s, err := statement.Build(context.Background(), st, p, "C-7", 1405, 9, now)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := locales.New("fa", p.Calendar.Loc)
	if err != nil {
		t.Fatal(err)
	}
	return s, pr
}

func TestStatementFigures(t *testing.T) {
	s, _ := build(t)
	if len(s.Contracts) != 2 {
		t.Fatalf("%d contracts", len(s.Contracts))
	}
	h, g := s.Contracts[0], s.Contracts[1]
	// Azar: 30 + 45 + 20 minutes logged; ticket 3 is charged 30 (10 more);
	// 105 charged by tickets, so the month-end minimum adds 195 to 300.
	if h.LoggedMin != 95 || h.MinimumTopUpMin != 10 || len(h.Entries) != 1 || h.Entries[0].Minutes != 195 || h.ChargedMin != 300 {
		t.Errorf("hourly: logged %d, top-up %d, entries %+v, charged %d", h.LoggedMin, h.MinimumTopUpMin, h.Entries, h.ChargedMin)
	}
	if len(h.Requests) != 3 || !h.Requests[0].OpenedBefore || h.Requests[0].LoggedMin != 30 {
		t.Errorf("hourly requests %+v", h.Requests)
	}
	// Package: 50 h less ticket 1 (90, Aban was never settled here), 2 (45), 3 (30) and the Azar minimum (195).
	if h.HoursLeftMin != 3000-90-45-30-195 {
		t.Errorf("hours left %d", h.HoursLeftMin)
	}
	if g.OnsiteMonth != 1 || g.OnsiteYearUsed != 1 || g.OnsiteLimit != 4 || len(g.Requests) != 2 ||
		g.Requests[0].Deadline != statement.DeadlineMissed || g.Requests[1].Deadline != statement.DeadlineMet {
		t.Errorf("gold: %+v", g)
	}
}

func TestStatementGoldenText(t *testing.T) {
	s, p := build(t)
	golden(t, "C-7-1405-09.txt", []byte(statement.Text(s, p)))
}

func TestStatementGoldenCSV(t *testing.T) {
	s, p := build(t)
	var b bytes.Buffer
	if err := statement.CSV(&b, s, p); err != nil {
		t.Fatal(err)
	}
	golden(t, "C-7-1405-09.csv", b.Bytes())
}

func TestStatementXLSXReadsBack(t *testing.T) {
	s, p := build(t)
	var b bytes.Buffer
	if err := statement.XLSX(&b, s, p); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := statement.SheetName(s)
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sheet {
		t.Fatalf("sheets %v, want [%s]", got, sheet)
	}
	view, err := f.GetSheetView(sheet, 0)
	if err != nil || view.RightToLeft == nil || !*view.RightToLeft {
		t.Errorf("sheet is not right to left: %+v, %v", view, err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	want := statement.Rows(s, p)
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.TrimRight(strings.Join(want[i], "|"), "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, rows[i], want[i])
		}
	}
	if v, _ := f.GetCellValue(sheet, "A1"); v != "قرارداد" {
		t.Errorf("A1 = %q, want the Persian column name", v)
	}
	// The month-end minimum is its own row, its minutes a number.
	found := false
	for i, r := range rows {
		if len(r) > 11 && r[1] == "حداقل مصرف ماهانه" {
			found = true
			cell, _ := excelize.CoordinatesToCellName(12, i+1)
			if typ, _ := f.GetCellType(sheet, cell); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || r[11] != "195" {
				t.Errorf("minimum row %q, cell type %v", r, typ)
			}
		}
	}
	if !found {
		t.Error("no month-end minimum row")
	}
}

func TestParseMonth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		y, m int
		ok   bool
	}{
		{"1405-09", 1405, 9, true}, {"۱۴۰۵/۰۹", 1405, 9, true}, {"1405-9", 1405, 9, true},
		{"1405-13", 0, 0, false}, {"2026-11", 0, 0, false}, {"1405", 0, 0, false}, {"", 0, 0, false},
	} {
		y, m, err := statement.ParseMonth(tt.in)
		if (err == nil) != tt.ok || y != tt.y || m != tt.m {
			t.Errorf("ParseMonth(%q) = %d, %d, %v", tt.in, y, m, err)
		}
	}
}
