package conversation

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// startRequest begins a new request: the active contract is chosen (asked
// when there are several) and checked before anything else is asked.
func (t *turn) startRequest() error {
	all, err := t.contracts()
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return t.denyNoContract()
	}
	var active []rules.Contract
	for _, c := range all {
		u, err := t.usageFor(c, "")
		if err != nil {
			return err
		}
		if t.m.p.Status(c, u, t.in.At) == rules.StatusActive {
			active = append(active, c)
		}
	}
	switch len(active) {
	case 0:
		c := mostRecent(all, t.loc())
		u, err := t.usage(c)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.ID != c.ID {
				t.others = append(t.others, o)
			}
		}
		return t.deny(c, u, "", "", t.decideOrStatus(c, u))
	case 1:
		return t.chooseContract(active[0])
	}
	draft := t.sess.data.Draft
	t.sess.to(statePickContract)
	t.sess.data.Draft = draft
	for _, c := range active {
		t.sess.data.Contracts = append(t.sess.data.Contracts, c.ID)
	}
	t.showContractPick(active)
	return nil
}

// mostRecent is the contract a customer with no active contract most likely
// means: the one whose support starts last (not delivered yet counts as
// latest); among equals the highest id.
func mostRecent(cs []rules.Contract, loc *time.Location) rules.Contract {
	return slices.MaxFunc(cs, func(a, b rules.Contract) int {
		sa, oka := a.SupportStart(loc)
		sb, okb := b.SupportStart(loc)
		switch {
		case !oka && okb:
			return 1
		case oka && !okb:
			return -1
		case oka && okb && !sa.Equal(sb):
			return sa.Compare(sb)
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// decideOrStatus is Decide's contract-level answer for a contract that is
// not active, falling back to the status's own code.
func (t *turn) decideOrStatus(c rules.Contract, u rules.Usage) rules.Denial {
	if d := t.decide(c, u, "", ""); d != rules.Allowed {
		return d
	}
	switch t.m.p.Status(c, u, t.in.At) {
	case rules.StatusPending:
		return rules.DenyNotStarted
	case rules.StatusExhausted:
		return rules.DenyHoursExhausted
	}
	return rules.DenyContractEnded
}

func (t *turn) showContractPick(cs []rules.Contract) {
	t.say("contract_pick.title", nil)
	for i, c := range cs {
		t.say("contract_pick.item", kv{"n": i + 1, "subject": subject(c), "id": c.ID, "tier": c.Tier})
	}
}

// onPickContract reads which of several active contracts the request is for.
func (t *turn) onPickContract() error {
	ids := t.sess.data.Contracts
	n, ok := choice(t.in.Text, len(ids))
	all, err := t.contracts()
	if err != nil {
		return err
	}
	listed := make([]rules.Contract, 0, len(ids))
	for _, id := range ids {
		if c, found := findContract(all, id); found {
			listed = append(listed, c)
		}
	}
	if len(listed) != len(ids) {
		// The contracts changed under the list (a re-import): list again.
		return t.startRequest()
	}
	if !ok {
		return t.offMenu(len(ids), func() { t.showContractPick(listed) })
	}
	return t.chooseContract(listed[n-1])
}

// chooseContract checks the contract's status and monthly allowance and,
// when allowed, asks for the kind of request.
func (t *turn) chooseContract(c rules.Contract) error {
	u, err := t.usageFor(c, "")
	if err != nil {
		return err
	}
	if d := t.decide(c, u, "", ""); d != rules.Allowed {
		return t.deny(c, u, "", "", d)
	}
	draft := t.sess.data.Draft
	t.sess.to(statePickKind)
	t.sess.data.Contract = c.ID
	t.sess.data.Draft = draft
	t.showKinds(c)
	return nil
}

// coveredKinds are the kinds c's tier covers, in code order; all kinds when
// the tier is not known (the rules then refuse what they must).
func (t *turn) coveredKinds(c rules.Contract) []rules.RequestKind {
	r, ok := t.m.p.TierOf(c)
	if !ok || len(r.Kinds) == 0 {
		return rules.AllRequestKinds
	}
	var out []rules.RequestKind
	for _, k := range rules.AllRequestKinds {
		if slices.Contains(r.Kinds, k) {
			out = append(out, k)
		}
	}
	return out
}

// showKinds lists the kinds the tier covers, each under its stable code
// (gaps allowed: ۱، ۲، ۴، ۱۰ for bronze).
func (t *turn) showKinds(c rules.Contract) {
	if len(t.sess.data.Draft) > 0 && !t.kept {
		t.say("kind.title_draft", kv{"subject": subject(c)})
	} else {
		t.say("kind.title", kv{"subject": subject(c)})
	}
	for _, k := range t.coveredKinds(c) {
		t.say("option", kv{"n": kindCode(k), "label": k})
	}
}

// kindCode is a kind's stable number in the request menu (docs/interface.md).
func kindCode(k rules.RequestKind) int {
	return slices.Index(rules.AllRequestKinds, k) + 1
}

// onPickKind reads the kind of request by its code and checks what the
// tier covers: the code of a kind not covered gets not_in_tier.
func (t *turn) onPickKind() error {
	n, valid := choice(t.in.Text, len(rules.AllRequestKinds))
	if t.in.File != nil {
		valid = false
	}
	var kind rules.RequestKind
	if valid {
		kind = rules.AllRequestKinds[n-1]
	}
	c, u, ok, err := t.chosenContract(kind)
	if err != nil || !ok {
		return err
	}
	if !valid {
		return t.offMenu(len(rules.AllRequestKinds), func() { t.showKinds(c) })
	}
	if d := t.decide(c, u, kind, ""); d != rules.Allowed {
		return t.deny(c, u, kind, "", d)
	}
	t.sess.data.Kind = kind
	if kind.NeedsSeverity() {
		t.sess.state = statePickSeverity
		t.showSeverities(kind)
		return nil
	}
	return t.describeOrOpen(c, u, kind, "")
}

// describeOrOpen opens the ticket when the description came first, and
// otherwise asks for it.
func (t *turn) describeOrOpen(c rules.Contract, u rules.Usage, kind rules.RequestKind, sev rules.Severity) error {
	if len(t.sess.data.Draft) > 0 {
		return t.openTicket(c, u, kind, sev)
	}
	t.sess.state = stateDescribe
	t.askDescription(kind)
	return nil
}

// showSeverities lists the severities, each with one short clause, so that
// not everyone picks «بحرانی».
func (t *turn) showSeverities(kind rules.RequestKind) {
	t.say("severity.title", kv{"kind": kind})
	for i, s := range rules.AllSeverities {
		t.say("severity.option", kv{"n": i + 1, "label": s, "hint": catalogName("severity_hint." + string(s))})
	}
}

// onPickSeverity reads the severity (its number or its name) and checks
// that the tier covers it.
func (t *turn) onPickSeverity() error {
	kind := t.sess.data.Kind
	c, u, ok, err := t.chosenContract(kind)
	if err != nil || !ok {
		return err
	}
	n, valid := readChoice(t.in.Text, len(rules.AllSeverities), severityWords)
	if !valid || t.in.File != nil {
		return t.offMenu(len(rules.AllSeverities), func() { t.showSeverities(kind) })
	}
	sev := rules.AllSeverities[n-1]
	if d := t.decide(c, u, kind, sev); d != rules.Allowed {
		return t.deny(c, u, kind, sev, d)
	}
	t.sess.data.Severity = sev
	return t.describeOrOpen(c, u, kind, sev)
}

// offMenu answers a message that is not one of the options on screen: a
// greeting is greeted back, a number out of range gets a hint, and text or
// a file joins the draft (acknowledged once in quietFor); then the same
// question again.
func (t *turn) offMenu(max int, repeat func()) error {
	if t.in.File == nil {
		_, number := rules.ParseMenuChoice(t.in.Text)
		switch {
		case t.in.Text == "" || number:
			t.say("hint.invalid_choice", kv{"max": max})
			repeat()
			return nil
		case isGreeting(t.in.Text):
			t.greetBack()
			repeat()
			return nil
		}
		if _, word := parseChoice(t.in.Text, severityWords); word {
			// «عادی» or «دو» where it is not an option: a wrong
			// answer, not a description.
			t.say("hint.invalid_choice", kv{"max": max})
			repeat()
			return nil
		}
	}
	if err := t.keep(&t.sess.data.Draft); err != nil {
		return err
	}
	d := &t.sess.data
	if !d.Quiet.IsZero() && t.in.At.Sub(d.Quiet) < quietFor {
		return nil
	}
	d.Quiet = t.in.At
	t.say("draft.kept", nil)
	t.kept = true
	repeat()
	return nil
}

func (t *turn) askDescription(kind rules.RequestKind) {
	if kind == rules.RequestCallback {
		t.say("describe.callback", nil)
	} else {
		t.say("describe.prompt", nil)
	}
	t.say("describe.files", nil)
}

// onDescribe takes the description (text, or a file with its caption) and
// opens the ticket after a last check: usage may have changed while the
// customer typed (another contact of the same customer, say).
func (t *turn) onDescribe() error {
	if t.in.Text == "" && t.in.File == nil {
		t.say("describe.empty", nil)
		return nil
	}
	if t.in.File == nil && isGreeting(t.in.Text) {
		// «سلام وقت بخیر» is not the description.
		t.greetBack()
		t.askDescription(t.sess.data.Kind)
		return nil
	}
	kind, sev := t.sess.data.Kind, t.sess.data.Severity
	c, u, ok, err := t.chosenContract(kind)
	if err != nil || !ok {
		return err
	}
	if kind.NeedsSeverity() && sev == "" {
		// Damaged session: ask again rather than open a ticket without it.
		t.sess.state = statePickSeverity
		t.showSeverities(kind)
		return nil
	}
	if d := t.decide(c, u, kind, sev); d != rules.Allowed {
		return t.deny(c, u, kind, sev, d)
	}
	t.sess.data.Draft = append(t.sess.data.Draft, t.message())
	return t.openTicket(c, u, kind, sev)
}

// openTicket stores the ticket with the draft (the description and any
// files sent with it) as its first messages, tells staff and tells the
// customer the number, the deadline and what is left of the quota.
func (t *turn) openTicket(c rules.Contract, u rules.Usage, kind rules.RequestKind, sev rules.Severity) error {
	p := t.m.p
	draft := t.sess.data.Draft
	var texts []string
	for _, d := range draft {
		if d.Text != "" {
			texts = append(texts, d.Text)
		}
	}
	tk := store.Ticket{
		ContractID:       c.ID,
		CustomerID:       t.cust.ID,
		Phone:            t.in.Phone,
		Kind:             kind,
		Severity:         sev,
		Status:           store.TicketNew,
		Description:      strings.Join(texts, "\n"),
		OpenedAt:         t.in.At,
		FirstResponseDue: p.FirstResponseDue(c, t.in.At),
	}
	if err := t.st.CreateTicket(t.ctx, &tk); err != nil {
		return fmt.Errorf("create ticket: %w", err)
	}
	var first store.Message
	for i, d := range draft {
		msg := store.Message{
			TicketID: tk.ID, At: t.in.At, Direction: store.FromCustomer,
			Author: t.in.Phone, Text: d.Text, File: d.File,
		}
		if err := t.st.AddMessage(t.ctx, &msg); err != nil {
			return fmt.Errorf("ticket %d message: %w", tk.ID, err)
		}
		if i == 0 {
			first = msg
		}
		if err := t.route(d.Ref, tk.ID, store.RouteTicket); err != nil {
			return err
		}
	}
	sent, arrived := draftTimes(draft)
	t.events = append(t.events, Event{Kind: TicketOpened, Ticket: tk, Message: first, Phone: t.in.Phone, Text: tk.Description,
		Customer: t.cust, Contract: c, Sent: sent, Arrived: arrived})
	t.opened = true

	t.say("ticket.opened", kv{"id": int(tk.ID)})
	if !tk.FirstResponseDue.IsZero() {
		t.say("ticket.due", kv{"due": t.when(tk.FirstResponseDue)})
	}
	lim := p.Limits(c)
	switch {
	case c.Kind == rules.KindHourly:
		t.say("ticket.hours_left", kv{
			"left":       minutes(lim.HoursTotalMin - u.HoursUsedMin),
			"month_left": minutes(lim.MonthCapMin - u.MonthUsedMin),
		})
		t.say("ticket.hourly_minimum", kv{"min": minutes(p.Hourly.TicketMinimumMin)})
	case lim.RequestsPerMonth >= 0:
		t.say("ticket.quota_left", kv{"limit": lim.RequestsPerMonth, "left": max(lim.RequestsPerMonth-u.MonthRequests-1, 0)})
	}
	if kind == rules.RequestCallback {
		t.say("ticket.callback", nil)
		t.mentions = true
	}
	t.say("ticket.add_more", nil)
	t.sess.to(stateIdle)
	return nil
}

// onOffer reads the answer to a one-tap way forward after a denial: 1
// takes it; anything else is read as if no menu were on screen.
func (t *turn) onOffer() error {
	if n, ok := choice(t.in.Text, 1); ok && n == 1 && t.in.File == nil {
		kind, sev := t.sess.data.Kind, t.sess.data.Severity
		c, u, ok, err := t.chosenContract(kind)
		if err != nil || !ok {
			return err
		}
		if d := t.decide(c, u, kind, sev); d != rules.Allowed {
			return t.deny(c, u, kind, sev, d)
		}
		t.sess.state = statePickKind
		if kind.NeedsSeverity() && sev == "" {
			t.sess.state = statePickSeverity
			t.showSeverities(kind)
			return nil
		}
		return t.describeOrOpen(c, u, kind, sev)
	}
	if err := t.dropDraft(store.RouteDenied); err != nil {
		return err
	}
	t.sess.to(stateIdle)
	return t.onIdle()
}

// chosenContract reloads the contract of the request in progress with its
// usage now, as far as a request of kind needs it (usageFor). When it is
// gone (a re-import removed it) the request starts over and ok is false.
func (t *turn) chosenContract(kind rules.RequestKind) (c rules.Contract, u rules.Usage, ok bool, err error) {
	all, err := t.contracts()
	if err != nil {
		return c, u, false, err
	}
	c, found := findContract(all, t.sess.data.Contract)
	if !found {
		t.say("flow.expired", nil)
		return c, u, false, t.startRequest()
	}
	u, err = t.usageFor(c, kind)
	return c, u, err == nil, err
}

// decide runs the intake rules on what is known so far.
func (t *turn) decide(c rules.Contract, u rules.Usage, kind rules.RequestKind, sev rules.Severity) rules.Denial {
	return t.m.p.Decide(rules.Intake{Contract: c, Usage: u, Kind: kind, Severity: sev, City: t.cust.City, At: t.in.At})
}

// contracts lists the customer's contracts by id.
func (t *turn) contracts() ([]rules.Contract, error) {
	cs, err := t.st.ContractsOf(t.ctx, t.cust.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("contracts of %s: %w", t.cust.ID, err)
	}
	mine := cs[:0:0]
	for _, c := range cs {
		if c.CustomerID == t.cust.ID {
			mine = append(mine, c)
		}
	}
	slices.SortFunc(mine, func(a, b rules.Contract) int { return cmp.Compare(a.ID, b.ID) })
	return mine, nil
}

func findContract(cs []rules.Contract, id string) (rules.Contract, bool) {
	for _, c := range cs {
		if c.ID == id {
			return c, true
		}
	}
	return rules.Contract{}, false
}

// usageFor is usage when the decision on a request of kind (empty: the
// contract as a whole) can depend on it, and no usage otherwise: Decide
// answers the same either way (rules.Policy.UsageMatters), and the count is
// a query over the contract's tickets at every step of a request. What the
// customer is told after an allowed decision (the quota left) only exists
// where usage matters, so it is counted there.
func (t *turn) usageFor(c rules.Contract, kind rules.RequestKind) (rules.Usage, error) {
	if !t.m.p.UsageMatters(c, kind) {
		return rules.Usage{}, nil
	}
	return t.usage(c)
}

// usage counts what c has consumed in the Jalali month and the contract
// year of the message.
func (t *turn) usage(c rules.Contract) (rules.Usage, error) {
	// One message counts a contract at most once: nothing the turn stores
	// before it has decided (a ticket, a denial) changes the count in between.
	if u, ok := t.usages[c.ID]; ok {
		return u, nil
	}
	u, err := t.st.Usage(t.ctx, c.ID, store.WindowAt(c, t.in.At, t.loc()))
	if err != nil {
		return rules.Usage{}, fmt.Errorf("usage of %s: %w", c.ID, err)
	}
	if t.usages == nil {
		t.usages = map[string]rules.Usage{}
	}
	t.usages[c.ID] = u
	return u, nil
}

// subject names a contract for the customer: its subject, else its id.
func subject(c rules.Contract) string {
	if c.Subject != "" {
		return c.Subject
	}
	return c.ID
}

// minutes is a count of minutes as a duration argument, never negative.
func minutes(n int) time.Duration {
	return time.Duration(max(n, 0)) * time.Minute
}

// draftTimes is the earliest WhatsApp time of a draft's messages and the
// earliest time one of them reached the bot (Event.Sent, Event.Arrived);
// zero where none is known.
func draftTimes(draft []pending) (sent, arrived time.Time) {
	for _, d := range draft {
		if !d.SentAt.IsZero() && (sent.IsZero() || d.SentAt.Before(sent)) {
			sent = d.SentAt
		}
		if !d.At.IsZero() && (arrived.IsZero() || d.At.Before(arrived)) {
			arrived = d.At
		}
	}
	return sent, arrived
}
