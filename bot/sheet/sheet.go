// Package sheet writes the export snapshot as a spreadsheet for managers
// (`supportbot export -format xlsx`): sheets of customers, contracts with
// their usage, and tickets, laid out right to left, each date both as
// RFC 3339 and, in the column beside it, as a Jalali date
// (docs/interface.md, "State").
package sheet

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"supportbot/export"
	"supportbot/rules"
)

// T gives a column or sheet title from the locale catalogs (export.*).
type T func(key string) string

// column is one column: its title key and its value in a row.
type column[R any] struct {
	key  string
	cell func(R) any
	date bool // an RFC 3339 value: a Jalali column follows
}

// Write writes snap to w as an .xlsx workbook; loc is the zone the Jalali
// dates are shown in (Tehran).
func Write(w io.Writer, snap export.Snapshot, loc *time.Location, t T) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheet(f, t("export.sheet.customers"), snap.Customers, customerColumns, loc, t); err != nil {
		return err
	}
	if err := writeSheet(f, t("export.sheet.contracts"), snap.Contracts, contractColumns, loc, t); err != nil {
		return err
	}
	if err := writeSheet(f, t("export.sheet.tickets"), snap.Tickets, ticketColumns, loc, t); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// writeSheet streams rows into a new right-to-left sheet, so memory stays
