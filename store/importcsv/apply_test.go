package importcsv_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"supportbot/store"
	"supportbot/store/importcsv"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// MustOpen opens a fresh database in a temporary directory.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlitetest.Open(tb, filepath.Join(tb.TempDir(), "bot.db"))
	return db
}

// importText parses and applies text as the file c.csv.
func importText(st store.Store, text string) (importcsv.Summary, error) {
	b, err := importcsv.Parse("c.csv", strings.NewReader(text))
	if err != nil {
		return importcsv.Summary{}, err
	}
	return importcsv.Apply(context.Background(), st, b)
}

// MustImport imports text and fails the test on error.
func MustImport(tb testing.TB, st store.Store, text string) importcsv.Summary {
	tb.Helper()
	sum, err := importText(st, text)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return sum
}

// dump is everything an import may change, as JSON, to compare databases.
func dump(tb testing.TB, st store.Store) string {
	tb.Helper()
	ctx := context.Background()
	cs, err := st.ListCustomers(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := st.ListContracts(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.MarshalIndent(map[string]any{"customers": cs, "contracts": ks}, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func phonesOf(tb testing.TB, st store.Store, customerID string) []string {
	tb.Helper()
	c, err := st.Customer(context.Background(), customerID)
	if err != nil {
		tb.Fatal(err)
	}
	return c.Phones
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	db := MustOpen(t)
	text := readFile(t, "testdata/contracts.csv")
	got := MustImport(t, db, text)
	want := importcsv.Summary{CustomersAdded: 3, ContractsAdded: 4, PhonesAdded: 3}
	if got != want {
		t.Errorf("first import %+v, want %+v", got, want)
	}
	first := dump(t, db)
	if got := MustImport(t, db, text); got != (importcsv.Summary{}) {
		t.Errorf("second import %+v, want all zero", got)
	}
	if second := dump(t, db); second != first {
		t.Errorf("second import changed the database:\n%s\nwas\n%s", second, first)
	}
	if got, want := phonesOf(t, db, "P-3"), []string{"+989121230003"}; !slices.Equal(got, want) {
		t.Errorf("P-3 phones %v, want %v", got, want)
	}
}

func TestApplyChangedRowsUpdate(t *testing.T) {
	db := MustOpen(t)
	text := readFile(t, "testdata/contracts.csv")
	MustImport(t, db, text)
	changed := strings.Replace(text, "شرکت نمونه دو", "شرکت نمونه دوم", 1)
	changed = strings.Replace(changed, "silver,ماژول CRM موبایل", "gold,ماژول CRM موبایل", 1)
	got := MustImport(t, db, changed)
	want := importcsv.Summary{CustomersUpdated: 1, ContractsUpdated: 1}
	if got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	ctx := context.Background()
	if c, _ := db.Customer(ctx, "P-2"); c.Name != "شرکت نمونه دوم" {
		t.Errorf("P-2 name %q", c.Name)
	}
	if k, _ := db.Contract(ctx, "A-1"); k.Tier != "gold" {
		t.Errorf("A-1 tier %q", k.Tier)
	}
}

func TestApplyLinkedPhoneSurvives(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	text := readFile(t, "testdata/contracts.csv")
	MustImport(t, db, text)
	if err := db.LinkPhone(ctx, "+989370009999", "P-1"); err != nil {
		t.Fatal(err)
	}
	// Staff also moved P-3's imported number to P-1.
	if err := db.LinkPhone(ctx, "+989121230003", "P-1"); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	if got := MustImport(t, db, text); got != (importcsv.Summary{}) {
		t.Errorf("re-import %+v, want all zero", got)
	}
	if after := dump(t, db); after != before {
		t.Errorf("re-import changed the database:\n%s\nwas\n%s", after, before)
	}
	want := []string{"+989121230001", "+989121230003", "+989370009999"}
	if got := phonesOf(t, db, "P-1"); !slices.Equal(got, want) {
		t.Errorf("P-1 phones %v, want %v", got, want)
	}
}

func TestApplyDroppedPhoneRemoved(t *testing.T) {
	db := MustOpen(t)
	MustImport(t, db, header+"P-1,Co One,Tehran,09121230001;09121230009,A-1,crm,standard,,1405/07/10,,,,\n")
	got := MustImport(t, db, header+"P-1,Co One,Tehran,09121230001,A-1,crm,standard,,1405/07/10,,,,\n")
	if want := (importcsv.Summary{PhonesRemoved: 1}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if got, want := phonesOf(t, db, "P-1"), []string{"+989121230001"}; !slices.Equal(got, want) {
		t.Errorf("P-1 phones %v, want %v", got, want)
	}
}

func TestApplyPhoneMovesWithinFile(t *testing.T) {
	db := MustOpen(t)
	MustImport(t, db, header+
		"P-1,Co One,Tehran,09121230001;09121230009,A-1,crm,standard,,1405/07/10,,,,\n"+
		"P-2,Co Two,Tehran,09121230002,A-2,crm,standard,,1405/07/10,,,,\n")
	// P-2 comes first and takes a number P-1 gives up further down.
	got := MustImport(t, db, header+
		"P-2,Co Two,Tehran,09121230002;09121230009,A-2,crm,standard,,1405/07/10,,,,\n"+
		"P-1,Co One,Tehran,09121230001,A-1,crm,standard,,1405/07/10,,,,\n")
	if want := (importcsv.Summary{PhonesAdded: 1, PhonesRemoved: 1}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
	if got, want := phonesOf(t, db, "P-2"), []string{"+989121230002", "+989121230009"}; !slices.Equal(got, want) {
		t.Errorf("P-2 phones %v, want %v", got, want)
	}
}

func TestApplyHourlyForProjectInDatabase(t *testing.T) {
	db := MustOpen(t)
	MustImport(t, db, readFile(t, "testdata/contracts.csv"))
	got := MustImport(t, db, header+"P-3,شرکت نمونه سه,Tehran,۰۰۹۸۹۱۲۱۲۳۰۰۰۳,A-5,hourly,h50,,1405/09/01,,,A-3,\n")
	if want := (importcsv.Summary{ContractsAdded: 1}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
}

func TestApplyErrorsChangeNothing(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"unknown project", header + "P-3,شرکت نمونه سه,Tehran,09121230003,A-5,hourly,h50,,1405/09/01,,,J-9,\n",
			`c.csv:2: project_id: "J-9": no such contract in this file or the database`},
		{"project is a product", header + "P-1,شرکت نمونه یک,تهران,09121230001,A-5,hourly,h50,,1405/09/01,,,A-1,\n",
			`c.csv:2: project_id: "A-1" is a product contract, not a project`},
		{"project of another customer", header + "P-1,شرکت نمونه یک,تهران,09121230001,A-5,hourly,h50,,1405/09/01,,,A-3,\n",
			`c.csv:2: project_id: "A-3" belongs to customer "P-3", not "P-1"`},
		{"bad project after good rows", header +
			"P-9,New Co,Tehran,09121239999,N-1,product,gold,,1405/09/01,,,,\n" +
			"P-9,New Co,Tehran,,N-2,hourly,h50,,1405/09/01,,,N-1,\n",
			`c.csv:3: project_id: "N-1" is a product contract, not a project`},
		{"number of a customer outside the file", header + "P-9,New Co,Tehran,0912 123 0001,N-1,crm,standard,,1405/09/01,,,,\n",
			`c.csv:2: phones: "+989121230001" of customer "P-9" is already a phone of customer "P-1" from an earlier import; give "P-1" its rows in this file without it, or drop it here`},
	}
	tests = append(tests, badFiles...)
	// One database for all: each refused import must leave it as seeded.
	db := MustOpen(t)
	MustImport(t, db, readFile(t, "testdata/contracts.csv"))
	before := dump(t, db)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := importText(db, tt.text)
			if err == nil {
				t.Fatalf("no error; summary %+v", sum)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			var ie *importcsv.Error
			if !errors.As(err, &ie) {
				t.Errorf("error %v is not an *importcsv.Error", err)
			}
			if sum != (importcsv.Summary{}) {
				t.Errorf("summary %+v on error", sum)
			}
			if after := dump(t, db); after != before {
				t.Errorf("failed import changed the database:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

func TestApplyHandMadeBatch(t *testing.T) {
	db := MustOpen(t)
	b := MustParse(t, header+"P-1,Co,,09121230001,H-1,hourly,h50,,1405/07/10,,,J-1,\n")
	_, err := importcsv.Apply(context.Background(), db, b)
	if err == nil || err.Error() != `c.csv:2: project_id: "J-1": no such contract in this file or the database` {
		t.Errorf("error %v", err)
	}
	if _, err := importcsv.Apply(context.Background(), db, importcsv.Batch{}); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}
