package conversation

import (
	"context"
	"fmt"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// PhoneRequest is a request staff took on the phone (/open): the same
// request a customer makes on WhatsApp, with everything known at once.
type PhoneRequest struct {
	Customer   store.Customer
	ContractID string // "" picks the customer's only active contract
	Kind       rules.RequestKind
	Severity   rules.Severity // required when Kind.NeedsSeverity
	Text       string
	Phone      string // the contact the ticket answers to (WhatsApp)
	In         Inbound
}

// PhoneOutcome is what a phone request came to. Exactly one of Ticket (an
// opened ticket: Customer is the WhatsApp confirmation, Event the staff
// event), Denied (a stored denial: Explain says why, in the customer's
// words) or Ambiguous (several active contracts and none named: the ids
// to choose from) is set.
type PhoneOutcome struct {
	Ticket    store.Ticket
	Customer  Reply
	Event     Event
	Denied    rules.Denial
	Explain   Reply
	Ambiguous []string
}

// OpenByPhone runs a phone request through the intake rules exactly as the
// WhatsApp conversation does (contract status, monthly quota, tier, yearly
// allowances, severity, city; the same denial records and the same
// deadline) and, when allowed, opens the ticket. It does not touch the
// customer's WhatsApp session: the customer may be mid-conversation.
func (m *Machine) OpenByPhone(ctx context.Context, st Store, r PhoneRequest) (PhoneOutcome, error) {
	in := r.In
	in.Phone, in.Text = r.Phone, cleanText(r.Text)
	t := &turn{m: m, ctx: ctx, st: st, in: in, cust: r.Customer, sess: session{state: stateIdle}}
	all, err := t.contracts()
	if err != nil {
		return PhoneOutcome{}, err
	}
	var c rules.Contract
	switch {
	case len(all) == 0:
		if err := t.denyNoContract(); err != nil {
			return PhoneOutcome{}, err
		}
		return PhoneOutcome{Denied: rules.DenyContractEnded, Explain: Reply{Lines: t.lines}}, nil
	case r.ContractID != "":
		found := false
		if c, found = findContract(all, r.ContractID); !found {
			return PhoneOutcome{}, fmt.Errorf("contract %s of %s: %w", r.ContractID, r.Customer.ID, store.ErrNotFound)
		}
	default:
		var active []rules.Contract
		for _, x := range all {
			u, err := t.usageFor(x, "")
			if err != nil {
				return PhoneOutcome{}, err
			}
			if m.p.Status(x, u, in.At) == rules.StatusActive {
				active = append(active, x)
			}
		}
		switch len(active) {
		case 0:
			c = mostRecent(all, t.loc())
		case 1:
			c = active[0]
		default:
			out := PhoneOutcome{}
			for _, x := range active {
				out.Ambiguous = append(out.Ambiguous, x.ID)
			}
			return out, nil
		}
	}
	u, err := t.usage(c)
	if err != nil {
		return PhoneOutcome{}, err
	}
	// The checks in the order the conversation makes them: the contract,
	// the kind, then severity and allowances.
	for _, step := range []struct {
		kind rules.RequestKind
		sev  rules.Severity
	}{{"", ""}, {r.Kind, ""}, {r.Kind, r.Severity}} {
		if d := t.decide(c, u, step.kind, step.sev); d != rules.Allowed {
			if step.kind == "" {
				d = t.decideOrStatus(c, u)
			}
			if err := t.deny(c, u, step.kind, step.sev, d); err != nil {
				return PhoneOutcome{}, err
			}
			return PhoneOutcome{Denied: d, Explain: Reply{Lines: t.lines}}, nil
		}
	}
	// The description is the draft a WhatsApp request would have gathered;
	// it has no received message to route (Ref 0).
	t.sess.data.Draft = []pending{{Text: in.Text}}
	if err := t.openTicket(c, u, r.Kind, r.Severity); err != nil {
		return PhoneOutcome{}, err
	}
	t.sayOffHours()
	return PhoneOutcome{Ticket: t.events[0].Ticket, Customer: Reply{Lines: t.lines}, Event: t.events[0]}, nil
}

// AwaitsChoice reports whether phone has a menu or a question of the
// conversation on screen at at (a bare number then answers it): the
// session is in any state but idle and has not timed out. Steps before the
// conversation (the satisfaction score) leave such a number to it.
func (m *Machine) AwaitsChoice(ctx context.Context, st Store, phone string, at time.Time) (bool, error) {
	_, s, _, err := m.load(ctx, st, phone, at)
	if err != nil {
		return false, err
	}
	return !s.fresh && s.state != stateIdle && at.Sub(s.updatedAt) <= m.cfg.IdleTimeout, nil
}

// UsedSince reports whether phone's conversation has handled a message
// after since (a menu answer, a greeting, a request; courtesy leaves it as
// it was) and that was at most the idle timeout before at: a bare number
// then belongs to the conversation the customer is in, not to a question
// asked at since (the satisfaction score). After the idle timeout the
// conversation is over and the question may get its answer.
func (m *Machine) UsedSince(ctx context.Context, st Store, phone string, since, at time.Time) (bool, error) {
	s, err := loadSession(ctx, st, phone)
	if err != nil {
		return false, err
	}
	return !s.fresh && s.updatedAt.After(since) && at.Sub(s.updatedAt) <= m.cfg.IdleTimeout, nil
}
