package conversation

import (
	"fmt"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// deny stores a refused request and explains it: the rule in plain words,
// then what the customer can do next. The request ends with no menu on
// screen (docs/interface.md "Codes").
func (t *turn) deny(c rules.Contract, u rules.Usage, kind rules.RequestKind, sev rules.Severity, d rules.Denial) error {
	rec := store.Denial{
		At: t.in.At, Phone: t.in.Phone, CustomerID: t.cust.ID,
		ContractID: c.ID, Kind: kind, Reason: d,
	}
	if err := t.st.AddDenial(t.ctx, &rec); err != nil {
		return fmt.Errorf("store denial %s: %w", d, err)
	}
	draft := t.sess.data.Draft
	if offer := t.explain(c, u, kind, sev, d); offer != "" {
		// A one-tap way forward: «۱» takes it, with the draft kept.
		t.sess.to(stateOffer)
		t.sess.data.Contract, t.sess.data.Kind, t.sess.data.Severity = c.ID, offer, sev
		t.sess.data.Draft = draft
		return nil
	}
	if err := t.dropDraft(store.RouteDenied); err != nil {
		return err
	}
	t.sess.to(stateIdle)
	t.hint = true
	return nil
}

// denyNoContract refuses a customer who has no contract at all. It is stored
// as contract_ended: no contract is in force, and the way forward (sales)
// is the same; not_started would suggest one is on its way.
func (t *turn) denyNoContract() error {
	rec := store.Denial{At: t.in.At, Phone: t.in.Phone, CustomerID: t.cust.ID, Reason: rules.DenyContractEnded}
	if err := t.st.AddDenial(t.ctx, &rec); err != nil {
		return fmt.Errorf("store denial %s: %w", rec.Reason, err)
	}
	t.say("request.no_contract", nil)
	t.saySales()
	if err := t.dropDraft(store.RouteDenied); err != nil {
		return err
	}
	t.sess.to(stateIdle)
	t.hint = true
	return nil
}

// explain says why a request was refused (denial.<code>, a plain sentence
// that needs no arguments, so other parts of the program may show it too)
// and then the particulars and the next step. It returns the kind of
// request offered as a one-tap way forward, "" when none.
func (t *turn) explain(c rules.Contract, u rules.Usage, kind rules.RequestKind, sev rules.Severity, d rules.Denial) (offer rules.RequestKind) {
	p, loc := t.m.p, t.loc()
	at := t.in.At.In(loc)
	t.say(d.LocaleKey(), nil)
	switch d {
	case rules.DenyMonthQuota:
		t.say("denial.month_quota.next", kv{
			"limit": p.Limits(c).RequestsPerMonth,
			"date":  rules.DateOf(rules.JalaliMonthEnd(at)),
		})
		t.say("denial.upgrade", nil)
		t.saySales()
	case rules.DenyHoursMonthCap:
		t.say("denial.hours_month_cap.next", kv{
			"cap":  minutes(p.Limits(c).MonthCapMin),
			"date": rules.DateOf(rules.JalaliMonthEnd(at)),
		})
		t.saySales()
	case rules.DenyNotInTier:
		if r, ok := p.TierOf(c); ok && len(r.Kinds) > 0 {
			t.say("denial.tier_covers", kv{"tier": c.Tier})
			for _, k := range r.Kinds {
				t.say("bullet", kv{"item": k})
			}
		}
		t.say("denial.upgrade", nil)
		t.saySales()
	case rules.DenyOutsideTehran:
		t.say("denial.outside_tehran.next", nil)
		t.saySales()
	case rules.DenyYearAllowanceUsed:
		_, end := c.ContractYear(at, loc)
		t.say("denial.year_allowance_used.detail", kv{"kind": kind, "date": lastDay(end)})
		t.saySales()
	case rules.DenySeverityNotCovered:
		if r, ok := p.TierOf(c); ok && len(r.OnsiteSeverity) > 0 {
			t.say("denial.severity_not_covered.detail", kv{"tier": c.Tier})
			for _, s := range r.OnsiteSeverity {
				t.say("bullet", kv{"item": s})
			}
		}
		if t.decide(c, u, rules.RequestProblem, sev) == rules.Allowed {
			t.say("denial.try_problem", kv{"kind": rules.RequestProblem})
			offer = rules.RequestProblem
		}
	case rules.DenyContractEnded, rules.DenyNotStarted, rules.DenyHoursExhausted:
		t.sayWhyInactive(c, d)
		t.sayOthersInactive()
		if d == rules.DenyContractEnded {
			t.say("denial.renew", nil)
		}
		t.saySales()
	default:
		t.saySales()
	}
	return offer
}

// sayWhyInactive says how contract c stands when it is refused as a whole
// (d is contract_ended, not_started or hours_exhausted): until when it
// ran, from when it starts, or that its hours are used up.
func (t *turn) sayWhyInactive(c rules.Contract, d rules.Denial) {
	p, loc := t.m.p, t.loc()
	switch d {
	case rules.DenyContractEnded:
		if end, ok := c.SupportEnd(loc, p.Hourly); ok {
			t.say("denial.contract_ended.detail", kv{"subject": subject(c), "date": lastDay(end)})
		}
	case rules.DenyNotStarted:
		if start, ok := c.SupportStart(loc); ok && start.After(t.in.At) {
			t.say("denial.not_started.detail", kv{"subject": subject(c), "date": rules.DateOf(start.In(loc))})
		} else {
			t.say("denial.not_started.delivery", kv{"subject": subject(c)})
		}
	case rules.DenyHoursExhausted:
		t.say("denial.hours_exhausted.detail", kv{"subject": subject(c), "hours": minutes(p.Limits(c).HoursTotalMin)})
	}
}

// sayOthersInactive tells how each of the customer's other contracts
// stands when none is active: a customer whose warehouse module's support
// ended and whose new module is not delivered yet was told only about the
// new one, though writing about the warehouse.
func (t *turn) sayOthersInactive() {
	for _, o := range t.others {
		u, err := t.usage(o)
		if err != nil {
			continue // the refusal above stands; this line is only a courtesy
		}
		t.sayWhyInactive(o, t.decideOrStatus(o, u))
	}
}

// saySales points the customer to the sales team.
func (t *turn) saySales() {
	if t.m.cfg.SalesPhone == "" {
		t.say("contact.sales_team", nil)
		return
	}
	t.sayCall("contact.sales", t.m.cfg.SalesPhone)
}

// lastDay is the last day inside a period whose exclusive end (midnight) is
// end: what people mean by "valid until".
func lastDay(end time.Time) rules.Date {
	return rules.DateOf(end.Add(-time.Nanosecond))
}
