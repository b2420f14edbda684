package sqlite

import (
	"context"

	"supportbot/rules"
	"supportbot/store"
)

// UpsertContract creates the contract or updates every field of it. The
// customer must exist (store.ErrConflict otherwise).
func (q *queries) UpsertContract(ctx context.Context, c rules.Contract) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO contracts
		(id, customer_id, kind, tier, subject, purchased_on, delivered_on, confirmed_on, project_id, dedicated_staff)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			customer_id = excluded.customer_id, kind = excluded.kind, tier = excluded.tier,
			subject = excluded.subject, purchased_on = excluded.purchased_on,
			delivered_on = excluded.delivered_on, confirmed_on = excluded.confirmed_on,
			project_id = excluded.project_id, dedicated_staff = excluded.dedicated_staff`,
		c.ID, c.CustomerID, string(c.Kind), string(c.Tier), c.Subject,
		dateArg(c.PurchasedOn), dateArg(c.DeliveredOn), dateArg(c.ConfirmedOn),
		c.ProjectID, c.DedicatedStaff)
	return wrap(err, "upsert contract %s", c.ID)
}

const contractCols = `id, customer_id, kind, tier, subject, purchased_on, delivered_on, confirmed_on, project_id, dedicated_staff`

// scanContract reads one row of contractCols.
func scanContract(s interface{ Scan(...any) error }) (rules.Contract, error) {
	var r contractRow
	err := s.Scan(r.dest()...)
	return r.contract(), err
}

// contractRow is where a row of contractCols is scanned.
type contractRow struct {
	c          rules.Contract
	kind, tier string
}

// dest lists the scan targets in column order.
func (r *contractRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.CustomerID, &r.kind, &r.tier, &c.Subject,
		dateCol{&c.PurchasedOn}, dateCol{&c.DeliveredOn}, dateCol{&c.ConfirmedOn},
		&c.ProjectID, &c.DedicatedStaff}
}

// contract is the scanned contract.
func (r *contractRow) contract() rules.Contract {
	c := r.c
	c.Kind, c.Tier = rules.Kind(r.kind), rules.Tier(r.tier)
	return c
}

// Contract returns one contract.
func (q *queries) Contract(ctx context.Context, id string) (rules.Contract, error) {
	c, err := scanContract(q.rd.QueryRowContext(ctx, `SELECT `+contractCols+` FROM contracts WHERE id = ?`, id))
	if err != nil {
		return rules.Contract{}, wrap(err, "contract %s", id)
	}
	return c, nil
}

// ContractsOf returns the customer's contracts by id; none is not an error.
func (q *queries) ContractsOf(ctx context.Context, customerID string) ([]rules.Contract, error) {
	cs, err := q.contracts(ctx, `SELECT `+contractCols+` FROM contracts WHERE customer_id = ? ORDER BY id`, customerID)
	return cs, wrap(err, "contracts of %s", customerID)
}

// ListContracts returns every contract by id.
func (q *queries) ListContracts(ctx context.Context) ([]rules.Contract, error) {
	cs, err := q.contracts(ctx, `SELECT `+contractCols+` FROM contracts ORDER BY id`)
	return cs, wrap(err, "list contracts")
}

// contracts runs a query over contractCols.
func (q *queries) contracts(ctx context.Context, query string, args ...any) ([]rules.Contract, error) {
	rows, err := q.rd.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var cs []rules.Contract
	for rows.Next() {
		c, err := scanContract(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, closeRows(rows)
}

// usageQuery counts a contract's usage in one statement, so the numbers come
// from one snapshot. Declined tickets count for nothing. Windows are
// half-open, [start, end).
const usageQuery = `
WITH
t AS (
	SELECT id, kind, opened_at, closed_at, logged_min, charged_min
	FROM tickets WHERE contract_id = ?1 AND status != 'declined'
),
l AS (
	SELECT time_logs.ticket_id, time_logs.at, time_logs.minutes, t.kind
	FROM time_logs JOIN t ON t.id = time_logs.ticket_id
),
h AS (
	SELECT at, minutes FROM hourly_entries WHERE contract_id = ?1
),
-- Minutes charged above what was logged (the per-ticket minimum) fall in the
-- month of the ticket's first time log, or of its closing when it has none.
extra AS (
	SELECT t.charged_min - t.logged_min AS minutes,
		COALESCE((SELECT MIN(at) FROM time_logs WHERE ticket_id = t.id), t.closed_at) AS at
	FROM t WHERE t.charged_min > t.logged_min
)
SELECT
	(SELECT COUNT(*) FROM t WHERE opened_at >= ?2 AND opened_at < ?3),
	(SELECT COUNT(*) FROM t WHERE kind = 'onsite' AND opened_at >= ?4 AND opened_at < ?5),
	(SELECT COUNT(*) FROM t WHERE kind = 'reinstall' AND opened_at >= ?4 AND opened_at < ?5),
	(SELECT COUNT(*) FROM t WHERE kind = 'review' AND opened_at >= ?4 AND opened_at < ?5),
	(SELECT COALESCE(SUM(minutes), 0) FROM l WHERE kind = 'training' AND at >= ?4 AND at < ?5),
	(SELECT COALESCE(SUM(minutes), 0) FROM l WHERE kind = 'customization' AND at >= ?4 AND at < ?5),
	(SELECT COALESCE(SUM(charged_min), 0) FROM t) + (SELECT COALESCE(SUM(minutes), 0) FROM h),
	(SELECT COALESCE(SUM(minutes), 0) FROM l WHERE at >= ?2 AND at < ?3)
		+ (SELECT COALESCE(SUM(minutes), 0) FROM extra WHERE at >= ?2 AND at < ?3)
		+ (SELECT COALESCE(SUM(minutes), 0) FROM h WHERE at >= ?2 AND at < ?3)
