package export_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"supportbot/export"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/importcsv"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// exportContracts is the acceptance sample's contracts.csv, kept with the
// importer's tests.
const exportContracts = "../store/importcsv/testdata/contracts.csv"

// exportFixture is a fresh database with a policy of the shipped defaults.
type exportFixture struct {
	db  *sqlite.DB
	p   *rules.Policy
	loc *time.Location
}

func newExportFixture(tb testing.TB) exportFixture {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		tb.Fatal(err)
	}
	db := sqlitetest.Open(tb, filepath.Join(tb.TempDir(), "bot.db"))
	p := &rules.Policy{Calendar: rules.DefaultCalendar(loc), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	return exportFixture{db: db, p: p, loc: loc}
}

// importFile imports the CSV at path; the error is the importer's.
func (f exportFixture) importFile(tb testing.TB, path string) error {
	tb.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return f.importText(string(text))
}

func (f exportFixture) importText(text string) error {
	b, err := importcsv.Parse("contracts.csv", strings.NewReader(text))
	if err != nil {
		return err
	}
	_, err = importcsv.Apply(context.Background(), f.db, b)
	return err
}

// at is a Tehran wall-clock time "2006-01-02T15:04".
func (f exportFixture) at(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02T15:04", s, f.loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// exportJSON exports as of at and decodes the JSON the way a script reads it.
func (f exportFixture) exportJSON(tb testing.TB, at time.Time) (string, map[string]any) {
	tb.Helper()
	snap, err := export.Take(context.Background(), f.db, f.p, at)
	if err != nil {
		tb.Fatalf("Export: %v", err)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	return string(b), m
}

// exportItem finds the element of list key whose field matches value.
func exportItem(tb testing.TB, m map[string]any, key, field string, value any) map[string]any {
	tb.Helper()
	for _, x := range m[key].([]any) {
		if o := x.(map[string]any); o[field] == value {
			return o
		}
	}
	tb.Fatalf("no %s with %s %v", key, field, value)
	return nil
}

// checkExportFields compares the named fields of o; nil means JSON null.
func checkExportFields(tb testing.TB, what string, o map[string]any, want map[string]any) {
	tb.Helper()
	for k, w := range want {
		got, ok := o[k]
		if !ok {
			tb.Errorf("%s: field %q missing", what, k)
			continue
		}
		if !reflect.DeepEqual(got, w) {
			tb.Errorf("%s: %s = %#v, want %#v", what, k, got, w)
		}
	}
}

func TestExportEmptyStore(t *testing.T) {
	f := newExportFixture(t)
	got, _ := f.exportJSON(t, f.at(t, "2026-12-06T09:00"))
	if want := `{"customers":[],"contracts":[],"tickets":[],"denials":[]}`; got != want {
		t.Errorf("export %s, want %s", got, want)
	}
}

func TestExportAcceptanceContracts(t *testing.T) {
	f := newExportFixture(t)
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	_, d := f.exportJSON(t, f.at(t, "2026-12-06T09:00"))

	checkExportFields(t, "P-3", exportItem(t, d, "customers", "id", "P-3"), map[string]any{
		"name": "شرکت نمونه سه", "city": "Tehran", "phones": []any{"+989121230003"},
	})
	checkExportFields(t, "P-1", exportItem(t, d, "customers", "id", "P-1"), map[string]any{
		"city": "تهران", "phones": []any{"+989121230001"},
	})

	a1 := exportItem(t, d, "contracts", "id", "A-1")
	checkExportFields(t, "A-1", a1, map[string]any{
		"customer_id": "P-1", "kind": "product", "tier": "silver", "subject": "ماژول CRM موبایل",
		"status":        "active",
		"support_start": "2026-10-07T00:00:00+03:30", // confirmed 1405/07/15
		"support_end":   "2027-10-07T00:00:00+03:30", // one Jalali year later
		"project_id":    nil, "dedicated_staff": nil,
	})
	checkExportFields(t, "A-1 usage", a1["usage"].(map[string]any), map[string]any{
		"month": "1405-09", "requests": 0.0, "requests_limit": 10.0,
		"onsite_used": 0.0, "onsite_limit": 0.0, "reinstalls_used": 0.0, "reinstalls_limit": 1.0,
		"hours_total_min": nil, "hours_used_min": nil, "hours_left_min": nil,
		"month_used_min": nil, "month_cap_min": nil,
	})
	checkExportFields(t, "A-2", exportItem(t, d, "contracts", "id", "A-2"), map[string]any{
		"status": "active", "support_start": "2026-10-12T00:00:00+03:30", "support_end": "2027-10-12T00:00:00+03:30",
	})
	checkExportFields(t, "A-3", exportItem(t, d, "contracts", "id", "A-3"), map[string]any{
		"kind": "project", "tier": "gold", "status": "active",
		"support_start": "2026-08-03T00:00:00+03:30", "support_end": "2027-08-03T00:00:00+03:30",
	})

	a4 := exportItem(t, d, "contracts", "id", "A-4")
	checkExportFields(t, "A-4", a4, map[string]any{
		"kind": "hourly", "tier": "h200", "status": "active", "project_id": "A-3",
		"support_start": "2026-10-23T00:00:00+03:30", // purchased 1405/08/01
		"support_end":   "2027-03-21T00:00:00+03:30", // end of Jalali 1405: bought before Dey
	})
	checkExportFields(t, "A-4 usage", a4["usage"].(map[string]any), map[string]any{
		"month": "1405-09", "requests_limit": -1.0,
		"hours_total_min": 12000.0, "hours_used_min": 0.0, "hours_left_min": 12000.0,
		"month_used_min": 0.0, "month_cap_min": 2400.0,
	})
}

func TestExportStatuses(t *testing.T) {
	f := newExportFixture(t)
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	// A product sold but not delivered yet.
	if err := f.importText("customer_id,customer_name,phones,contract_id,kind,tier,purchased_on,delivered_on\n" +
		"P-5,Co Five,09121230005,A-5,product,gold,1405/09/01,\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at       string
		contract string
		want     string
	}{
		{"2026-12-06T09:00", "A-5", "pending"},
		{"2026-10-06T23:59", "A-1", "pending"}, // the day before confirmation
		{"2026-10-07T00:00", "A-1", "active"},
		{"2027-10-06T23:59", "A-1", "active"},
		{"2027-10-07T00:00", "A-1", "expired"}, // one Jalali year after the start
		{"2027-03-20T23:59", "A-4", "active"},
		{"2027-03-21T00:00", "A-4", "expired"}, // Nowruz 1406: hours bought in Aban expire
	}
	for _, tt := range tests {
		_, d := f.exportJSON(t, f.at(t, tt.at))
		c := exportItem(t, d, "contracts", "id", tt.contract)
		if c["status"] != tt.want {
			t.Errorf("%s at %s: status %v, want %s", tt.contract, tt.at, c["status"], tt.want)
		}
		if tt.contract == "A-5" {
			checkExportFields(t, "A-5", c, map[string]any{"support_start": nil, "support_end": nil, "delivered_on": nil})
		}
	}
}

func TestExportTicketsAndDenials(t *testing.T) {
	f := newExportFixture(t)
	ctx := context.Background()
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	tickets := []store.Ticket{
		{ // unanswered past its deadline
			ContractID: "A-1", CustomerID: "P-1", Phone: "+989121230001", Kind: rules.RequestProblem,
			Severity: rules.SeverityImportant, Status: store.TicketNew,
			OpenedAt: f.at(t, "2026-11-29T16:00"), FirstResponseDue: f.at(t, "2026-12-01T16:00"),
		},
		{ // answered in time
			ContractID: "A-1", CustomerID: "P-1", Phone: "+989121230001", Kind: rules.RequestQuestion,
			Status: store.TicketAnswered, OpenedAt: f.at(t, "2026-11-29T16:10"),
			FirstResponseDue: f.at(t, "2026-12-01T16:10"), FirstResponseAt: f.at(t, "2026-11-30T09:00"),
			Assignee: 1001, AssigneeName: "Sara",
		},
		{ // hourly, answered late, closed
			ContractID: "A-4", CustomerID: "P-3", Phone: "+989121230003", Kind: rules.RequestCustomization,
			Status: store.TicketClosed, OpenedAt: f.at(t, "2026-12-01T10:00"),
			FirstResponseDue: f.at(t, "2026-12-02T10:00"), FirstResponseAt: f.at(t, "2026-12-02T10:01"),
			ClosedAt: f.at(t, "2026-12-03T12:00"), LoggedMin: 20, ChargedMin: 30,
		},
		{ // declined before its deadline, never answered
			ContractID: "A-2", CustomerID: "P-2", Phone: "+989151230002", Kind: rules.RequestQuestion,
			Status: store.TicketDeclined, DeclineReason: rules.DeclineMisuse, OpenedAt: f.at(t, "2026-12-06T08:00"),
			FirstResponseDue: f.at(t, "2026-12-09T08:00"), ClosedAt: f.at(t, "2026-12-06T08:30"),
		},
	}
	for i := range tickets {
		if err := f.db.CreateTicket(ctx, &tickets[i]); err != nil {
			t.Fatal(err)
		}
	}
	// The hourly ticket's 20 logged minutes, charged at the 30-minute minimum.
	if err := f.db.AddTimeLog(ctx, &store.TimeLog{TicketID: tickets[2].ID, At: f.at(t, "2026-12-02T12:00"), Minutes: 20, StaffID: 1001}); err != nil {
		t.Fatal(err)
	}
	denials := []store.Denial{
		{At: f.at(t, "2026-12-06T08:00"), Phone: "+989151230002", CustomerID: "P-2", ContractID: "A-2", Kind: rules.RequestRemote, Reason: rules.DenyNotInTier},
		{At: f.at(t, "2026-12-05T12:00"), Phone: "+989370009999", Reason: rules.DenyUnknownCustomer},
		{At: f.at(t, "2026-12-06T08:00"), Phone: "+989151230002", CustomerID: "P-2", ContractID: "A-2", Reason: rules.DenyMonthQuota},
	}
	for i := range denials {
		if err := f.db.AddDenial(ctx, &denials[i]); err != nil {
			t.Fatal(err)
		}
	}

	_, d := f.exportJSON(t, f.at(t, "2026-12-06T09:00"))
	ts := d["tickets"].([]any)
	if len(ts) != 4 {
		t.Fatalf("%d tickets, want 4", len(ts))
	}
	checkExportFields(t, "ticket 1", ts[0].(map[string]any), map[string]any{
		"id": float64(tickets[0].ID), "contract_id": "A-1", "customer_id": "P-1", "phone": "+989121230001",
		"kind": "problem", "severity": "important", "status": "new", "decline_reason": nil,
		"opened_at": "2026-11-29T16:00:00+03:30", "first_response_due": "2026-12-01T16:00:00+03:30",
		"first_response_at": nil, "breached": true, "assignee": nil, "logged_min": 0.0, "charged_min": nil,
		"closed_at": nil,
	})
	checkExportFields(t, "ticket 2", ts[1].(map[string]any), map[string]any{
		"severity": nil, "status": "answered", "first_response_at": "2026-11-30T09:00:00+03:30",
		"breached": false, "assignee": 1001.0, "assignee_name": "Sara",
	})
	checkExportFields(t, "ticket 3", ts[2].(map[string]any), map[string]any{
		"status": "closed", "breached": true, "logged_min": 20.0, "charged_min": 30.0,
		"closed_at": "2026-12-03T12:00:00+03:30",
	})
	checkExportFields(t, "ticket 4", ts[3].(map[string]any), map[string]any{
		"status": "declined", "decline_reason": "misuse", "breached": false, "charged_min": nil,
	})

	checkExportFields(t, "A-4 usage", exportItem(t, d, "contracts", "id", "A-4")["usage"].(map[string]any), map[string]any{
		"hours_used_min": 30.0, "hours_left_min": 11970.0, "month_used_min": 30.0,
	})
	checkExportFields(t, "A-1 usage", exportItem(t, d, "contracts", "id", "A-1")["usage"].(map[string]any), map[string]any{
		"requests": 2.0,
	})

	ds := d["denials"].([]any)
	if len(ds) != 3 {
		t.Fatalf("%d denials, want 3", len(ds))
	}
	checkExportFields(t, "denial 1", ds[0].(map[string]any), map[string]any{
		"at": "2026-12-05T12:00:00+03:30", "phone": "+989370009999", "contract_id": nil, "kind": nil,
		"reason": "unknown_customer", "customer_id": nil,
	})
	checkExportFields(t, "denial 2", ds[1].(map[string]any), map[string]any{
		"at": "2026-12-06T08:00:00+03:30", "contract_id": "A-2", "kind": "remote", "reason": "not_in_tier",
	})
	checkExportFields(t, "denial 3", ds[2].(map[string]any), map[string]any{"kind": nil, "reason": "month_quota"})

	// Later, the unanswered declined ticket is past its deadline too.
	_, d = f.exportJSON(t, f.at(t, "2026-12-09T08:01"))
	checkExportFields(t, "ticket 4 later", d["tickets"].([]any)[3].(map[string]any), map[string]any{"breached": true})
}

func TestExportExhaustedPackage(t *testing.T) {
	f := newExportFixture(t)
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	tk := store.Ticket{
		ContractID: "A-4", CustomerID: "P-3", Phone: "+989121230003", Kind: rules.RequestCustomization,
		Status: store.TicketClosed, OpenedAt: f.at(t, "2026-11-01T10:00"), FirstResponseDue: f.at(t, "2026-11-03T10:00"),
		FirstResponseAt: f.at(t, "2026-11-01T11:00"), ClosedAt: f.at(t, "2026-11-20T10:00"),
		LoggedMin: 12000, ChargedMin: 12000,
	}
	if err := f.db.CreateTicket(context.Background(), &tk); err != nil {
		t.Fatal(err)
	}
	_, d := f.exportJSON(t, f.at(t, "2026-12-06T09:00"))
	a4 := exportItem(t, d, "contracts", "id", "A-4")
	checkExportFields(t, "A-4", a4, map[string]any{"status": "exhausted"})
	checkExportFields(t, "A-4 usage", a4["usage"].(map[string]any), map[string]any{
		"hours_used_min": 12000.0, "hours_left_min": 0.0, "month_used_min": 0.0,
	})
}

// TestExportImportRoundTrip checks the import contract through the export:
// the same file twice and a refused file leave the export as it was, and a
// number staff linked survives a re-import.
func TestExportImportRoundTrip(t *testing.T) {
	f := newExportFixture(t)
	at := f.at(t, "2026-12-06T09:00")
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	before, _ := f.exportJSON(t, at)
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.exportJSON(t, at); again != before {
		t.Errorf("re-import changed the export:\n%s\nwas\n%s", again, before)
	}
	bad := "customer_id,customer_name,phones,contract_id,kind,tier,purchased_on,project_id\n" +
		"P-1,شرکت نمونه یک,09121230001,A-9,product,gold,1405/09/01,\n" +
		"P-1,شرکت نمونه یک,09121230001,A-10,hourly,h50,1405/09/01,A-9\n"
	err := f.importText(bad)
	if want := `contracts.csv:3: project_id: "A-9" is a product contract, not a project`; err == nil || err.Error() != want {
		t.Errorf("bad import: %v, want %s", err, want)
	}
	if after, _ := f.exportJSON(t, at); after != before {
		t.Errorf("refused import changed the export:\n%s\nwas\n%s", after, before)
	}
	if err := f.db.LinkPhone(context.Background(), "+989370009999", "P-1"); err != nil {
		t.Fatal(err)
	}
	if err := f.importFile(t, exportContracts); err != nil {
		t.Fatal(err)
	}
	_, d := f.exportJSON(t, at)
	checkExportFields(t, "P-1", exportItem(t, d, "customers", "id", "P-1"), map[string]any{
		"phones": []any{"+989121230001", "+989370009999"},
	})
}
