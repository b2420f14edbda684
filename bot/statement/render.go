package statement

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"supportbot/locales"
	"supportbot/rules"
)

// Formats a statement can be written in.
const (
	FormatText = "text"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Write renders s in format (text, csv or xlsx) with p's catalog.
func Write(w io.Writer, s Statement, p *locales.Printer, format string) error {
	switch format {
	case FormatText, "":
		_, err := io.WriteString(w, Text(s, p))
		return err
	case FormatCSV:
		return CSV(w, s, p)
	case FormatXLSX:
		return XLSX(w, s, p)
	}
	return fmt.Errorf("statement: format %q: want text, csv or xlsx", format)
}

// Text is the statement as Persian (or English) lines: dates Jalali,
// digits in the reader's script, every line starting with a word of the
// language so it lays out right to left.
func Text(s Statement, p *locales.Printer) string {
	var b strings.Builder
	line := func(key string, args map[string]any) {
		b.WriteString(p.T(key, args))
		b.WriteByte('\n')
	}
	line("statement.title", map[string]any{"month": locales.Raw(p.MonthName(s.Mon) + " " + p.Number(s.Year))})
	line("statement.customer", map[string]any{"name": s.Customer.Name, "id": s.Customer.ID})
	line("statement.as_of", map[string]any{"at": s.AsOf})
	if len(s.Contracts) == 0 {
		line("statement.no_contracts", nil)
	}
	for _, c := range s.Contracts {
		b.WriteByte('\n')
		k := c.Contract
		line("statement.contract", map[string]any{"id": k.ID, "kind": k.Kind, "tier": k.Tier, "subject": subject(k), "status": c.Status})
		if len(c.Requests) == 0 {
			line("statement.no_requests", nil)
		} else {
			line("statement.requests", map[string]any{"count": len(c.Requests)})
		}
		for _, r := range c.Requests {
			t := r.Ticket
			args := map[string]any{
				"id": t.ID, "opened": rules.DateOf(t.OpenedAt.In(p.Location())), "kind": t.Kind,
				"status": locales.Raw(p.T("ticket_status."+string(t.Status), nil)), "deadline": r.Deadline,
				"due": t.FirstResponseDue, "logged": minutes(r.LoggedMin),
			}
			if t.FirstResponseDue.IsZero() {
				args["due"] = locales.Raw("-")
			}
			key := "statement.request"
			if t.Severity != "" {
				key, args["severity"] = "statement.request_severity", t.Severity
			}
			if r.OpenedBefore {
				key += "_earlier"
			}
			line(key, args)
			if c.Hourly {
				line("statement.request_charged", map[string]any{"charged": minutes(t.ChargedMin)})
			}
		}
		line("statement.logged", map[string]any{"logged": minutes(c.LoggedMin)})
		if c.Hourly {
			line("statement.hourly.minimum_per_ticket", map[string]any{"minutes": minutes(c.MinimumTopUpMin)})
			for _, e := range c.Entries {
				line("statement.hourly.entry."+string(e.Kind), map[string]any{"minutes": minutes(e.Minutes)})
			}
			line("statement.hourly.charged", map[string]any{"charged": minutes(c.ChargedMin), "cap": minutes(c.MonthCapMin)})
			line("statement.hourly.left", map[string]any{"left": minutes(c.HoursLeftMin), "total": minutes(c.HoursTotalMin)})
		}
		switch {
		case c.RequestsLimit >= 0 && !c.Hourly:
			line("statement.quota", map[string]any{"used": c.MonthRequests, "limit": c.RequestsLimit, "left": max(c.RequestsLimit-c.MonthRequests, 0)})
		case !c.Hourly:
			line("statement.quota_unlimited", map[string]any{"used": c.MonthRequests})
		}
		if c.OnsiteLimit > 0 || c.OnsiteMonth > 0 {
			line("statement.onsite", map[string]any{"month": c.OnsiteMonth, "used": c.OnsiteYearUsed, "limit": c.OnsiteLimit, "left": max(c.OnsiteLimit-c.OnsiteYearUsed, 0)})
		}
		if c.ReinstallsLimit > 0 {
			line("statement.reinstalls", map[string]any{"used": c.ReinstallsUsed, "limit": c.ReinstallsLimit, "left": max(c.ReinstallsLimit-c.ReinstallsUsed, 0)})
		}
	}
	return b.String()
}

func subject(c rules.Contract) string {
	if c.Subject != "" {
		return c.Subject
	}
	return c.ID
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// columns are the table's column keys, in order (catalog statement.col.*).
var columns = []string{"contract", "row", "ticket", "opened", "kind", "severity", "status", "due", "answered", "deadline", "logged_min", "charged_min", "note"}

// Rows is the statement as a table for CSV and xlsx: a header of Persian
// column names, then per contract one row a request and rows for the
// month's totals, the month-end minimum, on-site visits and what is left.
// Dates are Jalali "1405/09/08 10:00" and numbers ASCII, so a spreadsheet
// can sort and sum them.
func Rows(s Statement, p *locales.Printer) [][]string {
	header := make([]string, len(columns))
	for i, c := range columns {
		header[i] = p.T("statement.col."+c, nil)
	}
	rows := [][]string{header}
	label := func(key string) string { return p.T("statement.row."+key, nil) }
	row := func(contract, kind string) []string {
		r := make([]string, len(columns))
		r[0], r[1] = contract, label(kind)
		return r
	}
	num := strconv.Itoa
	for _, c := range s.Contracts {
		id := c.Contract.ID
		for _, rq := range c.Requests {
			t := rq.Ticket
			r := row(id, "request")
			if rq.OpenedBefore {
				r[1] = label("request_earlier")
			}
			r[2] = num(int(t.ID))
			r[3] = jalali(t.OpenedAt, p.Location())
			r[4] = p.T(t.Kind.LocaleKey(), nil)
			if t.Severity != "" {
				r[5] = p.T(t.Severity.LocaleKey(), nil)
			}
			r[6] = p.T("ticket_status."+string(t.Status), nil)
			r[7] = jalali(t.FirstResponseDue, p.Location())
			r[8] = jalali(t.FirstResponseAt, p.Location())
			r[9] = p.T(rq.Deadline.LocaleKey(), nil)
			r[10] = num(rq.LoggedMin)
			if c.Hourly {
				r[11] = num(t.ChargedMin)
			}
			rows = append(rows, r)
		}
		total := row(id, "logged")
		total[10] = num(c.LoggedMin)
		if c.Hourly {
			top := row(id, "minimum_per_ticket")
			top[11] = num(c.MinimumTopUpMin)
			rows = append(rows, total, top)
			for _, e := range c.Entries {
				r := row(id, "entry_"+string(e.Kind))
				r[11] = num(e.Minutes)
				rows = append(rows, r)
			}
			charged := row(id, "charged")
			charged[11] = num(c.ChargedMin)
			charged[12] = p.T("statement.note.cap", map[string]any{"cap": locales.Raw(num(c.MonthCapMin))})
			left := row(id, "hours_left")
			left[11] = num(c.HoursLeftMin)
			left[12] = p.T("statement.note.of_total", map[string]any{"total": locales.Raw(num(c.HoursTotalMin))})
			rows = append(rows, charged, left)
		} else {
			rows = append(rows, total)
			q := row(id, "requests")
			q[12] = num(c.MonthRequests)
			if c.RequestsLimit >= 0 {
				q[12] = p.T("statement.note.quota", map[string]any{"used": locales.Raw(num(c.MonthRequests)), "limit": locales.Raw(num(c.RequestsLimit))})
			}
			rows = append(rows, q)
		}
		if c.OnsiteLimit > 0 || c.OnsiteMonth > 0 {
			r := row(id, "onsite")
			r[12] = p.T("statement.note.onsite", map[string]any{
				"month": locales.Raw(num(c.OnsiteMonth)), "used": locales.Raw(num(c.OnsiteYearUsed)), "limit": locales.Raw(num(c.OnsiteLimit)),
			})
			rows = append(rows, r)
		}
	}
	return rows
}

// jalali is t as "1405/09/08 10:00" in loc, ASCII digits; "" when zero.
func jalali(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	y, m, d := rules.JalaliOf(t)
	return fmt.Sprintf("%04d/%02d/%02d %02d:%02d", y, m, d, t.Hour(), t.Minute())
}

// CSV writes Rows as UTF-8 CSV with a byte-order mark, so spreadsheet
// programs read the Persian as UTF-8.
func CSV(w io.Writer, s Statement, p *locales.Printer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(Rows(s, p)); err != nil {
		return fmt.Errorf("statement: csv: %w", err)
	}
	return nil
}

// XLSX writes Rows as one right-to-left sheet named for the month, numbers
// as numbers.
func XLSX(w io.Writer, s Statement, p *locales.Printer) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return storedZip{zip.NewWriter(w)} })
	sheet := SheetName(s)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("statement: xlsx: %w", err)
	}
	rtl := true
	if p.Lang() != "fa" {
		rtl = false
	}
	if err := f.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return fmt.Errorf("statement: xlsx: %w", err)
	}
	for i, r := range Rows(s, p) {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
			if n, err := strconv.Atoi(v); err == nil && i > 0 && (columns[j] == "ticket" || strings.HasSuffix(columns[j], "_min")) {
				vals[j] = n
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return fmt.Errorf("statement: xlsx: %w", err)
		}
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("statement: xlsx: %w", err)
		}
	}
	if err := f.SetColWidth(sheet, "A", "M", 16); err != nil {
		return fmt.Errorf("statement: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("statement: xlsx: %w", err)
	}
	return nil
}

// storedZip writes the workbook's parts without compressing them: a
// statement's workbook is some 19 KB so, 6 KB deflated, and deflating its
// dozen parts took about half of writing it (docs/performance.md, "Years
// of data"). Spreadsheet programs read stored parts like deflated ones.
type storedZip struct{ *zip.Writer }

func (z storedZip) Create(name string) (io.Writer, error) {
	return z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
}

// SheetName is the xlsx sheet's name: the customer id and the month, without
// the characters sheet names may not hold, at most 31 characters.
func SheetName(s Statement) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]'`, r) {
			return '-'
		}
		return r
	}, s.Customer.ID+" "+s.Month)
	if r := []rune(name); len(r) > 31 {
		name = string(r[len(r)-31:])
	}
	return name
}

// FileName is the statement file's name for format.
func FileName(s Statement, format string) string {
	ext := map[string]string{FormatCSV: "csv", FormatXLSX: "xlsx"}[format]
	if ext == "" {
		ext = "txt"
	}
	return fmt.Sprintf("statement-%s-%s.%s", s.Customer.ID, s.Month, ext)
}
