// Package export reads the whole store as of one instant into the shapes
// `supportbot export` prints (docs/interface.md): customers, contracts with
// status and usage, tickets with their SLA standing (rules.Breached),
// denials, and on request the audit trail and every message. It reads
// only; WriteJSON streams as SQLite yields rows.
package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// Snapshot is the JSON object `supportbot export` prints (docs/interface.md):
// the whole state, with contract status and usage as of one instant. Field
// names are a contract with outside scripts; fields that do not apply are
// null and lists are never null.
type Snapshot struct {
	Customers []Customer `json:"customers"`
	Contracts []Contract `json:"contracts"`
	Tickets   []Ticket   `json:"tickets"`
	Denials   []Denial   `json:"denials"`
	// Audit is filled by Audit (export -audit) and left out otherwise.
	Audit *[]Audit `json:"audit,omitempty"`
	// Messages is set by `export -messages` (Messages).
	Messages *[]Message `json:"messages,omitempty"`
}

// Customer is a customer with its contact numbers (E.164, sorted).
type Customer struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	City   string   `json:"city"`
	Phones []string `json:"phones"`
	// Addresses are hidden WhatsApp addresses ("lid:…") linked to the customer.
	Addresses []string `json:"addresses"`
}

// Contract is a contract with its support period, status and usage as
// of the export instant. Dates are RFC 3339 instants at midnight Tehran;
// support_start and support_end are null while a product or project is not
// delivered.
type Contract struct {
	ID           string       `json:"id"`
	CustomerID   string       `json:"customer_id"`
	Kind         rules.Kind   `json:"kind"`
	Tier         rules.Tier   `json:"tier"`
	Subject      string       `json:"subject"`
	SupportStart *string      `json:"support_start"`
	SupportEnd   *string      `json:"support_end"`
	Status       rules.Status `json:"status"`
	Usage        Usage        `json:"usage"`

	// Beyond docs/interface.md: what the import gave, for checks and managers.
	PurchasedOn     *string `json:"purchased_on"`
	DeliveredOn     *string `json:"delivered_on"`
	ConfirmedOn     *string `json:"confirmed_on"`
	RefundableUntil *string `json:"refundable_until"` // products only
	ProjectID       *string `json:"project_id"`       // hourly packages
	DedicatedStaff  *int64  `json:"dedicated_staff"`

	// HourlyEntries are the charges scheduled work made to an hourly
	// package (month-end minimums, hours lost at expiry), oldest first;
	// null for other contracts. usage.hours_used_min counts them.
	HourlyEntries []HourlyEntry `json:"hourly_entries"`
}

// HourlyEntry is one month-end settlement or expiry of an hourly
// package.
type HourlyEntry struct {
	At      *string          `json:"at"`
	Month   string           `json:"month"` // Jalali, "1405-09"
	Kind    store.HourlyKind `json:"kind"`  // settlement or expiry
	Minutes int              `json:"minutes"`
	Note    string           `json:"note"`
}

// Usage is what a contract consumed in the Jalali month (requests,
// hourly minutes) and the contract year (allowances) holding the export
// instant, beside its limits: -1 means no cap, 0 that the tier has none.
// The hours_* and month_* fields are null except for hourly packages.
type Usage struct {
	Month           string `json:"month"`
	Requests        int    `json:"requests"`
	RequestsLimit   int    `json:"requests_limit"`
	OnsiteUsed      int    `json:"onsite_used"`
	OnsiteLimit     int    `json:"onsite_limit"`
	ReinstallsUsed  int    `json:"reinstalls_used"`
	ReinstallsLimit int    `json:"reinstalls_limit"`
	HoursTotalMin   *int   `json:"hours_total_min"`
	HoursUsedMin    *int   `json:"hours_used_min"`
	HoursLeftMin    *int   `json:"hours_left_min"`
	MonthUsedMin    *int   `json:"month_used_min"`
	MonthCapMin     *int   `json:"month_cap_min"`

	// Beyond docs/interface.md: the other yearly allowances.
	ReviewsUsed           int `json:"reviews_used"`
	ReviewsLimit          int `json:"reviews_limit"`
	TrainingMinUsed       int `json:"training_min_used"`
	TrainingMinLimit      int `json:"training_min_limit"`
	CustomizationMinUsed  int `json:"customization_min_used"`
	CustomizationMinLimit int `json:"customization_min_limit"`
}

