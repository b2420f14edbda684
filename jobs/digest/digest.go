// Package digest is the managers' SLA digest: the last office day's
// first-response numbers and today's so far, the open tickets due today and
// overdue, the tickets waiting on their customers, first-answer times and
// satisfaction per tier and per person, the contracts that need a manager's
// eye, and a chart of the last office days. The daily job (package jobs)
// and the desk's /digest command send it alike.
package digest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// LowPercent is the share of its hours under which an hourly package is
// low: the digest lists it, and the jobs tell staff and the customer once.
const LowPercent = 20

// Digest bounds.
const (
	listMax   = 15 // lines per list; the rest are counted
	chartLen  = 14 // office days in the chart
	aheadDays = 30 // days ahead that contract ends and package expiries are listed
)

// Env is what the digest reads and how it sends.
type Env struct {
	Policy   *rules.Policy
	Printer  *locales.Printer
	Loc      *time.Location // the office's zone
	FilesDir string         // where charts are kept; "" sends the digest without one
	// Post enqueues a message in tx as the desk does.
	Post func(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error)
}

// slaDay counts first responses over one stretch of time.
type slaDay struct {
	Opened   int // tickets opened in it
	Answered int // first responses given in it
	OnTime   int // of those, given by the deadline
	Breached int // deadlines that fell in it (up to now) without an answer by then
}

// slaCounts is what the SLA digest reports at an instant.
type slaCounts struct {
	Yesterday, Today slaDay // Yesterday is the digest period (period)
	DueToday         int    // unanswered tickets whose deadline is later today
	Overdue          int    // unanswered open tickets past their deadline
}

// Text is the managers' SLA summary at at, as text; the /digest
// command and the daily job send it with a chart (Send).
func Text(ctx context.Context, tx store.Store, e Env, at time.Time) (string, error) {
	r, err := e.build(ctx, tx, at)
	return r.text, err
}

// Send enqueues the digest at at to each address, followed by the
// chart of the last office days as a PNG kept in e.FilesDir (no chart
// without one).
func Send(ctx context.Context, tx store.Store, e Env, at time.Time, to []outbox.Address) error {
	if len(to) == 0 {
		return nil
	}
	r, err := e.build(ctx, tx, at)
	if err != nil {
		return err
	}
	var chart *store.File
	if e.FilesDir != "" {
		png, err := renderChart(r.chart, e.Printer)
		if err != nil {
			return fmt.Errorf("digest: chart: %w", err)
		}
		y, m, day := rules.JalaliOf(at.In(e.Loc))
		name := fmt.Sprintf("sla-%04d-%02d-%02d-%s.png", y, m, day, at.In(e.Loc).Format("1504"))
		if chart, err = outbox.SaveFile(e.FilesDir, name, store.FileImage, "image/png", png); err != nil {
			return fmt.Errorf("digest: chart: %w", err)
		}
	}
	for _, addr := range to {
		if _, err := e.Post(ctx, tx, at, outbox.Post{To: addr, Text: r.text, Kind: store.OutboxBackground}); err != nil {
			return err
		}
		if chart != nil {
			caption := e.Printer.T("digest.chart", map[string]any{"days": len(r.chart)})
			if _, err := e.Post(ctx, tx, at, outbox.Post{To: addr, Text: caption, File: chart, Kind: store.OutboxBackground}); err != nil {
				return err
			}
		}
	}
	return nil
}

// report is the digest's text and the numbers of its chart.
type report struct {
	text  string
	chart []chartDay
}

// data is what the digest reads, once, in the caller's transaction.
type data struct {
	at        time.Time // in the office's zone
	tickets   []store.Ticket
	contracts []rules.Contract
	byID      map[string]rules.Contract
	names     map[string]string // customer id → name
}

func (e Env) load(ctx context.Context, tx store.Store, at time.Time) (data, error) {
	dd := data{at: at.In(e.Loc), byID: map[string]rules.Contract{}, names: map[string]string{}}
	var err error
	// Only what the digest's days can count: the open tickets and those
	// active since the chart's first day. Ten years of closed tickets are
	// not read (docs/performance.md, "Years of data").
	if dd.tickets, err = tx.ListTickets(ctx, store.TicketFilter{ActiveSince: e.since(dd.at)}); err != nil {
		return dd, fmt.Errorf("digest: tickets: %w", err)
	}
	if dd.contracts, err = tx.ListContracts(ctx); err != nil {
		return dd, fmt.Errorf("digest: contracts: %w", err)
	}
	for _, c := range dd.contracts {
		dd.byID[c.ID] = c
	}
	cs, err := tx.ListCustomers(ctx)
	if err != nil {
		return dd, fmt.Errorf("digest: customers: %w", err)
	}
	for _, c := range cs {
		dd.names[c.ID] = c.Name
	}
	return dd, nil
}

