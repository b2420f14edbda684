// Package statement builds a customer's monthly support statement: per
// contract, the Jalali month's requests with their deadlines met or missed,
// the hours logged and charged (with the month-end minimum of an hourly
// package on its own line), on-site visits, and what is left. It renders
// the statement as Persian text, CSV and an xlsx workbook (render.go);
// docs/lifecycle.md describes the columns.
package statement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// Statement is one customer's month.
type Statement struct {
	Customer  store.Customer
	Month     string    // Jalali, "1405-09"
	Year, Mon int       // 1405, 9
	From, To  time.Time // [From, To): the month, in the office's zone
	AsOf      time.Time // when the statement was made: what is left is counted then
	Contracts []Contract
}

// Contract is one contract's part of the statement.
type Contract struct {
	Contract rules.Contract
	Status   rules.Status // as of AsOf
	Requests []Request    // opened in the month, or worked on in it; by ticket number
	Hourly   bool

	LoggedMin int // staff time logged in the month, all tickets

	// Hourly packages only.
	MinimumTopUpMin int                 // charged above what was logged: the per-ticket minimum
	Entries         []store.HourlyEntry // month-end minimum and expiry of the month
	ChargedMin      int                 // everything charged in the month
	HoursTotalMin   int
	HoursLeftMin    int // at AsOf
	MonthCapMin     int

	// Requests per month (products): used in the month and the limit, -1
	// for no limit.
	MonthRequests, RequestsLimit int

	// On-site visits: opened in the month; used and allowed in the
	// contract year that holds AsOf.
	OnsiteMonth, OnsiteYearUsed, OnsiteLimit int
	ReinstallsUsed, ReinstallsLimit          int
}

// Request is one ticket as the statement lists it.
type Request struct {
	Ticket       store.Ticket
	OpenedBefore bool // opened in an earlier month, worked on in this one
	Deadline     Deadline
	LoggedMin    int // logged in the month
}

// Deadline says how a ticket's first-response deadline went.
type Deadline string

// Deadline outcomes.
const (
	DeadlineMet     Deadline = "met"
	DeadlineMissed  Deadline = "missed"
	DeadlinePending Deadline = "pending" // no answer yet, still in time
	DeadlineNone    Deadline = "none"    // the ticket has no deadline
)

// LocaleKey names the outcome in the catalogs.
func (d Deadline) LocaleKey() string { return "statement.deadline." + string(d) }

// ErrBadMonth is a month that is not "YYYY-MM" in the Jalali calendar.
var ErrBadMonth = errors.New("month must be a Jalali YYYY-MM such as 1405-09")

// ParseMonth reads a Jalali month "1405-09" (or 1405/09, any digit script).
func ParseMonth(s string) (year, month int, err error) {
	f := strings.ReplaceAll(rules.Fold(s), "/", "-")
	y, m, ok := strings.Cut(f, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q: %w", s, ErrBadMonth)
	}
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || year < 1300 || year > 1500 || month < 1 || month > 12 {
		return 0, 0, fmt.Errorf("%q: %w", s, ErrBadMonth)
	}
	return year, month, nil
}

// Build reads the customer's month from st (in one transaction) under
// policy p; what is left, contract status and deadlines still running are
// as of now.
// An unknown customer is store.ErrNotFound.
func Build(ctx context.Context, st store.Store, p *rules.Policy, customerID string, year, month int, now time.Time) (Statement, error) {
	if p == nil || p.Calendar == nil || p.Calendar.Loc == nil {
		return Statement{}, errors.New("statement: policy without a calendar time zone")
	}
	loc := p.Calendar.Loc
	first, err := rules.JalaliDate(year, month, 1)
	if err != nil {
		return Statement{}, fmt.Errorf("statement: %w", err)
	}
	from := first.Time(loc)
	to := rules.JalaliMonthEnd(from)
	s := Statement{Month: fmt.Sprintf("%04d-%02d", year, month), Year: year, Mon: month, From: from, To: to, AsOf: now.In(loc)}
	err = st.InTx(ctx, func(tx store.Store) error {
		var err error
		if s.Customer, err = tx.Customer(ctx, customerID); err != nil {
			return fmt.Errorf("statement: customer %s: %w", customerID, err)
		}
		cs, err := tx.ContractsOf(ctx, customerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("statement: contracts of %s: %w", customerID, err)
		}
		slices.SortFunc(cs, func(a, b rules.Contract) int { return cmp.Compare(a.ID, b.ID) })
		for _, c := range cs {
			sc, err := buildContract(ctx, tx, p, c, s)
			if err != nil {
				return err
			}
			s.Contracts = append(s.Contracts, sc)
		}
		return nil
	})
	return s, err
}