// Ticket is a ticket with its SLA standing. breached is true when the
// first answer came after the deadline, or when none came and the export
// instant is past it.
type Ticket struct {
	ID               int64                `json:"id"`
	ContractID       *string              `json:"contract_id"`
	CustomerID       *string              `json:"customer_id"`
	Phone            string               `json:"phone"`
	Kind             rules.RequestKind    `json:"kind"`
	Severity         *rules.Severity      `json:"severity"`
	Status           store.TicketStatus   `json:"status"`
	DeclineReason    *rules.DeclineReason `json:"decline_reason"`
	OpenedAt         *string              `json:"opened_at"`
	FirstResponseDue *string              `json:"first_response_due"`
	FirstResponseAt  *string              `json:"first_response_at"`
	Breached         bool                 `json:"breached"`
	Assignee         *int64               `json:"assignee"`
	LoggedMin        int                  `json:"logged_min"`
	ChargedMin       *int                 `json:"charged_min"` // hourly packages only

	// Beyond docs/interface.md.
	AssigneeName *string `json:"assignee_name"`
	ClosedAt     *string `json:"closed_at"`

	// The lifecycle (docs/lifecycle.md): the customer's score 1-5, the
	// ticket a merged one joined, and since when a waiting one waits.
	CSAT         *int    `json:"csat"`
	MergedInto   *int64  `json:"merged_into"`
	WaitingSince *string `json:"waiting_since"`
}

// Denial is one refused intake.
type Denial struct {
	At         *string            `json:"at"`
	Phone      string             `json:"phone"`
	ContractID *string            `json:"contract_id"`
	Kind       *rules.RequestKind `json:"kind"`
	Reason     rules.Denial       `json:"reason"`

	// Beyond docs/interface.md.
	CustomerID *string `json:"customer_id"`
}

// Options add the optional sections of an export.
type Options struct {
	Audit    bool // the audit trail (export -audit)
	Messages bool // every customer and staff message (export -messages)
}

// Take reads the whole store in one read transaction and reports it as
// of at: contract status and usage count in the Jalali month and contract
// year that hold at, and a ticket with no answer is breached once at passes
// its deadline. Times are shown in p.Calendar's zone (Tehran, +03:30). It
// holds everything in memory; WriteJSON streams the same report.
func Take(ctx context.Context, st store.Store, p *rules.Policy, at time.Time) (Snapshot, error) {
	return TakeWith(ctx, st, p, at, Options{})
}

// TakeWith is Take with the optional sections o asks for.
func TakeWith(ctx context.Context, st store.Store, p *rules.Policy, at time.Time, o Options) (Snapshot, error) {
	var snap Snapshot
	if err := exportWalk(ctx, st, p, at, o, (*snapshotSink)(&snap)); err != nil {
		return Snapshot{}, err
	}
	return snap, nil
}

// exportSink receives an export as it is read: each section of the
// Snapshot in field order, then its items in order.
type exportSink interface {
	section(name string) error
	item(v any) error
}

// snapshotSink collects an export into a Snapshot.
type snapshotSink Snapshot

func (s *snapshotSink) section(name string) error {
	switch name {
	case "customers":
		s.Customers = []Customer{}
	case "contracts":
		s.Contracts = []Contract{}
	case "tickets":
		s.Tickets = []Ticket{}
	case "denials":
		s.Denials = []Denial{}
	case "audit":
		s.Audit = &[]Audit{}
	case "messages":
		s.Messages = &[]Message{}
	}
	return nil
}

func (s *snapshotSink) item(v any) error {
	switch v := v.(type) {
	case Customer:
		s.Customers = append(s.Customers, v)
	case Contract:
		s.Contracts = append(s.Contracts, v)
	case Ticket:
		s.Tickets = append(s.Tickets, v)
	case Denial:
		s.Denials = append(s.Denials, v)
	case Audit:
		*s.Audit = append(*s.Audit, v)
	case Message:
		*s.Messages = append(*s.Messages, v)
	default:
		return fmt.Errorf("export: unexpected %T", v)
	}
	return nil
}

// exportWalk reads the export in one read transaction (a working bot is not
// held up) and hands it to sink section by section. Customers and
// contracts, as many as the business has, are read whole and sorted; the
// lists that grow with the years (tickets, denials, audit, messages) are
// read row by row in the order they are shown, so memory does not grow
// with the history.
func exportWalk(ctx context.Context, st store.Store, p *rules.Policy, at time.Time, o Options, sink exportSink) error {
	if p == nil || p.Calendar == nil || p.Calendar.Loc == nil {
		return errors.New("export: policy without a calendar time zone")
	}
	x := exporter{p: p, loc: p.Calendar.Loc, at: at.In(p.Calendar.Loc)}
	return st.ReadTx(ctx, func(tx store.Store) error {
		if err := x.walk(ctx, tx, sink); err != nil {
			return err
		}
		if o.Audit {
			if err := x.audit(ctx, tx, sink); err != nil {
				return err
			}
		}
		if o.Messages {
			if err := exportMessages(ctx, tx, x.loc, sink); err != nil {
				return fmt.Errorf("export messages: %w", err)
			}
		}
		return nil
	})
}

type exporter struct {
	p   *rules.Policy
	loc *time.Location
	at  time.Time
}

func (x exporter) walk(ctx context.Context, tx store.Store, sink exportSink) error {
	customers, err := tx.ListCustomers(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	slices.SortFunc(customers, func(a, b store.Customer) int { return cmp.Compare(a.ID, b.ID) })
	if err := sink.section("customers"); err != nil {
		return err
	}
	for _, c := range customers {
		err := sink.item(Customer{
			ID: c.ID, Name: c.Name, City: c.City, Phones: append([]string{}, c.Phones...),
			Addresses: append([]string{}, c.Addresses...),
		})
		if err != nil {
			return err
		}
	}

	contracts, err := tx.ListContracts(ctx)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	slices.SortFunc(contracts, func(a, b rules.Contract) int { return cmp.Compare(a.ID, b.ID) })
	if err := sink.section("contracts"); err != nil {
		return err
	}
	hourly := map[string]bool{}
	for _, c := range contracts {
		hourly[c.ID] = c.Kind == rules.KindHourly
		ec, err := x.contract(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := sink.item(ec); err != nil {
			return err
		}
	}

	if err := sink.section("tickets"); err != nil {
		return err
	}
	for t, err := range tx.EachTicket(ctx, store.TicketFilter{}) { // by id
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := sink.item(x.ticket(t, hourly[t.ContractID])); err != nil {
			return err
		}
	}

	if err := sink.section("denials"); err != nil {
		return err
	}
	for d, err := range tx.EachDenial(ctx) { // by time, then id
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		err := sink.item(Denial{
			At:         x.instant(d.At),
			Phone:      d.Phone,
			ContractID: nullIfEmpty(d.ContractID),
			Kind:       nullIfEmpty(d.Kind),
			Reason:     d.Reason,
			CustomerID: nullIfEmpty(d.CustomerID),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// contract reports c as of x.at.
func (x exporter) contract(ctx context.Context, tx store.Store, c rules.Contract) (Contract, error) {
	hourly := c.Kind == rules.KindHourly
	u, err := tx.Usage(ctx, c.ID, store.WindowAt(c, x.at, x.loc))
	if err != nil {
		return Contract{}, fmt.Errorf("export: contract %s: %w", c.ID, err)
	}
	lim := x.p.Limits(c)
	ec := Contract{
		ID:         c.ID,
		CustomerID: c.CustomerID,
		Kind:       c.Kind,
		Tier:       c.Tier,
		Subject:    c.Subject,
		Status:     x.p.Status(c, u, x.at),
		Usage: Usage{
			Month:                 rules.JalaliMonthKey(x.at),
			Requests:              u.MonthRequests,
			RequestsLimit:         lim.RequestsPerMonth,
			OnsiteUsed:            u.Onsite,
			OnsiteLimit:           lim.Onsite,
			ReinstallsUsed:        u.Reinstalls,
			ReinstallsLimit:       lim.Reinstalls,
			ReviewsUsed:           u.Reviews,
			ReviewsLimit:          lim.Reviews,
			TrainingMinUsed:       u.TrainingMin,
			TrainingMinLimit:      lim.TrainingMin,
			CustomizationMinUsed:  u.CustomizationMin,
			CustomizationMinLimit: lim.CustomizationMin,
		},
		PurchasedOn:    x.date(c.PurchasedOn),
		DeliveredOn:    x.date(c.DeliveredOn),
		ConfirmedOn:    x.date(c.ConfirmedOn),
		ProjectID:      nullIfEmpty(c.ProjectID),
		DedicatedStaff: nullIfZero(c.DedicatedStaff),
	}
	if start, ok := c.SupportStart(x.loc); ok {
		ec.SupportStart = x.instant(start)
	}
	if end, ok := c.SupportEnd(x.loc, x.p.Hourly); ok {
		ec.SupportEnd = x.instant(end)
	}
	if c.Kind == rules.KindProduct && !c.PurchasedOn.IsZero() {
		// The refund guarantee is for products only (support terms).
		ec.RefundableUntil = x.instant(c.RefundUntil(x.loc))
	}
	if hourly {
		es, err := tx.HourlyEntries(ctx, c.ID)
		if err != nil {
			return Contract{}, fmt.Errorf("export: contract %s: %w", c.ID, err)
		}
		ec.HourlyEntries = []HourlyEntry{}
		for _, e := range es {
			ec.HourlyEntries = append(ec.HourlyEntries, HourlyEntry{
				At: x.instant(e.At), Month: e.Month, Kind: e.Kind, Minutes: e.Minutes, Note: e.Note,
			})
		}
		left := rules.HoursLeftMin(lim.HoursTotalMin/60, u.HoursUsedMin)
		ec.Usage.HoursTotalMin = &lim.HoursTotalMin
		ec.Usage.HoursUsedMin = &u.HoursUsedMin
		ec.Usage.HoursLeftMin = &left
		ec.Usage.MonthUsedMin = &u.MonthUsedMin
		ec.Usage.MonthCapMin = &lim.MonthCapMin
	}
	return ec, nil
}

// ticket reports t; charged minutes only mean something on hourly packages.
func (x exporter) ticket(t store.Ticket, hourly bool) Ticket {
	et := Ticket{
		ID:               t.ID,
		ContractID:       nullIfEmpty(t.ContractID),
		CustomerID:       nullIfEmpty(t.CustomerID),
		Phone:            t.Phone,
		Kind:             t.Kind,
		Severity:         nullIfEmpty(t.Severity),
		Status:           t.Status,
		DeclineReason:    nullIfEmpty(t.DeclineReason),
		OpenedAt:         x.instant(t.OpenedAt),
		FirstResponseDue: x.instant(t.FirstResponseDue),
		FirstResponseAt:  x.instant(t.FirstResponseAt),
		Breached:         rules.Breached(t.FirstResponseDue, t.FirstResponseAt, x.at),
		Assignee:         nullIfZero(t.Assignee),
		LoggedMin:        t.LoggedMin,
		AssigneeName:     nullIfEmpty(t.AssigneeName),
		ClosedAt:         x.instant(t.ClosedAt),
		MergedInto:       nullIfZero(t.MergedInto),
		WaitingSince:     x.instant(t.WaitingSince),
	}
	if t.CSAT != 0 {
		score := t.CSAT
		et.CSAT = &score
	}
	if hourly {
		charged := t.ChargedMin
		et.ChargedMin = &charged
	}
	return et
}

// instant formats t as RFC 3339 in the export zone; null when zero.
func (x exporter) instant(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(x.loc).Format(time.RFC3339)
	return &s
}

// date formats d as midnight in the export zone; null when zero.
func (x exporter) date(d rules.Date) *string {
	if d.IsZero() {
		return nil
	}
	return x.instant(d.Time(x.loc))
}

// nullIfEmpty is nil for the empty string (JSON null), else a pointer to s.
func nullIfEmpty[S ~string](s S) *S {
	if s == "" {
		return nil
	}
	return &s
}

// nullIfZero is nil for 0 (JSON null), else a pointer to n.
func nullIfZero(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}