// name is a customer's name, or its id when it is gone.
func (dd data) name(customerID string) string {
	if n, ok := dd.names[customerID]; ok && n != "" {
		return n
	}
	return customerID
}

// digest builds the digest at at: the last office day's numbers and today's
// so far, open tickets due today and overdue, first-answer times by tier and
// by staff member, and the contracts that need a manager's eye.
func (e Env) build(ctx context.Context, tx store.Store, at time.Time) (report, error) {
	dd, err := e.load(ctx, tx, at)
	if err != nil {
		return report{}, err
	}
	p := e.Printer
	from, today := e.period(dd.at)
	n := e.slaCounts(dd.tickets, dd.at)
	day := func(label locales.Raw, s slaDay) string {
		return p.T("digest.day", map[string]any{
			"day": label, "opened": s.Opened, "answered": s.Answered, "on_time": s.OnTime, "breached": s.Breached,
		})
	}
	period := e.raw("digest.yesterday")
	if !from.Equal(today.AddDate(0, 0, -1)) {
		period = locales.Raw(p.T("digest.since", map[string]any{"weekday": from.Weekday(), "from": rules.DateOf(from)}))
	}
	lines := []string{
		p.T("digest.title", map[string]any{"date": rules.DateOf(dd.at)}),
		day(period, n.Yesterday),
		day(e.raw("digest.today"), n.Today),
		p.T("digest.open", map[string]any{"due_today": n.DueToday, "overdue": n.Overdue}),
	}
	lines = append(lines, e.openLines(dd)...)
	lines = append(lines, e.waitingLines(dd)...)
	answers, err := e.answerLines(ctx, tx, dd, from, today)
	if err != nil {
		return report{}, err
	}
	lines = append(lines, answers...)
	lines = append(lines, e.csatLines(dd, from, today)...)
	watch, err := e.watchLines(ctx, tx, dd)
	if err != nil {
		return report{}, err
	}
	lines = append(lines, watch...)
	return report{text: strings.Join(lines, "\n"), chart: e.chartDays(dd)}, nil
}

// period is the stretch the digest's first line counts, [from, to):
// from the start of the last office day before at's day to the start of
// at's day. On Sunday it is Saturday; on Saturday it runs from Wednesday
// through the weekend, so work done on days without a digest is reported.
func (e Env) period(at time.Time) (from, to time.Time) {
	local := at.In(e.Loc)
	to = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, e.Loc)
	from = to.AddDate(0, 0, -1)
	for i := 0; i < 31 && !e.Policy.Calendar.IsOfficeDay(rules.DateOf(from)); i++ {
		from = from.AddDate(0, 0, -1)
	}
	if !e.Policy.Calendar.IsOfficeDay(rules.DateOf(from)) {
		from = to.AddDate(0, 0, -1)
	}
	return from, to
}

// slaCounts counts ts for the digest at an instant: the digest period, today
// so far, and the unanswered tickets due today or overdue.
func (e Env) slaCounts(ts []store.Ticket, at time.Time) slaCounts {
	from, today := e.period(at)
	tomorrow := today.AddDate(0, 0, 1)
	var n slaCounts
	for _, t := range ts {
		n.Yesterday.add(t, from, today, at)
		n.Today.add(t, today, tomorrow, at)
		if !waitingForAnswer(t) {
			continue
		}
		switch {
		case !t.FirstResponseDue.After(at):
			n.Overdue++
		case t.FirstResponseDue.Before(tomorrow):
			n.DueToday++
		}
	}
	return n
}

