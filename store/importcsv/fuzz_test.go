package importcsv_test

import (
	"os"
	"strings"
	"testing"

	"supportbot/store/importcsv"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic, every error
// line must name the file, and a batch it accepts must be consistent.
func FuzzParse(f *testing.F) {
	good, err := os.ReadFile("testdata/contracts.csv")
	if err != nil {
		f.Fatal(err)
	}
	text := string(good)
	f.Add(text)
	f.Add("\uFEFF" + text)
	f.Add(text[:len(text)/2])
	f.Add(strings.ReplaceAll(text, ",", ";"))
	f.Add(strings.ReplaceAll(text, "\n", "\r\n"))
	f.Add(strings.Replace(text, "P-1,", "\"P-1,", 1))
	f.Add(strings.Replace(text, "1405/07/10", "1405/13/40", 1))
	f.Add(strings.Replace(text, "09121230001", "0912abc", 1))
	f.Add(strings.Replace(text, "A-3,project", "A-3,hourly", 1))
	f.Add(strings.Replace(text, ",,A-3,", ",,A-9,", 1))
	f.Add(header)
	f.Add("")
	f.Add("\"")
	f.Add(header + goodRow + goodRow)
	f.Fuzz(func(t *testing.T, text string) {
		b, err := importcsv.Parse("f.csv", strings.NewReader(text))
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.csv:") {
					t.Fatalf("error line %q does not name the file", line)
				}
			}
			return
		}
		if len(b.Customers) == 0 || len(b.Contracts) == 0 {
			t.Fatalf("accepted an empty batch: %+v", b)
		}
		customers := map[string]bool{}
		phones := map[string]bool{}
		for _, c := range b.Customers {
			if c.ID == "" || c.Name == "" || len(c.Phones) == 0 || customers[c.ID] {
				t.Fatalf("bad customer %+v", c)
			}
			customers[c.ID] = true
			for _, p := range c.Phones {
				if len(p) != 13 || !strings.HasPrefix(p, "+98") || phones[p] {
					t.Fatalf("bad or repeated phone %q of %s", p, c.ID)
				}
				phones[p] = true
			}
		}
		contracts := map[string]bool{}
		for _, c := range b.Contracts {
			if c.ID == "" || contracts[c.ID] || !customers[c.CustomerID] || c.Kind == "" || c.Tier == "" || c.PurchasedOn.IsZero() {
				t.Fatalf("bad contract %+v", c)
			}
			contracts[c.ID] = true
		}
	})
}