`

// usageCountsQuery is usageQuery without the hourly sums, for the
// contracts that are not hourly packages (most, and the ones every intake
// step checks): one pass over the contract's tickets and one over the
// training and customization time logged, instead of a dozen subqueries.
const usageCountsQuery = `
SELECT t.month, t.onsite, t.reinstalls, t.reviews, l.training, l.customization
FROM (
	SELECT
		COALESCE(SUM(opened_at >= ?2 AND opened_at < ?3), 0) AS month,
		COALESCE(SUM(kind = 'onsite' AND opened_at >= ?4 AND opened_at < ?5), 0) AS onsite,
		COALESCE(SUM(kind = 'reinstall' AND opened_at >= ?4 AND opened_at < ?5), 0) AS reinstalls,
		COALESCE(SUM(kind = 'review' AND opened_at >= ?4 AND opened_at < ?5), 0) AS reviews
	FROM tickets WHERE contract_id = ?1 AND status != 'declined'
		-- Only the windows' tickets: a range of the usage index rather
		-- than the contract's whole history. A window without bounds
		-- counts nothing either way.
		AND opened_at >= min(coalesce(?2, ?4), coalesce(?4, ?2)) AND opened_at < max(coalesce(?3, ?5), coalesce(?5, ?3))
) t, (
	SELECT
		COALESCE(SUM(CASE WHEN x.kind = 'training' THEN l.minutes END), 0) AS training,
		COALESCE(SUM(CASE WHEN x.kind = 'customization' THEN l.minutes END), 0) AS customization
	FROM tickets x JOIN time_logs l ON l.ticket_id = x.id
	WHERE x.contract_id = ?1 AND x.status != 'declined' AND x.kind IN ('training', 'customization')
		AND l.at >= ?4 AND l.at < ?5
) l
`

// Usage counts what the contract has consumed in the windows: requests in
// the month; on-site visits, reinstalls and reviews opened in the contract
// year; training and customization minutes logged in the contract year; and,
// for hourly packages, minutes charged in all (tickets plus hourly entries)
// and in the month. Declined tickets count for nothing; an unknown contract
// has used nothing.
func (q *queries) Usage(ctx context.Context, contractID string, w store.UsageWindow) (rules.Usage, error) {
	var u rules.Usage
	args := []any{
		// ?1 to ?5, by number: the driver looks named parameters up by
		// name on every call, and this runs at every step of a request.
		contractID,
		timeArg(w.MonthStart), timeArg(w.MonthEnd),
		timeArg(w.YearStart), timeArg(w.YearEnd),
	}
	dest := []any{&u.MonthRequests, &u.Onsite, &u.Reinstalls, &u.Reviews, &u.TrainingMin, &u.CustomizationMin}
	query := usageCountsQuery
	if w.Hourly {
		query = usageQuery
		dest = append(dest, &u.HoursUsedMin, &u.MonthUsedMin)
	}
	if err := q.rd.QueryRowContext(ctx, query, args...).Scan(dest...); err != nil {
		return rules.Usage{}, wrap(err, "usage of contract %s", contractID)
	}
	return u, nil
}