// add counts t into s for the stretch [from, to) as seen at at.
func (s *slaDay) add(t store.Ticket, from, to, at time.Time) {
	in := func(x time.Time) bool { return !x.IsZero() && !x.Before(from) && x.Before(to) }
	if in(t.OpenedAt) {
		s.Opened++
	}
	if in(t.FirstResponseAt) {
		s.Answered++
		if !t.FirstResponseAt.After(t.FirstResponseDue) {
			s.OnTime++
		}
	}
	if due := t.FirstResponseDue; in(due) && rules.Breached(due, t.FirstResponseAt, at) && !due.After(at) {
		s.Breached++
	}
}

// waitingForAnswer reports whether t is open with its first-response clock
// still running.
func waitingForAnswer(t store.Ticket) bool {
	return t.Status.Open() && t.FirstResponseAt.IsZero() && !t.FirstResponseDue.IsZero()
}

// openLines lists the unanswered tickets due by the end of today, oldest
// deadline first.
func (e Env) openLines(dd data) []string {
	local := dd.at
	tomorrow := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, e.Loc)
	var due []store.Ticket
	for _, t := range dd.tickets {
		if waitingForAnswer(t) && t.FirstResponseDue.Before(tomorrow) {
			due = append(due, t)
		}
	}
	slices.SortStableFunc(due, func(a, b store.Ticket) int {
		return cmp.Or(a.FirstResponseDue.Compare(b.FirstResponseDue), cmp.Compare(a.ID, b.ID))
	})
	lines := make([]string, 0, min(len(due), listMax)+1)
	for i, t := range due {
		if i == listMax {
			lines = append(lines, e.Printer.T("digest.more", map[string]any{"count": len(due) - i}))
			break
		}
		key := "digest.open_item"
		if !t.FirstResponseDue.After(dd.at) {
			key = "digest.overdue_item"
		}
		lines = append(lines, e.Printer.T(key, map[string]any{"id": t.ID, "name": dd.name(t.CustomerID), "due": t.FirstResponseDue}))
	}
	return lines
}

// answerGroup gathers the office time to first answer of one tier or one
// staff member.
type answerGroup struct {
	label any // a staff member's name, or a rendered tier (locales.Raw)
	order int
	times []time.Duration
}

// answerLines reports, per tier and per staff member, how many first
// answers were given in [from, to) and their median office time.
func (e Env) answerLines(ctx context.Context, tx store.Store, dd data, from, to time.Time) ([]string, error) {
	tiers := map[string]*answerGroup{}
	staff := map[string]*answerGroup{}
	cal := e.Policy.Calendar
	for _, t := range dd.tickets {
		if t.FirstResponseAt.IsZero() || t.FirstResponseAt.Before(from) || !t.FirstResponseAt.Before(to) {
			continue
		}
		took := cal.OfficeTimeBetween(t.OpenedAt, t.FirstResponseAt)
		c, ok := dd.byID[t.ContractID]
		tk := string(c.Kind) + "/" + string(c.Tier)
		if tiers[tk] == nil {
			label := e.raw("digest.no_contract")
			if ok {
				label = locales.Raw(e.Printer.T("digest.tier", map[string]any{"kind": c.Kind, "tier": c.Tier}))
			}
			tiers[tk] = &answerGroup{label: label, order: tierOrder(c)}
		}
		tiers[tk].times = append(tiers[tk].times, took)
		who, err := e.firstAnswerer(ctx, tx, t)
		if err != nil {
			return nil, err
		}
		if staff[who] == nil {
			staff[who] = &answerGroup{label: who}
		}
		staff[who].times = append(staff[who].times, took)
	}
	if len(tiers) == 0 {
		return nil, nil
	}
	lines := []string{e.Printer.T("digest.by_tier", nil)}
	lines = append(lines, e.groupLines(tiers)...)
	lines = append(lines, e.Printer.T("digest.by_staff", nil))
	return append(lines, e.groupLines(staff)...), nil
}

// groupLines lists groups by their order, then by most answers, then by label.
func (e Env) groupLines(groups map[string]*answerGroup) []string {
	gs := make([]*answerGroup, 0, len(groups))
	for _, g := range groups {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *answerGroup) int {
		return cmp.Or(cmp.Compare(a.order, b.order), cmp.Compare(len(b.times), len(a.times)), cmp.Compare(fmt.Sprint(a.label), fmt.Sprint(b.label)))
	})
	lines := make([]string, 0, len(gs))
	for _, g := range gs {
		lines = append(lines, e.Printer.T("digest.group", map[string]any{
			"label": g.label, "count": len(g.times), "median": median(g.times),
		}))
	}
	return lines
}

