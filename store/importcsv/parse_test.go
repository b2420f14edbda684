package importcsv_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store/importcsv"
)

const header = "customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff\n"

// goodRow is line 2 of every table case below.
const goodRow = "P-1,Co One,Tehran,09121230001,A-1,product,silver,Mod,1405/07/10,1405/07/14,1405/07/15,,\n"

// MustParse parses a CSV that the test expects to be good.
func MustParse(tb testing.TB, text string) importcsv.Batch {
	tb.Helper()
	b, err := importcsv.Parse("c.csv", strings.NewReader(text))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return b
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestParseAcceptanceFile(t *testing.T) {
	b, err := importcsv.Parse("contracts.csv", strings.NewReader(readFile(t, "testdata/contracts.csv")))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range b.Customers {
		ids = append(ids, c.ID+"="+strings.Join(c.Phones, ";"))
	}
	want := []string{"P-1=+989121230001", "P-2=+989151230002", "P-3=+989121230003"}
	if !slices.Equal(ids, want) {
		t.Errorf("customers %v, want %v", ids, want)
	}
	if len(b.Contracts) != 4 {
		t.Fatalf("%d contracts, want 4", len(b.Contracts))
	}
	a1, a4 := b.Contracts[0], b.Contracts[3]
	wantA1 := rules.Contract{
		ID: "A-1", CustomerID: "P-1", Kind: rules.KindProduct, Tier: rules.TierSilver, Subject: "ماژول CRM موبایل",
		PurchasedOn: rules.Date{Year: 2026, Month: time.October, Day: 2},
		DeliveredOn: rules.Date{Year: 2026, Month: time.October, Day: 6},
		ConfirmedOn: rules.Date{Year: 2026, Month: time.October, Day: 7},
	}
	if a1 != wantA1 {
		t.Errorf("A-1 = %+v, want %+v", a1, wantA1)
	}
	if a4.Kind != rules.KindHourly || a4.Tier != rules.TierH200 || a4.ProjectID != "A-3" || !a4.DeliveredOn.IsZero() {
		t.Errorf("A-4 = %+v", a4)
	}
	if c := b.Customers[1]; c.City != "مشهد" || c.Name != "شرکت نمونه دو" {
		t.Errorf("P-2 = %+v", c)
	}
}

func TestParseTolerates(t *testing.T) {
	text := "\uFEFF  Phones , CONTRACT_ID,Kind,tier,notes,Customer_Name,customer_id,purchased_on,dedicated_staff,city\n" +
		"\n" +
		"0912 123 0001 ؛ +989121230009,A-1,Product , GOLD ,whatever,Co One,P-1,۱۴۰۵/۰۷/۱۰,۱۰۰۱,Tehran\n" +
		",,,,,,,,,\n" +
		"\"09121230001;00989121230002\",A-2,crm,standard,,Co One,P-1,2026-10-01,,Tehran\n" +
		"09151230002,B-1,hourly,h50,,Co Two,P-2,2026-10-01\n" // short row: missing trailing optional values
	b := MustParse(t, text)
	if len(b.Customers) != 2 || len(b.Contracts) != 3 {
		t.Fatalf("batch %+v", b)
	}
	if got, want := b.Customers[0].Phones, []string{"+989121230001", "+989121230002", "+989121230009"}; !slices.Equal(got, want) {
		t.Errorf("P-1 phones %v, want %v", got, want)
	}
	c := b.Contracts[0]
	if c.Kind != rules.KindProduct || c.Tier != rules.TierGold || c.DedicatedStaff != 1001 || c.Subject != "" {
		t.Errorf("A-1 = %+v", c)
	}
	if b.Customers[1].City != "" {
		t.Errorf("P-2 city %q, want empty", b.Customers[1].City)
	}
}

// badFiles are CSVs that Parse refuses, with the exact message.
var badFiles = []struct {
	name, text, want string
}{
	{"empty file", "", `c.csv:1: empty file: want a header row naming the columns (customer_id,customer_name,phones,contract_id,kind,tier,purchased_on,city,subject,delivered_on,confirmed_on,project_id,dedicated_staff)`},
	{"only blank lines", "\n\n", `c.csv:1: empty file: want a header row naming the columns (customer_id,customer_name,phones,contract_id,kind,tier,purchased_on,city,subject,delivered_on,confirmed_on,project_id,dedicated_staff)`},
	{"header only", header, `c.csv:1: no rows after the header`},
	{"header and blank rows", header + ",,,,,,,,,,,,\n\n", `c.csv:1: no rows after the header`},
	{"missing column", "customer_id,customer_name,contract_id,kind,tier,purchased_on\nP-1,x,A-1,crm,standard,2026-01-01\n",
		`c.csv:1: missing column "phones"`},
	{"semicolons", "customer_id;customer_name;phones;contract_id;kind;tier;purchased_on\n",
		`c.csv:1: missing columns "customer_id", "customer_name", "phones", "contract_id", "kind", "tier", "purchased_on" (columns must be separated by commas)`},
	{"duplicate column", "customer_id,customer_name,phones,contract_id,kind,tier,purchased_on,Phones\n",
		`c.csv:1: phones: column appears twice (columns 3 and 8)`},
	{"bad phone", header + goodRow + "P-2,Co Two,Tehran,0912abc,A-2,product,silver,,1405/07/10,,,,\n",
		`c.csv:3: phones: "0912abc" is not an Iranian phone number`},
	{"bad second phone", header + goodRow + "P-2,Co Two,Tehran,09121230002; 12345,A-2,product,silver,,1405/07/10,,,,\n",
		`c.csv:3: phones: "12345" is not an Iranian phone number`},
	{"no phone", header + goodRow + "P-2,Co Two,Tehran,,A-2,product,silver,,1405/07/10,,,,\n",
		`c.csv:3: phones: customer "P-2" has no phone number on any row`},
	{"only separators", header + goodRow + "P-2,Co Two,Tehran, ; ;,A-2,product,silver,,1405/07/10,,,,\n",
		`c.csv:3: phones: customer "P-2" has no phone number on any row`},
	{"empty customer_id", header + goodRow + ",Co Two,Tehran,09121230002,A-2,product,silver,,1405/07/10,,,,\n",
		`c.csv:3: customer_id: empty, a value is required`},
	{"empty purchased_on", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,,,,,\n",
		`c.csv:3: purchased_on: empty, a value is required`},
	{"bad kind", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,service,silver,,1405/07/10,,,,\n",
		`c.csv:3: kind: "service" is not a contract kind (product, project, hourly, crm)`},
	{"tier of another kind", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,hourly,gold,,1405/07/10,,,,\n",
		`c.csv:3: tier: "gold" is not a tier of hourly contracts (h50, h100, h200)`},
	{"bronze project", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,project,bronze,,1405/07/10,,,,\n",
		`c.csv:3: tier: "bronze" is not a tier of project contracts (base, silver, gold)`},
	{"bad date", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,1405/13/01,,,,\n",
		`c.csv:3: purchased_on: "1405/13/01" is not a date (Jalali 1405/09/06 or Gregorian 2026-11-27)`},
	{"bad delivered date", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,1405/07/10,2026-02-30,,,\n",
		`c.csv:3: delivered_on: "2026-02-30" is not a date (Jalali 1405/09/06 or Gregorian 2026-11-27)`},
	{"delivered before purchase", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,1405/07/10,1405/07/09,,,\n",
		`c.csv:3: delivered_on: "1405/07/09" is before purchased_on "1405/07/10"`},
	{"confirmed before delivery", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,1405/07/10,2026-10-10,2026-10-09,,\n",
		`c.csv:3: confirmed_on: "2026-10-09" is before delivered_on "2026-10-10"`},
	{"confirmed without delivery", header + goodRow + "P-2,Co Two,Tehran,09121230002,A-2,product,silver,,1405/07/10,,1405/07/20,,\n",
		`c.csv:3: confirmed_on: "1405/07/20" is set but delivered_on is empty`},
	{"hourly delivered", header + goodRow + "P-1,Co One,Tehran,09121230001,H-1,hourly,h50,,1405/07/10,1405/07/11,,,\n",
		`c.csv:3: delivered_on: "1405/07/11" is set on an hourly package; hourly packages are not delivered, leave it empty`},
	{"hourly confirmed", header + goodRow + "P-1,Co One,Tehran,09121230001,H-1,hourly,h50,,1405/07/10,,1405/07/11,,\n",
		`c.csv:3: confirmed_on: "1405/07/11" is set on an hourly package; hourly packages are not delivered, leave it empty`},
	{"project_id on a product", header + goodRow + "P-1,Co One,Tehran,09121230001,A-2,product,gold,,1405/07/10,,,A-1,\n",
		`c.csv:3: project_id: "A-1" is set on a product contract; only hourly packages serve a project`},
	{"hourly for a product", header + goodRow + "P-1,Co One,Tehran,09121230001,H-1,hourly,h50,,1405/07/10,,,A-1,\n",
		`c.csv:3: project_id: "A-1" is a product contract, not a project`},
	{"hourly for another customer's project", header + goodRow +
		"P-2,Co Two,Tehran,09121230002,J-1,project,base,,1405/07/10,,,,\n" +
		"P-1,Co One,Tehran,09121230001,H-1,hourly,h50,,1405/07/10,,,J-1,\n",
		`c.csv:4: project_id: "J-1" belongs to customer "P-2", not "P-1"`},
	{"dedicated_staff not a number", header + goodRow + "P-1,Co One,Tehran,09121230001,A-2,product,gold,,1405/07/10,,,,sara\n",
		`c.csv:3: dedicated_staff: "sara" is not a Telegram user id (a positive whole number)`},
	{"dedicated_staff zero", header + goodRow + "P-1,Co One,Tehran,09121230001,A-2,product,gold,,1405/07/10,,,,0\n",
		`c.csv:3: dedicated_staff: "0" is not a Telegram user id (a positive whole number)`},
	{"dedicated_staff negative", header + goodRow + "P-1,Co One,Tehran,09121230001,A-2,product,gold,,1405/07/10,,,,-5\n",
		`c.csv:3: dedicated_staff: "-5" is not a Telegram user id (a positive whole number)`},
	{"contract twice", header + goodRow + "P-1,Co One,Tehran,09121230001,A-1,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: contract_id: "A-1" appears twice (lines 2 and 3)`},
	{"customer renamed", header + goodRow + "P-1,Co 1,Tehran,09121230001,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: customer_name: "Co 1" differs from "Co One" on line 2 for customer "P-1"`},
	{"customer moved", header + goodRow + "P-1,Co One,تهران,09121230001,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: city: "تهران" differs from "Tehran" on line 2 for customer "P-1"`},
	{"phone of two customers", header + goodRow + "P-2,Co Two,Tehran,+98 912 123 0001,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: phones: "+98 912 123 0001" is also a phone of customer "P-1" on line 2`},
	{"too many fields", header + goodRow + "P-2,Co, Two,Tehran,09121230002,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: row has 14 fields, the header has 13 (a comma inside a value needs the value in double quotes)`},
	{"bare quote", header + goodRow + "P-2,Co \"Two\",Tehran,09121230002,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: not valid CSV: bare " in non-quoted-field`},
	{"not UTF-8", header + goodRow + "P-2,\xc7\xe1\xdd,Tehran,09121230002,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:3: customer_name: not UTF-8 text (save the file as CSV UTF-8)`},
	{"line after a multi-line value", header + "P-1,Co One,Tehran,09121230001,A-1,product,silver,\"two\nlines\",1405/07/10,,,,\n" +
		"P-2,Co Two,Tehran,0912,A-2,crm,standard,,1405/07/10,,,,\n",
		`c.csv:4: phones: "0912" is not an Iranian phone number`},
	{"two bad rows", header + "P-2,Co Two,Tehran,0912,A-2,crm,standard,,1405/07/10,,,,\n" + goodRow + "P-3,Co 3,,09121230003,A-3,crm,basic,,1405/07/10,,,,\n",
		"c.csv:2: phones: \"0912\" is not an Iranian phone number\nc.csv:4: tier: \"basic\" is not a tier of crm contracts (standard)"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range badFiles {
		t.Run(tt.name, func(t *testing.T) {
			b, err := importcsv.Parse("c.csv", strings.NewReader(tt.text))
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
			var ie *importcsv.Error
			if !errors.As(err, &ie) || ie.File != "c.csv" {
				t.Errorf("error %v is not an *importcsv.Error of c.csv", err)
			}
			if len(b.Customers) != 0 || len(b.Contracts) != 0 {
				t.Errorf("batch not empty on error: %+v", b)
			}
		})
	}
}

func TestParseErrorWrapsCause(t *testing.T) {
	_, err := importcsv.Parse("c.csv", strings.NewReader(header+"P-1,Co,,0912abc,A-1,crm,standard,,1405/07/10,,,,\n"))
	if !errors.Is(err, rules.ErrInvalidPhone) {
		t.Errorf("error %v does not wrap rules.ErrInvalidPhone", err)
	}
}

func TestParseStopsAfterManyErrors(t *testing.T) {
	text := header
	for range 100 {
		text += "P-1,Co,,0912abc,A-1,crm,standard,,1405/07/10,,,,\n"
	}
	_, err := importcsv.Parse("c.csv", strings.NewReader(text))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 21 || lines[20] != "c.csv: stopped after 20 errors" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
