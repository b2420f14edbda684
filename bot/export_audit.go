package bot

import (
	"context"
	"errors"
	"fmt"

	"supportbot/rules"
	"supportbot/store"
)

// ExportAudit is one record of the audit trail as `export -audit` prints
// it: user is the Telegram user id (0 for the bot's own scheduled work),
// ticket null when the action was on none.
type ExportAudit struct {
	At     *string `json:"at"`
	User   int64   `json:"user"`
	Action string  `json:"action"`
	Ticket *int64  `json:"ticket"`
	Detail string  `json:"detail"`

	// Beyond docs/interface.md.
	UserName string `json:"user_name"`
}

// ExportAuditTrail reads the whole audit trail, oldest first, with times
// in p.Calendar's zone; the list is never null.
func ExportAuditTrail(ctx context.Context, st store.Store, p *rules.Policy) ([]ExportAudit, error) {
	if p == nil || p.Calendar == nil || p.Calendar.Loc == nil {
		return nil, errors.New("export: policy without a calendar time zone")
	}
	rs, err := st.Audit(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("export: audit: %w", err)
	}
	x := exporter{p: p, loc: p.Calendar.Loc}
	out := make([]ExportAudit, 0, len(rs))
	for _, r := range rs {
		out = append(out, ExportAudit{
			At: x.instant(r.At), User: r.UserID, Action: r.Action, Ticket: nullIfZero(r.TicketID),
			Detail: r.Detail, UserName: r.UserName,
		})
	}
	return out, nil
}
