package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// timeLayout is RFC 3339 in UTC with exactly nine fractional digits: every
// stored time has the same width, so comparing the text compares the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// dateLayout is how a rules.Date is stored.
const dateLayout = "2006-01-02"

// timeArg is the stored form of t: UTC text, NULL when zero.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// formatTime is t.UTC().Format(timeLayout), written out by hand: every
// message stores several times, and Format's general layout walk showed in
// the writer's profile (docs/performance.md, "Times written by hand").
func formatTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(timeLayout)
	}
	hour, minute, sec := t.Clock()
	var b [len(timeLayout)]byte
	put := func(i, n, width int) {
		for j := i + width - 1; j >= i; j-- {
			b[j] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond(), 9)
	b[29] = 'Z'
	return string(b[:])
}

// dateArg is the stored form of d: YYYY-MM-DD, NULL when zero.
func dateArg(d rules.Date) any {
	if d == (rules.Date{}) {
		return nil
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// nullString is s, or NULL when s is empty (for optional foreign keys).
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// text scans a column as raw text, whatever the driver hands back.
func text(v any) (string, bool, error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return v, true, nil
	case []byte:
		return string(v), true, nil
	default:
		return "", false, fmt.Errorf("want text, got %T", v)
	}
}

// timeCol scans a stored time into *t; NULL gives the zero time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(v any) error {
	s, ok, err := text(v)
	if err != nil || !ok {
		*c.t = time.Time{}
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", s, err)
	}
	*c.t = t.UTC()
	return nil
}

// dateCol scans a stored date into *d; NULL gives the zero date.
type dateCol struct{ d *rules.Date }

// Scan implements sql.Scanner.
func (c dateCol) Scan(v any) error {
	s, ok, err := text(v)
	if err != nil || !ok {
		*c.d = rules.Date{}
		return err
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return fmt.Errorf("stored date %q: %w", s, err)
	}
	*c.d = rules.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	return nil
}

// stringCol scans a nullable text column into *s; NULL gives "".
type stringCol struct{ s *string }

// Scan implements sql.Scanner.
func (c stringCol) Scan(v any) error {
	s, _, err := text(v)
	*c.s = s
	return err
}

// buttonsArg is the stored form of buttons: a JSON array, NULL when none.
func buttonsArg(b []string) (any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	j, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return string(j), nil
}

// buttonsCol scans a JSON array of strings; NULL gives nil.
type buttonsCol struct{ b *[]string }

// Scan implements sql.Scanner.
func (c buttonsCol) Scan(v any) error {
	s, ok, err := text(v)
	if err != nil || !ok {
		*c.b = nil
		return err
	}
	var b []string
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		return fmt.Errorf("stored buttons %q: %w", s, err)
	}
	*c.b = b
	return nil
}

// fileArgs are the five file columns of f, all NULL when f is nil.
func fileArgs(f *store.File) []any {
	if f == nil {
		return []any{nil, nil, nil, nil, nil}
	}
	return []any{f.Kind, f.Name, f.MIME, f.Bytes, f.Path}
}

// fileCols scans the five file columns; a NULL file_kind means no file.
type fileCols struct {
	kind, name, mime, path sql.NullString
	bytes                  sql.NullInt64
}

// dest lists the scan targets in column order.
func (f *fileCols) dest() []any {
	return []any{&f.kind, &f.name, &f.mime, &f.bytes, &f.path}
}

// file is the scanned file, nil when the row has none.
func (f *fileCols) file() *store.File {
	if !f.kind.Valid {
		return nil
	}
	return &store.File{Kind: store.FileKind(f.kind.String), Name: f.name.String, MIME: f.mime.String, Bytes: f.bytes.Int64, Path: f.path.String}
}