// tierOrder sorts tiers by kind and then cheapest first, as SPEC lists them.
func tierOrder(c rules.Contract) int {
	kinds := []rules.Kind{rules.KindProduct, rules.KindProject, rules.KindHourly, rules.KindCRM}
	k := slices.Index(kinds, c.Kind)
	if k < 0 {
		k = len(kinds)
	}
	return k*10 + slices.Index(rules.TiersOf(c.Kind), c.Tier)
}

// firstAnswerer names who gave t's first answer: the author of the first
// staff message, else the assignee, else "unknown".
func (e Env) firstAnswerer(ctx context.Context, tx store.Store, t store.Ticket) (string, error) {
	msgs, err := tx.Messages(ctx, t.ID)
	if err != nil {
		return "", fmt.Errorf("digest: messages of ticket %d: %w", t.ID, err)
	}
	for _, m := range msgs {
		if m.Direction == store.FromStaff && strings.TrimSpace(m.Author) != "" {
			return m.Author, nil
		}
	}
	if t.Assignee != 0 {
		return assigneeName(t), nil
	}
	return e.Printer.T("digest.nobody", nil), nil
}

// median is the middle of ds (the mean of the middle two for an even
// count), rounded to the minute; 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return m.Round(time.Minute)
}

// watchLines lists the customers at their monthly request limit, the hourly
// packages running low or expiring soon, and the contracts ending within
// aheadDays days.
func (e Env) watchLines(ctx context.Context, tx store.Store, dd data) ([]string, error) {
	p := e.Printer
	soon := dd.at.AddDate(0, 0, aheadDays)
	var limit, hourly, ending []string
	for _, c := range dd.contracts {
		u, err := tx.Usage(ctx, c.ID, store.WindowAt(c, dd.at, e.Loc))
		if err != nil {
			return nil, fmt.Errorf("digest: usage of contract %s: %w", c.ID, err)
		}
		st := e.Policy.Status(c, u, dd.at)
		if st != rules.StatusActive && st != rules.StatusExhausted {
			continue
		}
		lim := e.Policy.Limits(c)
		end, _ := c.SupportEnd(e.Loc, e.Policy.Hourly)
		args := map[string]any{"name": dd.name(c.CustomerID), "contract_id": c.ID, "kind": c.Kind, "tier": c.Tier, "date": lastDay(end)}
		switch {
		case c.Kind == rules.KindHourly:
			left := rules.HoursLeftMin(lim.HoursTotalMin/60, u.HoursUsedMin)
			if left*100 < lim.HoursTotalMin*LowPercent || end.Before(soon) {
				args["left"], args["total"] = minutes(left), minutes(lim.HoursTotalMin)
				hourly = append(hourly, p.T("digest.hourly_item", args))
			}
		case end.Before(soon):
			ending = append(ending, p.T("digest.ending_item", args))
		}
		if lim.RequestsPerMonth > 0 && u.MonthRequests >= lim.RequestsPerMonth {
			args["used"], args["limit"] = u.MonthRequests, lim.RequestsPerMonth
			limit = append(limit, p.T("digest.limit_item", args))
		}
	}
	var lines []string
	section := func(key string, items []string) {
		if len(items) == 0 {
			return
		}
		lines = append(lines, p.T(key, map[string]any{"days": aheadDays, "percent": LowPercent}))
		if len(items) > listMax {
			items = append(items[:listMax:listMax], p.T("digest.more", map[string]any{"count": len(items) - listMax}))
		}
		lines = append(lines, items...)
	}
	section("digest.at_limit", limit)
	section("digest.hourly", hourly)
	section("digest.ending", ending)
	return lines, nil
}

// lastDay is the last day inside a period whose exclusive end (midnight) is
// end: what people mean by "valid until".
func lastDay(end time.Time) rules.Date {
	return rules.DateOf(end.Add(-time.Nanosecond))
}

// chartDays counts the last chartLen office days before dd.at's day,
// oldest first.
// since is the start of the earliest day the digest counts: the
// chart's first office day (the period and today come after it).
func (e Env) since(at time.Time) time.Time {
	from, today := e.period(at)
	since := from
	n := 0
	for day := today.AddDate(0, 0, -1); n < chartLen && day.After(today.AddDate(-1, 0, 0)); day = day.AddDate(0, 0, -1) {
		if e.Policy.Calendar.IsOfficeDay(rules.DateOf(day)) {
			n++
			if t := rules.DateOf(day).Time(e.Loc); t.Before(since) {
				since = t
			}
		}
	}
	return since
}

