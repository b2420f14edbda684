package importcsv_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"supportbot/store/importcsv"
)

func encodeUTF16LE(s string, bom bool) string {
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// Files as Excel saves them under Persian settings get a hint saying what
// to change, not a list of missing columns.
func TestParseHintsForExcelFormats(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"UTF-16 with a mark", encodeUTF16LE(header+goodRow, true), "file is UTF-16"},
		{"UTF-16 without a mark", encodeUTF16LE(header+goodRow, false), "file is UTF-16"},
		{"Persian semicolons", strings.ReplaceAll(header+goodRow, ",", "؛"), `Persian semicolon "؛"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := importcsv.Parse("c.csv", strings.NewReader(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "c.csv:1:") {
				t.Errorf("error %v, want c.csv:1: … %q", err, tt.want)
			}
		})
	}
	// A Persian semicolon between phones is still a separator.
	b, err := importcsv.Parse("c.csv", strings.NewReader(header+strings.Replace(goodRow, "09121230001", "09121230001؛09121230002", 1)))
	if err != nil || len(b.Customers) != 1 || len(b.Customers[0].Phones) != 2 {
		t.Errorf("phones with ؛: %v %+v", err, b.Customers)
	}
}
