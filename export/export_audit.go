package export

import (
	"context"
	"errors"
	"fmt"

	"supportbot/rules"
	"supportbot/store"
)

// Audit is one record of the audit trail as `export -audit` prints
// it: user is the Telegram user id (0 for the bot's own scheduled work),
// ticket null when the action was on none.
type Audit struct {
	At     *string `json:"at"`
	User   int64   `json:"user"`
	Action string  `json:"action"`
	Ticket *int64  `json:"ticket"`
	Detail string  `json:"detail"`

	// Beyond docs/interface.md.
	UserName string `json:"user_name"`
}

// AuditTrail reads the whole audit trail, oldest first, with times
// in p.Calendar's zone; the list is never null.
func AuditTrail(ctx context.Context, st store.Store, p *rules.Policy) ([]Audit, error) {
	if p == nil || p.Calendar == nil || p.Calendar.Loc == nil {
		return nil, errors.New("export: policy without a calendar time zone")
	}
	x := exporter{p: p, loc: p.Calendar.Loc}
	var snap Snapshot
	err := st.ReadTx(ctx, func(tx store.Store) error { return x.audit(ctx, tx, (*snapshotSink)(&snap)) })
	if err != nil {
		return nil, err
	}
	return *snap.Audit, nil
}

// audit hands the audit trail to sink, oldest first.
func (x exporter) audit(ctx context.Context, tx store.Store, sink exportSink) error {
	if err := sink.section("audit"); err != nil {
		return err
	}
	for r, err := range tx.EachAudit(ctx) {
		if err != nil {
			return fmt.Errorf("export: audit: %w", err)
		}
		err := sink.item(Audit{
			At: x.instant(r.At), User: r.UserID, Action: r.Action, Ticket: nullIfZero(r.TicketID),
			Detail: r.Detail, UserName: r.UserName,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