func (e Env) chartDays(dd data) []chartDay {
	_, today := e.period(dd.at)
	var days []chartDay
	for day := today.AddDate(0, 0, -1); len(days) < chartLen && day.After(today.AddDate(-1, 0, 0)); day = day.AddDate(0, 0, -1) {
		if e.Policy.Calendar.IsOfficeDay(rules.DateOf(day)) {
			days = append(days, chartDay{Date: rules.DateOf(day)})
		}
	}
	slices.Reverse(days)
	for i := range days {
		from := days[i].Date.Time(e.Loc)
		var s slaDay
		for _, t := range dd.tickets {
			s.add(t, from, from.AddDate(0, 0, 1), dd.at)
		}
		days[i].Opened, days[i].OnTime, days[i].Breached = s.Opened, s.OnTime, s.Breached
	}
	return days
}

// waitingLines are the digest's list of tickets waiting on the customer,
// apart from the overdue ones: they have been answered.
func (e Env) waitingLines(dd data) []string {
	var waiting []store.Ticket
	for _, t := range dd.tickets {
		if t.Status == store.TicketWaiting {
			waiting = append(waiting, t)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	lines := []string{e.Printer.T("lifecycle.digest.waiting", map[string]any{"count": len(waiting)})}
	for i, t := range waiting {
		if i == listMax {
			lines = append(lines, e.Printer.T("digest.more", map[string]any{"count": len(waiting) - i}))
			break
		}
		lines = append(lines, e.Printer.T("lifecycle.digest.waiting_item", map[string]any{"id": t.ID, "name": dd.name(t.CustomerID), "since": t.WaitingSince}))
	}
	return lines
}

// csatLines are the digest's satisfaction lines: the average and count of
// the scores given to tickets closed in [from, to), overall and per staff
// member; none when no score came.
func (e Env) csatLines(dd data, from, to time.Time) []string {
	type group struct {
		label      string
		sum, count int
	}
	all := group{}
	by := map[string]*group{}
	for _, t := range dd.tickets {
		if t.CSAT == 0 || t.ClosedAt.Before(from) || !t.ClosedAt.Before(to) {
			continue
		}
		who := e.csatStaff(t)
		if by[who] == nil {
			by[who] = &group{label: who}
		}
		by[who].sum += t.CSAT
		by[who].count++
		all.sum += t.CSAT
		all.count++
	}
	if all.count == 0 {
		return nil
	}
	avg := func(g group) string { return e.Printer.Format(math.Round(float64(g.sum)/float64(g.count)*10) / 10) }
	lines := []string{e.Printer.T("lifecycle.digest.csat", map[string]any{"average": locales.Raw(avg(all)), "count": all.count})}
	gs := make([]*group, 0, len(by))
	for _, g := range by {
		gs = append(gs, g)
	}
	slices.SortFunc(gs, func(a, b *group) int { return cmp.Or(cmp.Compare(b.count, a.count), strings.Compare(a.label, b.label)) })
	for _, g := range gs {
		lines = append(lines, e.Printer.T("lifecycle.digest.csat_staff", map[string]any{"name": g.label, "average": locales.Raw(avg(*g)), "count": g.count}))
	}
	return lines
}

// csatStaff is whom a score is credited to: the assignee, else nobody in
// particular.
func (e Env) csatStaff(t store.Ticket) string {
	if t.Assignee != 0 {
		return assigneeName(t)
	}
	return e.Printer.T("lifecycle.csat.unassigned", nil)
}

// assigneeName is how the assignee is named in reports that group by
// person: the name staff gave, else the user id, isolated (never a
// mention).
func assigneeName(t store.Ticket) string {
	if t.AssigneeName != "" {
		return t.AssigneeName
	}
	return "\u2068" + strconv.FormatInt(t.Assignee, 10) + "\u2069"
}

// raw renders a message without arguments for insertion into another.
func (e Env) raw(key string) locales.Raw { return locales.Raw(e.Printer.T(key, nil)) }

// minutes is a minute count as a duration, which the printer writes in
// hours and minutes.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }
