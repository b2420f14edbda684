package sqlite

import (
	"context"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// ticketFields are the ticket columns but id; ticketCols all of them.
const (
	ticketFields = `contract_id, customer_id, phone, kind, severity, status, decline_reason, description,
	opened_at, first_response_due, first_response_at, closed_at, assignee, assignee_name, logged_min, charged_min,
	waiting_since, nudged_at, merged_into, csat, csat_asked_at, csat_pending`
	ticketCols = `id, ` + ticketFields
)

// ticketArgs are the values of ticketFields. The statuses waiting and
// merged are stored as answered and declined with their own columns set
// (migration 0011); those columns are kept only while the status holds.
func ticketArgs(t store.Ticket) []any {
	status := string(t.Status)
	var waiting, nudged any
	var merged int64
	switch t.Status {
	case store.TicketWaiting:
		status, waiting, nudged = string(store.TicketAnswered), timeArg(t.WaitingSince), timeArg(t.NudgedAt)
		if waiting == nil {
			waiting = timeArg(t.OpenedAt) // waiting needs a start; never zero in practice
		}
	case store.TicketMerged:
		status, merged = string(store.TicketDeclined), t.MergedInto
	}
	pending := 0
	if t.CSATPending {
		pending = 1
	}
	return []any{nullString(t.ContractID), nullString(t.CustomerID), t.Phone, string(t.Kind), string(t.Severity),
		status, string(t.DeclineReason), t.Description,
		timeArg(t.OpenedAt), timeArg(t.FirstResponseDue), timeArg(t.FirstResponseAt), timeArg(t.ClosedAt),
		t.Assignee, t.AssigneeName, t.LoggedMin, t.ChargedMin,
		waiting, nudged, merged, t.CSAT, timeArg(t.CSATAskedAt), pending}
}

// scanTicket reads one row of ticketCols.
func scanTicket(s interface{ Scan(...any) error }) (store.Ticket, error) {
	var t store.Ticket
	var kind, severity, status, reason string
	err := s.Scan(&t.ID, stringCol{&t.ContractID}, stringCol{&t.CustomerID}, &t.Phone, &kind, &severity,
		&status, &reason, &t.Description,
		timeCol{&t.OpenedAt}, timeCol{&t.FirstResponseDue}, timeCol{&t.FirstResponseAt}, timeCol{&t.ClosedAt},
		&t.Assignee, &t.AssigneeName, &t.LoggedMin, &t.ChargedMin,
		timeCol{&t.WaitingSince}, timeCol{&t.NudgedAt}, &t.MergedInto, &t.CSAT, timeCol{&t.CSATAskedAt}, &t.CSATPending)
	t.Kind, t.Severity, t.Status = rules.RequestKind(kind), rules.Severity(severity), store.TicketStatus(status)
	t.DeclineReason = rules.DeclineReason(reason)
	switch {
	case t.Status == store.TicketAnswered && !t.WaitingSince.IsZero():
		t.Status = store.TicketWaiting
	case t.Status == store.TicketDeclined && t.MergedInto != 0:
		t.Status = store.TicketMerged
	}
	return t, err
}

// CreateTicket stores a new ticket and sets t.ID; ids count up from 1 and
// are never reused. An empty Status is stored as new. The contract and
// customer, when given, must exist (store.ErrConflict otherwise).
func (q *queries) CreateTicket(ctx context.Context, t *store.Ticket) error {
	if t.Status == "" {
		t.Status = store.TicketNew
	}
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO tickets (`+ticketFields+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ticketArgs(*t)...))
	if err != nil {
		return wrap(err, "create ticket")
	}
	t.ID = id
	return nil
}

// Ticket returns one ticket.
func (q *queries) Ticket(ctx context.Context, id int64) (store.Ticket, error) {
	t, err := scanTicket(q.rd.QueryRowContext(ctx, `SELECT `+ticketCols+` FROM tickets WHERE id = ?`, id))
	if err != nil {
		return store.Ticket{}, wrap(err, "ticket %d", id)
	}
	return t, nil
}

// UpdateTicket overwrites every field of the ticket with t.ID.
//
// A ticket's contract, customer, phone, kind, opening time and deadline are
// set when it opens, and the desk changes the rest. So the update first
// sets only the rest, on the condition that the fixed fields are as given:
// SQLite then leaves alone the indexes on columns not set (customer,
// phone), which made the full update the costliest statement of a staff
// reply. When a fixed field did change, the full update runs.
func (q *queries) UpdateTicket(ctx context.Context, t store.Ticket) error {
	a := ticketArgs(t)
	res, err := q.wr.ExecContext(ctx, `UPDATE tickets SET
		severity = ?, status = ?, decline_reason = ?, description = ?, first_response_at = ?, closed_at = ?,
		assignee = ?, assignee_name = ?, logged_min = ?, charged_min = ?,
		waiting_since = ?, nudged_at = ?, merged_into = ?, csat = ?, csat_asked_at = ?, csat_pending = ?
		WHERE id = ? AND contract_id IS ? AND customer_id IS ? AND phone = ? AND kind = ?
			AND opened_at IS ? AND first_response_due IS ?`,
		a[4], a[5], a[6], a[7], a[10], a[11], a[12], a[13], a[14], a[15],
		a[16], a[17], a[18], a[19], a[20], a[21],
		t.ID, a[0], a[1], a[2], a[3], a[8], a[9])
	if err != nil {
		return wrap(err, "update ticket %d", t.ID)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil
	}
	args := append(a, t.ID)
	err = mustAffect(q.wr.ExecContext(ctx, `UPDATE tickets SET
		contract_id = ?, customer_id = ?, phone = ?, kind = ?, severity = ?, status = ?, decline_reason = ?,
		description = ?, opened_at = ?, first_response_due = ?, first_response_at = ?, closed_at = ?,
		assignee = ?, assignee_name = ?, logged_min = ?, charged_min = ?,
		waiting_since = ?, nudged_at = ?, merged_into = ?, csat = ?, csat_asked_at = ?, csat_pending = ?
		WHERE id = ?`, args...))
	return wrap(err, "update ticket %d", t.ID)
}

// ListTickets returns the tickets f selects, by id.
func (q *queries) ListTickets(ctx context.Context, f store.TicketFilter) ([]store.Ticket, error) {
	var ts []store.Ticket
	for t, err := range q.EachTicket(ctx, f) {
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// lastActivity is a ticket's latest time, as the index
// tickets_last_activity has it.
const lastActivity = `max(coalesce(opened_at, ''), coalesce(first_response_at, ''), coalesce(first_response_due, ''), coalesce(closed_at, ''))`

// ticketListQuery is ListTickets' statement for f.
func ticketListQuery(f store.TicketFilter) (string, []any) {
	query := `SELECT ` + ticketCols + ` FROM tickets WHERE 1 = 1`
	var args []any
	if f.CustomerID != "" {
		query += ` AND customer_id = ?`
		args = append(args, f.CustomerID)
	}
	if f.ContractID != "" {
		query += ` AND contract_id = ?`
		args = append(args, f.ContractID)
	}
	if f.Phone != "" {
		query += ` AND phone = ?`
		args = append(args, f.Phone)
	}
	if f.OpenOnly {
		query += ` AND status IN ('new', 'answered')`
	}
	if !f.ActiveSince.IsZero() {
		// Times are stored as fixed-width UTC text, so text order is time
		// order, and the latest of a ticket's times is at or after since
		// when any of them is. Written as the index tickets_last_activity
		// (migration 0016) is, so both halves are index look-ups.
		query += ` AND id IN (SELECT id FROM tickets WHERE status IN ('new', 'answered')
			UNION ALL SELECT id FROM tickets WHERE ` + lastActivity + ` >= ?)`
		args = append(args, formatTime(f.ActiveSince))
	}
	return query + ` ORDER BY id`, args
}

// AddMessage stores a message on a ticket and sets m.ID. The ticket must
// exist (store.ErrConflict otherwise).
func (q *queries) AddMessage(ctx context.Context, m *store.Message) error {
	args := append([]any{m.TicketID, timeArg(m.At), string(m.Direction), m.Author, m.UserID, m.Text}, fileArgs(m.File)...)
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO ticket_messages
		(ticket_id, at, direction, author, user_id, text, file_kind, file_name, file_mime, file_bytes, file_path)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...))
	if err != nil {
		return wrap(err, "add message to ticket %d", m.TicketID)
	}
	m.ID = id
	return nil
}

// Messages returns a ticket's messages in the order they were added.
func (q *queries) Messages(ctx context.Context, ticketID int64) ([]store.Message, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, ticket_id, at, direction, author, user_id, text,
		file_kind, file_name, file_mime, file_bytes, file_path
		FROM ticket_messages WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, wrap(err, "messages of ticket %d", ticketID)
	}
	var ms []store.Message
	for rows.Next() {
		var m store.Message
		var dir string
		var f fileCols
		if err := rows.Scan(append([]any{&m.ID, &m.TicketID, timeCol{&m.At}, &dir, &m.Author, &m.UserID, &m.Text}, f.dest()...)...); err != nil {
			rows.Close()
			return nil, wrap(err, "messages of ticket %d", ticketID)
		}
		m.Direction, m.File = store.MessageDirection(dir), f.file()
		ms = append(ms, m)
	}
	return ms, wrap(closeRows(rows), "messages of ticket %d", ticketID)
}

// AddTimeLog records staff time on a ticket and sets l.ID. It does not
// change the ticket's LoggedMin or ChargedMin: the caller computes those
// (rules) and saves them with UpdateTicket in the same transaction.
func (q *queries) AddTimeLog(ctx context.Context, l *store.TimeLog) error {
	// The log carries its ticket's contract (migration 0020), so a
	// contract's logs of a month are one range of an index.
	id, err := lastID(q.wr.ExecContext(ctx, `INSERT INTO time_logs (ticket_id, contract_id, at, minutes, staff_id)
		VALUES (?1, (SELECT contract_id FROM tickets WHERE id = ?1), ?2, ?3, ?4)`,
		l.TicketID, timeArg(l.At), l.Minutes, l.StaffID))
	if err != nil {
		return wrap(err, "log time on ticket %d", l.TicketID)
	}
	l.ID = id
	return nil
}

// TimeLogs returns a ticket's time logs in the order they were added.
func (q *queries) TimeLogs(ctx context.Context, ticketID int64) ([]store.TimeLog, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, ticket_id, at, minutes, staff_id
		FROM time_logs WHERE ticket_id = ? ORDER BY id`, ticketID)
	if err != nil {
		return nil, wrap(err, "time logs of ticket %d", ticketID)
	}
	var ls []store.TimeLog
	for rows.Next() {
		var l store.TimeLog
		if err := rows.Scan(&l.ID, &l.TicketID, timeCol{&l.At}, &l.Minutes, &l.StaffID); err != nil {
			rows.Close()
			return nil, wrap(err, "time logs of ticket %d", ticketID)
		}
		ls = append(ls, l)
	}
	return ls, wrap(closeRows(rows), "time logs of ticket %d", ticketID)
}

// periodTicketsQuery is PeriodTickets' statement. The tickets come from two
// ranges, those opened in the period (tickets_contract_usage) and those
// with time logged in it (time_logs_contract_at, migration 0020), and each
// one's minutes from a range of its own logs: never the contract's whole
// history. TestPeriodTicketsUseRanges pins the plan.
const periodTicketsQuery = `SELECT ` + ticketCols + `,
		(SELECT COALESCE(SUM(minutes), 0) FROM time_logs WHERE ticket_id = tickets.id AND at >= ?2 AND at < ?3)
	FROM tickets
	WHERE id IN (
		SELECT id FROM tickets WHERE contract_id = ?1 AND opened_at >= ?2 AND opened_at < ?3
		UNION ALL
		SELECT ticket_id FROM time_logs WHERE contract_id = ?1 AND at >= ?2 AND at < ?3
	)
	ORDER BY id`

// PeriodTickets returns the contract's tickets opened in [from, to) or with
// time logged in it, by id, with the minutes logged in it.
func (q *queries) PeriodTickets(ctx context.Context, contractID string, from, to time.Time) ([]store.PeriodTicket, error) {
	rows, err := q.rd.QueryContext(ctx, periodTicketsQuery, contractID, timeArg(from), timeArg(to))
	if err != nil {
		return nil, wrap(err, "tickets of contract %s in a period", contractID)
	}
	var ts []store.PeriodTicket
	for rows.Next() {
		var pt store.PeriodTicket
		if pt.Ticket, err = scanTicket(periodRow{rows, &pt.LoggedMin}); err != nil {
			rows.Close()
			return nil, wrap(err, "tickets of contract %s in a period", contractID)
		}
		ts = append(ts, pt)
	}
	return ts, wrap(closeRows(rows), "tickets of contract %s in a period", contractID)
}

// periodRow scans a row of ticketCols followed by the period's minutes.
type periodRow struct {
	rows interface{ Scan(...any) error }
	min  *int
}

func (r periodRow) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.min)...) }