// flat however many tickets there are.
func writeSheet[R any](f *excelize.File, name string, rows []R, cols []column[R], loc *time.Location, t T) error {
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	rtl := true
	if err := f.SetSheetView(name, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	var header []any
	for _, c := range cols {
		header = append(header, t(c.key))
		if c.date {
			header = append(header, t(c.key)+" ("+t("export.jalali")+")")
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{}); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	row := make([]any, 0, len(header))
	for i, r := range rows {
		row = row[:0]
		for _, c := range cols {
			v := c.cell(r)
			row = append(row, v)
			if c.date {
				row = append(row, jalali(v, loc))
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("xlsx: sheet %s row %d: %w", name, i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: sheet %s: %w", name, err)
	}
	return nil
}

// jalali turns an RFC 3339 cell into "1405/09/06 17:00" (a date at
// midnight loses the time); "" for an empty cell.
func jalali(v any, loc *time.Location) any {
	s, ok := v.(string)
	if !ok || s == "" {
		return ""
	}
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ""
	}
	at = at.In(loc)
	y, m, d := rules.JalaliOf(at)
	out := fmt.Sprintf("%04d/%02d/%02d", y, m, d)
	if at.Hour() != 0 || at.Minute() != 0 {
		out += at.Format(" 15:04")
	}
	return out
}

func str(p *string) any {
	if p == nil {
		return ""
	}
	return *p
}

func num[N int | int64](p *N) any {
	if p == nil {
		return ""
	}
	return *p
}

func limit(n int) any {
	if n < 0 {
		return "∞"
	}
	return n
}

var customerColumns = []column[export.Customer]{
	{key: "export.col.customer_id", cell: func(c export.Customer) any { return c.ID }},
	{key: "export.col.name", cell: func(c export.Customer) any { return c.Name }},
	{key: "export.col.city", cell: func(c export.Customer) any { return c.City }},
	{key: "export.col.phones", cell: func(c export.Customer) any { return joinPhones(c.Phones) }},
}

func joinPhones(ps []string) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}

var contractColumns = []column[export.Contract]{
	{key: "export.col.contract_id", cell: func(c export.Contract) any { return c.ID }},
	{key: "export.col.customer_id", cell: func(c export.Contract) any { return c.CustomerID }},
	{key: "export.col.kind", cell: func(c export.Contract) any { return string(c.Kind) }},
	{key: "export.col.tier", cell: func(c export.Contract) any { return string(c.Tier) }},
	{key: "export.col.subject", cell: func(c export.Contract) any { return c.Subject }},
	{key: "export.col.status", cell: func(c export.Contract) any { return string(c.Status) }},
	{key: "export.col.support_start", cell: func(c export.Contract) any { return str(c.SupportStart) }, date: true},
	{key: "export.col.support_end", cell: func(c export.Contract) any { return str(c.SupportEnd) }, date: true},
	{key: "export.col.month", cell: func(c export.Contract) any { return c.Usage.Month }},
	{key: "export.col.requests", cell: func(c export.Contract) any { return c.Usage.Requests }},
	{key: "export.col.requests_limit", cell: func(c export.Contract) any { return limit(c.Usage.RequestsLimit) }},
	{key: "export.col.onsite", cell: func(c export.Contract) any { return fmt.Sprintf("%d/%d", c.Usage.OnsiteUsed, c.Usage.OnsiteLimit) }},
	{key: "export.col.reinstalls", cell: func(c export.Contract) any {
		return fmt.Sprintf("%d/%d", c.Usage.ReinstallsUsed, c.Usage.ReinstallsLimit)
	}},
	{key: "export.col.hours_total", cell: func(c export.Contract) any { return hours(c.Usage.HoursTotalMin) }},
	{key: "export.col.hours_used", cell: func(c export.Contract) any { return hours(c.Usage.HoursUsedMin) }},
	{key: "export.col.hours_left", cell: func(c export.Contract) any { return hours(c.Usage.HoursLeftMin) }},
	{key: "export.col.month_used", cell: func(c export.Contract) any { return hours(c.Usage.MonthUsedMin) }},
	{key: "export.col.month_cap", cell: func(c export.Contract) any { return hours(c.Usage.MonthCapMin) }},
}

// hours shows minutes as hours with two decimals (90 → 1.5).
func hours(min *int) any {
	if min == nil {
		return ""
	}
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(*min)/60, 'f', 2, 64), 64)
	return v
}

var ticketColumns = []column[export.Ticket]{
	{key: "export.col.ticket", cell: func(t export.Ticket) any { return t.ID }},
	{key: "export.col.customer_id", cell: func(t export.Ticket) any { return str(t.CustomerID) }},
	{key: "export.col.contract_id", cell: func(t export.Ticket) any { return str(t.ContractID) }},
	{key: "export.col.phone", cell: func(t export.Ticket) any { return t.Phone }},
	{key: "export.col.kind", cell: func(t export.Ticket) any { return string(t.Kind) }},
	{key: "export.col.severity", cell: func(t export.Ticket) any {
		if t.Severity == nil {
			return ""
		}
		return string(*t.Severity)
	}},
	{key: "export.col.status", cell: func(t export.Ticket) any { return string(t.Status) }},
	{key: "export.col.decline_reason", cell: func(t export.Ticket) any {
		if t.DeclineReason == nil {
			return ""
		}
		return string(*t.DeclineReason)
	}},
	{key: "export.col.opened_at", cell: func(t export.Ticket) any { return str(t.OpenedAt) }, date: true},
	{key: "export.col.first_response_due", cell: func(t export.Ticket) any { return str(t.FirstResponseDue) }, date: true},
	{key: "export.col.first_response_at", cell: func(t export.Ticket) any { return str(t.FirstResponseAt) }, date: true},
	{key: "export.col.breached", cell: func(t export.Ticket) any { return t.Breached }},
	{key: "export.col.assignee", cell: func(t export.Ticket) any {
		if t.AssigneeName != nil {
			return *t.AssigneeName
		}
		return num(t.Assignee)
	}},
	{key: "export.col.logged_min", cell: func(t export.Ticket) any { return t.LoggedMin }},
	{key: "export.col.charged_min", cell: func(t export.Ticket) any { return num(t.ChargedMin) }},
	{key: "export.col.closed_at", cell: func(t export.Ticket) any { return str(t.ClosedAt) }, date: true},
	{key: "export.col.csat", cell: func(t export.Ticket) any { return num(t.CSAT) }},
}
