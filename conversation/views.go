package conversation

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"supportbot/rules"
	"supportbot/store"
)

// ticketStatus names a ticket status in the catalog (common.json
// ticket_status.*).
type ticketStatus store.TicketStatus

// LocaleKey names the catalog entry that describes the status.
func (s ticketStatus) LocaleKey() string { return "ticket_status." + string(s) }

// showTickets lists the customer's own tickets, newest first, at most
// maxListed. Tickets are selected by the customer's id and checked again,
// so no other customer's ticket can ever be listed.
func (t *turn) showTickets() error {
	ts, err := t.st.ListTickets(t.ctx, store.TicketFilter{CustomerID: t.cust.ID})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("tickets of %s: %w", t.cust.ID, err)
	}
	mine := ts[:0:0]
	for _, tk := range ts {
		if tk.CustomerID == t.cust.ID {
			mine = append(mine, tk)
		}
	}
	slices.SortFunc(mine, func(a, b store.Ticket) int { return cmp.Compare(b.ID, a.ID) })
	t.sess.to(stateIdle)
	t.hint = true
	if len(mine) == 0 {
		t.say("tickets.none", nil)
		return nil
	}
	if len(mine) > maxListed {
		t.say("tickets.title_latest", kv{"count": maxListed, "total": len(mine)})
		mine = mine[:maxListed]
	} else {
		t.say("tickets.title", nil)
	}
	for _, tk := range mine {
		t.say("tickets.item", kv{
			"id":     int(tk.ID),
			"kind":   tk.Kind,
			"status": ticketStatus(tk.Status),
			"date":   rules.DateOf(tk.OpenedAt.In(t.loc())),
		})
	}
	return nil
}

// showContracts shows each contract with its status, period and what is
// left of its allowances now.
func (t *turn) showContracts() error {
	cs, err := t.contracts()
	if err != nil {
		return err
	}
	t.sess.to(stateIdle)
	t.hint = true
	if len(cs) == 0 {
		t.say("request.no_contract", nil)
		t.saySales()
		return nil
	}
	p, loc := t.m.p, t.loc()
	at := t.in.At.In(loc)
	t.say("contracts.title", nil)
	for _, c := range cs {
		u, err := t.usage(c)
		if err != nil {
			return err
		}
		status := p.Status(c, u, t.in.At)
		t.say("contracts.item", kv{"subject": subject(c), "id": c.ID, "kind": c.Kind, "tier": c.Tier})
		t.say("contracts.status", kv{"status": status})
		start, started := c.SupportStart(loc)
		switch {
		case !started:
			t.say("contracts.awaiting_delivery", nil)
		case start.After(at):
			t.say("contracts.starts", kv{"date": rules.DateOf(start)})
		}
		if end, ok := c.SupportEnd(loc, p.Hourly); ok {
			t.say("contracts.until", kv{"date": lastDay(end)})
		}
		if status == rules.StatusActive {
			t.sayAllowances(c, u)
		}
	}
	return nil
}

// sayAllowances says what an active contract has left this month and this
// contract year.
func (t *turn) sayAllowances(c rules.Contract, u rules.Usage) {
	lim := t.m.p.Limits(c)
	switch {
	case c.Kind == rules.KindHourly:
		t.say("contracts.hours", kv{"left": minutes(lim.HoursTotalMin - u.HoursUsedMin), "total": minutes(lim.HoursTotalMin)})
		t.say("contracts.month_hours", kv{"left": minutes(lim.MonthCapMin - u.MonthUsedMin), "cap": minutes(lim.MonthCapMin)})
	case lim.RequestsPerMonth >= 0:
		t.say("contracts.requests", kv{"left": max(lim.RequestsPerMonth-u.MonthRequests, 0), "limit": lim.RequestsPerMonth})
	default:
		t.say("contracts.requests_unlimited", nil)
	}
	for _, a := range []struct {
		kind        rules.RequestKind
		limit, used int
	}{
		{rules.RequestOnsite, lim.Onsite, u.Onsite},
		{rules.RequestReinstall, lim.Reinstalls, u.Reinstalls},
		{rules.RequestReview, lim.Reviews, u.Reviews},
	} {
		if a.limit > 0 {
			t.say("contracts.allowance", kv{"kind": a.kind, "left": max(a.limit-a.used, 0), "limit": a.limit})
		}
	}
	for _, a := range []struct {
		kind        rules.RequestKind
		limit, used int
	}{
		{rules.RequestCustomization, lim.CustomizationMin, u.CustomizationMin},
		{rules.RequestTraining, lim.TrainingMin, u.TrainingMin},
	} {
		if a.limit > 0 {
			t.say("contracts.allowance_time", kv{"kind": a.kind, "left": minutes(a.limit - a.used), "limit": minutes(a.limit)})
		}
	}
}

// showContact gives office and contact hours, built from the calendar, and
// the support phone.
func (t *turn) showContact() error {
	t.sess.to(stateIdle)
	t.hint = true
	t.say("contact.title", kv{"company": t.m.company()})
	if cal := t.m.p.Calendar; cal != nil {
		t.say("contact.office", nil)
		t.saySchedule(&cal.Office)
		t.say("contact.contact", nil)
		t.saySchedule(&cal.Contact)
		t.say("contact.holidays", nil)
	}
	if t.m.cfg.SupportPhone != "" {
		t.sayCall("contact.phone", t.m.cfg.SupportPhone)
	}
	t.say("contact.whatsapp", nil)
	return nil
}

// showSales covers sales, refunds (with the products still inside the
// refund window) and special support.
func (t *turn) showSales() error {
	cs, err := t.contracts()
	if err != nil {
		return err
	}
	t.sess.to(stateIdle)
	t.hint = true
	loc := t.loc()
	t.say("sales.title", nil)
	// The refund guarantee is for products only (not projects, hourly
	// packages or the CRM service): said only to customers who have one.
	products := false
	for _, c := range cs {
		products = products || c.Kind == rules.KindProduct
	}
	if products {
		t.say("sales.refund", nil)
	} else {
		t.say("sales.refund_none", nil)
	}
	for _, c := range cs {
		if c.Kind == rules.KindProduct && c.Refundable(t.in.At, loc) {
			t.say("sales.refund_open", kv{"subject": subject(c), "date": lastDay(c.RefundUntil(loc))})
		}
	}
	t.say("sales.special", nil)
	t.say("sales.upgrade", nil)
	t.saySales()
	return nil
}