// in reports whether t falls in [from, to).
func in(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }

func buildContract(ctx context.Context, tx store.Store, p *rules.Policy, c rules.Contract, s Statement) (Contract, error) {
	loc := p.Calendar.Loc
	hourly := c.Kind == rules.KindHourly
	ys, ye := c.ContractYear(s.AsOf, loc)
	u, err := tx.Usage(ctx, c.ID, store.UsageWindow{MonthStart: s.From, MonthEnd: s.To, YearStart: ys, YearEnd: ye, Hourly: hourly})
	if err != nil {
		return Contract{}, fmt.Errorf("statement: usage of %s: %w", c.ID, err)
	}
	lim := p.Limits(c)
	sc := Contract{
		Contract: c, Status: p.Status(c, u, s.AsOf), Hourly: hourly,
		MonthRequests: u.MonthRequests, RequestsLimit: lim.RequestsPerMonth,
		OnsiteYearUsed: u.Onsite, OnsiteLimit: lim.Onsite,
		ReinstallsUsed: u.Reinstalls, ReinstallsLimit: lim.Reinstalls,
	}
	// Only the month's tickets: opened in it, or worked on in it however
	// old (docs/performance.md, "Years of data").
	ts, err := tx.PeriodTickets(ctx, c.ID, s.From, s.To)
	if err != nil {
		return Contract{}, fmt.Errorf("statement: tickets of %s: %w", c.ID, err)
	}
	for _, pt := range ts {
		t := pt.Ticket
		if t.Status == store.TicketMerged {
			continue // its time and messages are on the ticket it joined
		}
		r := Request{Ticket: t, Deadline: deadline(t, s.AsOf), LoggedMin: pt.LoggedMin}
		opened := in(t.OpenedAt, s.From, s.To)
		if !opened && r.LoggedMin == 0 {
			continue
		}
		r.OpenedBefore = !opened
		sc.LoggedMin += r.LoggedMin
		if opened && t.Kind == rules.RequestOnsite && t.Status != store.TicketDeclined {
			sc.OnsiteMonth++
		}
		sc.Requests = append(sc.Requests, r)
	}
	if hourly {
		es, err := tx.HourlyEntries(ctx, c.ID)
		if err != nil {
			return Contract{}, fmt.Errorf("statement: hourly entries of %s: %w", c.ID, err)
		}
		entries := 0
		for _, e := range es {
			if e.Month == s.Month {
				sc.Entries = append(sc.Entries, e)
				entries += e.Minutes
			}
		}
		sc.ChargedMin = u.MonthUsedMin
		sc.MinimumTopUpMin = max(u.MonthUsedMin-sc.LoggedMin-entries, 0)
		sc.HoursTotalMin, sc.MonthCapMin = lim.HoursTotalMin, lim.MonthCapMin
		sc.HoursLeftMin = rules.HoursLeftMin(lim.HoursTotalMin/60, u.HoursUsedMin)
	}
	return sc, nil
}

// deadline is how t's first-response deadline went, as seen at at.
func deadline(t store.Ticket, at time.Time) Deadline {
	switch {
	case t.FirstResponseDue.IsZero():
		return DeadlineNone
	case t.Breached(at):
		return DeadlineMissed
	case t.FirstResponseAt.IsZero():
		return DeadlinePending
	}
	return DeadlineMet
}
