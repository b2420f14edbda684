package bot

import (
	"context"
	"fmt"
	"strings"

	"supportbot/locales"
	"supportbot/store"
)

// auditNote is what the audit trail records of one staff input: the
// action (a command's canonical name, "button:close", "reply"), the ticket
// it acted on and the details typed. HandleStaff writes it, once, when the
// input did something; a refused or mistyped input leaves no record.
type auditNote struct {
	action string
	ticket int64
	detail string
}

// ticketFirst are the commands whose first argument is a ticket number.
var ticketFirst = map[string]bool{
	"ticket": true, "claim": true, "assign": true, "log": true, "close": true, "reopen": true,
	"decline": true, "note": true, "r": true, "wait": true, "merge": true,
}

// maxAuditDetail bounds the details kept of one action.
const maxAuditDetail = 500

// command notes the command name with its arguments.
func (a *auditNote) command(name, args string) {
	if a == nil {
		return
	}
	a.action, a.detail = name, args
	if ticketFirst[name] {
		f, _ := nextField(args)
		if id, err := parseTicketID(f); err == nil {
			a.ticket = id
		}
	}
}

// note fills what is still unknown: a handler knows the ticket a command
// acted on when it was not typed (a reply to a card, /open).
func (a *auditNote) note(action string, ticket int64, detail string) {
	if a == nil {
		return
	}
	if a.action == "" {
		a.action = action
	}
	if a.ticket == 0 {
		a.ticket = ticket
	}
	if a.detail == "" {
		a.detail = detail
	}
}

// recordAudit appends the input's record, when it did something.
func (d *Desk) recordAudit(ctx context.Context, tx store.Store, in staffIn) error {
	a := in.audit
	if a == nil || a.action == "" {
		return nil
	}
	return d.audit(ctx, tx, store.AuditRecord{
		At: in.At, UserID: in.UserID, UserName: clip(strings.TrimSpace(in.UserName), 64),
		Action: a.action, TicketID: a.ticket, Detail: clip(strings.TrimSpace(a.detail), maxAuditDetail),
	})
}

// audit appends one record.
func (d *Desk) audit(ctx context.Context, tx store.Store, r store.AuditRecord) error {
	if err := tx.AddAudit(ctx, &r); err != nil {
		return fmt.Errorf("desk: audit: %w", err)
	}
	return nil
}

// maxAuditLines bounds the history /ticket shows; the export has it all.
const maxAuditLines = 30

// auditText is a ticket's audit trail for /ticket, "" when it has none.
func (d *Desk) auditText(ctx context.Context, tx store.Store, ticketID int64) (string, error) {
	rs, err := tx.Audit(ctx, ticketID)
	if err != nil {
		return "", fmt.Errorf("desk: audit of ticket %d: %w", ticketID, err)
	}
	if len(rs) == 0 {
		return "", nil
	}
	lines := []string{d.printer.T("lifecycle.audit.title", map[string]any{"id": ticketID, "count": len(rs)})}
	if len(rs) > maxAuditLines {
		rs = rs[len(rs)-maxAuditLines:]
	}
	for _, r := range rs {
		who := r.UserName
		if who == "" && r.UserID != 0 {
			who = string(userID(r.UserID))
		}
		if r.UserID == 0 {
			who = d.printer.T("lifecycle.audit.bot", nil)
		}
		key := "lifecycle.audit.line"
		if r.Detail == "" {
			key = "lifecycle.audit.line_bare"
		}
		lines = append(lines, d.printer.T(key, map[string]any{
			"at": r.At.In(d.loc), "who": who, "action": r.Action, "detail": locales.Raw(clip(r.Detail, 120)),
		}))
	}
	return strings.Join(lines, "\n"), nil
}
