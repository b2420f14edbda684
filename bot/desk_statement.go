package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"supportbot/bot/statement"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// cmdStatement sends a customer's monthly statement as a file:
// "/statement CUSTOMER_ID [1405-09] [xlsx|csv|text]"; the month defaults to
// the current one and the format to xlsx.
func (d *Desk) cmdStatement(ctx context.Context, tx store.Store, in staffIn, args string) error {
	usage := d.raw("lifecycle.syntax.statement")
	id, rest := nextField(args)
	if id == "" {
		return fail("desk.err.missing_customer", map[string]any{"usage": usage})
	}
	cu, err := d.findCustomer(ctx, tx, id)
	if err != nil {
		return err
	}
	year, month, _ := rules.JalaliOf(in.At.In(d.loc))
	format := statement.FormatXLSX
	for rest != "" {
		var f string
		f, rest = nextField(rest)
		switch rules.Fold(f) {
		case statement.FormatXLSX, statement.FormatCSV, statement.FormatText:
			format = rules.Fold(f)
			continue
		}
		if year, month, err = statement.ParseMonth(f); err != nil {
			return fail("statement.desk.err_month", map[string]any{"arg": clip(f, 20), "usage": usage})
		}
	}
	if d.cfg.FilesDir == "" {
		return fail("statement.desk.err_files", nil)
	}
	s, err := statement.Build(ctx, tx, d.policy, cu.ID, year, month, in.At)
	if errors.Is(err, store.ErrNotFound) {
		return fail("desk.err.unknown_customer", map[string]any{"arg": clip(id, 32)})
	}
	if err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	var buf bytes.Buffer
	if err := statement.Write(&buf, s, d.printer, format); err != nil {
		return fmt.Errorf("desk: %w", err)
	}
	mime := map[string]string{
		statement.FormatXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		statement.FormatCSV:  "text/csv",
		statement.FormatText: "text/plain",
	}[format]
	file, err := outbox.SaveFile(d.cfg.FilesDir, statement.FileName(s, format), store.FileDocument, mime, buf.Bytes())
	if err != nil {
		return fmt.Errorf("desk: statement file: %w", err)
	}
	caption := d.printer.T("statement.desk.caption", map[string]any{"month": s.Month, "name": cu.Name, "id": cu.ID})
	_, err = d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), Text: caption, File: file})
	return err
}
