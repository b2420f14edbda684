package conversation

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/storetest"
)

// fakeStore is an in-memory Store with the same counting rules as the
// SQLite store; TestFakeStoreContract holds it to the store contract suite
// (store/storetest) that SQLite passes, so the two cannot drift.
type fakeStore struct {
	mu        sync.Mutex
	customers map[string]store.Customer
	phones    map[string]string // phone -> customer id
	linked    map[string]bool   // phones staff linked: an import leaves them
	hidden    map[string]string // hidden address with no number known -> customer id
	contracts []rules.Contract
	tickets   []store.Ticket
	messages  []store.Message
	timeLogs  []store.TimeLog
	entries   []store.HourlyEntry
	denials   []store.Denial
	settings  map[string]string
	sessions  map[string]store.Session
	routes    map[int64]routed // received message id -> where it went
	received  int64            // the last Received id handed out
	err       error            // when set, every call fails with it
}

var (
	_ Store                  = (*fakeStore)(nil)
	_ storetest.Conversation = (*fakeStore)(nil)
)

// TestFakeStoreContract: the fake behaves as SQLite does in everything the
// conversation relies on (usage counting, quotas, tickets, customers).
func TestFakeStoreContract(t *testing.T) {
	storetest.RunConversation(t, func(*testing.T) storetest.Conversation { return newFakeStore() })
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		customers: map[string]store.Customer{},
		phones:    map[string]string{},
		linked:    map[string]bool{},
		hidden:    map[string]string{},
		settings:  map[string]string{},
		sessions:  map[string]store.Session{},
		routes:    map[int64]routed{},
	}
}

// routed is where a received message went, as RouteReceived recorded it.
type routed struct {
	ticket int64
	route  string
}

func (f *fakeStore) RouteReceived(_ context.Context, id, ticketID int64, route string, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.routes[id] = routed{ticketID, route}
	return nil
}

func (f *fakeStore) UpdateTicket(_ context.Context, t store.Ticket) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if t.ID < 1 || t.ID > int64(len(f.tickets)) {
		return store.ErrNotFound
	}
	f.tickets[t.ID-1] = t
	return nil
}

func (f *fakeStore) addCustomer(c store.Customer, contracts ...rules.Contract) {
	ctx := context.Background()
	_ = f.UpsertCustomer(ctx, c)
	_ = f.SetImportedPhones(ctx, c.ID, c.Phones)
	for _, k := range contracts {
		k.CustomerID = c.ID
		_ = f.UpsertContract(ctx, k)
	}
}

// charge sets what hourly package contractID has been charged besides
// ticket time: used minutes in all, month of them in the Jalali month of
// now (as month-end and expiry entries would).
func (f *fakeStore) charge(contractID string, used, month int, now time.Time) {
	f.mu.Lock()
	f.entries = slices.DeleteFunc(f.entries, func(e store.HourlyEntry) bool { return e.ContractID == contractID })
	f.mu.Unlock()
	ctx := context.Background()
	_ = f.AddHourlyEntry(ctx, &store.HourlyEntry{ContractID: contractID, At: now.AddDate(-1, 0, 0), Month: "before",
		Kind: store.HourlySettlement, Minutes: used - month})
	_ = f.AddHourlyEntry(ctx, &store.HourlyEntry{ContractID: contractID, At: now, Month: "now",
		Kind: store.HourlySettlement, Minutes: month})
}

func (f *fakeStore) UpsertCustomer(_ context.Context, c store.Customer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.customers[c.ID] = store.Customer{ID: c.ID, Name: c.Name, City: c.City}
	return nil
}

func (f *fakeStore) SetImportedPhones(_ context.Context, customerID string, phones []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for p, id := range f.phones {
		if id == customerID && !f.linked[p] && f.hidden[p] == "" && !slices.Contains(phones, p) {
			delete(f.phones, p)
		}
	}
	for _, p := range phones {
		if !f.linked[p] {
			f.phones[p] = customerID
		}
	}
	return nil
}

func (f *fakeStore) UpsertContract(_ context.Context, c rules.Contract) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if i := slices.IndexFunc(f.contracts, func(k rules.Contract) bool { return k.ID == c.ID }); i >= 0 {
		f.contracts[i] = c
		return nil
	}
	f.contracts = append(f.contracts, c)
	return nil
}

func (f *fakeStore) AddTimeLog(_ context.Context, l *store.TimeLog) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	l.ID = int64(len(f.timeLogs) + 1)
	f.timeLogs = append(f.timeLogs, *l)
	return nil
}

func (f *fakeStore) AddHourlyEntry(_ context.Context, e *store.HourlyEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for _, o := range f.entries {
		if o.ContractID == e.ContractID && o.Month == e.Month && o.Kind == e.Kind {
			return store.ErrConflict
		}
	}
	e.ID = int64(len(f.entries) + 1)
	f.entries = append(f.entries, *e)
	return nil
}

func (f *fakeStore) Messages(_ context.Context, ticketID int64) ([]store.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []store.Message
	for _, m := range f.messages {
		if m.TicketID == ticketID {
			out = append(out, m)
		}
	}
	return out, nil
}

func (f *fakeStore) SetSetting(_ context.Context, key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.settings[key] = value
	return nil
}

// link attaches phone to a customer and resets its session, as the desk's
// /link does.
func (f *fakeStore) link(phone, customerID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phones[phone] = customerID
	f.linked[phone] = true
	delete(f.sessions, phone)
}

// linkHidden attaches a hidden address whose number is not known to a
// customer, as the desk's /link lid:… does.
func (f *fakeStore) linkHidden(address, customerID string) {
	f.link(address, customerID)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hidden[address] = customerID
}

func (f *fakeStore) Unmatched(_ context.Context, customerID string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []string
	for a, id := range f.hidden {
		if id == customerID {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeStore) CustomerByPhone(_ context.Context, phone string) (store.Customer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Customer{}, f.err
	}
	id, ok := f.phones[phone]
	if !ok {
		return store.Customer{}, store.ErrNotFound
	}
	c := f.customers[id]
	for p, owner := range f.phones {
		if owner == id && f.hidden[p] == "" {
			c.Phones = append(c.Phones, p)
		}
	}
	slices.Sort(c.Phones)
	return c, nil
}

func (f *fakeStore) ContractsOf(_ context.Context, customerID string) ([]rules.Contract, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []rules.Contract
	for _, c := range f.contracts {
		if c.CustomerID == customerID {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b rules.Contract) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Usage counts as store/sqlite's usage query does: declined and merged
// tickets count for nothing; requests by opening in the month; visits,
// reinstalls and reviews by opening in the year; training and
// customization by the time logged in the year; for hourly packages every
// minute charged (tickets and entries) and, in the month, the time logged,
// the charge above it (at the first log, else the close) and the entries.
func (f *fakeStore) Usage(_ context.Context, contractID string, w store.UsageWindow) (rules.Usage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return rules.Usage{}, f.err
	}
	in := func(t, start, end time.Time) bool {
		return !t.IsZero() && !start.IsZero() && !end.IsZero() && !t.Before(start) && t.Before(end)
	}
	var u rules.Usage
	for _, t := range f.tickets {
		if t.ContractID != contractID || t.Status == store.TicketDeclined || t.Status == store.TicketMerged {
			continue
		}
		if in(t.OpenedAt, w.MonthStart, w.MonthEnd) {
			u.MonthRequests++
		}
		if in(t.OpenedAt, w.YearStart, w.YearEnd) {
			switch t.Kind {
			case rules.RequestOnsite:
				u.Onsite++
			case rules.RequestReinstall:
				u.Reinstalls++
			case rules.RequestReview:
				u.Reviews++
			}
		}
		var first time.Time
		for _, l := range f.timeLogs {
			if l.TicketID != t.ID {
				continue
			}
			if first.IsZero() || l.At.Before(first) {
				first = l.At
			}
			if in(l.At, w.YearStart, w.YearEnd) {
				switch t.Kind {
				case rules.RequestTraining:
					u.TrainingMin += l.Minutes
				case rules.RequestCustomization:
					u.CustomizationMin += l.Minutes
				}
			}
			if w.Hourly && in(l.At, w.MonthStart, w.MonthEnd) {
				u.MonthUsedMin += l.Minutes
			}
		}
		if !w.Hourly {
			continue
		}
		u.HoursUsedMin += t.ChargedMin
		if extra := t.ChargedMin - t.LoggedMin; extra > 0 {
			if first.IsZero() {
				first = t.ClosedAt
			}
			if in(first, w.MonthStart, w.MonthEnd) {
				u.MonthUsedMin += extra
			}
		}
	}
	if w.Hourly {
		for _, e := range f.entries {
			if e.ContractID == contractID {
				u.HoursUsedMin += e.Minutes
				if in(e.At, w.MonthStart, w.MonthEnd) {
					u.MonthUsedMin += e.Minutes
				}
			}
		}
	}
	return u, nil
}

func (f *fakeStore) ListTickets(_ context.Context, flt store.TicketFilter) ([]store.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	var out []store.Ticket
	for _, t := range f.tickets {
		switch {
		case flt.CustomerID != "" && t.CustomerID != flt.CustomerID,
			flt.ContractID != "" && t.ContractID != flt.ContractID,
			flt.Phone != "" && t.Phone != flt.Phone,
			flt.OpenOnly && !t.Status.Open():
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

func (f *fakeStore) CreateTicket(_ context.Context, t *store.Ticket) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	t.ID = int64(len(f.tickets) + 1)
	f.tickets = append(f.tickets, *t)
	return nil
}

func (f *fakeStore) Ticket(_ context.Context, id int64) (store.Ticket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Ticket{}, f.err
	}
	if id < 1 || id > int64(len(f.tickets)) {
		return store.Ticket{}, store.ErrNotFound
	}
	return f.tickets[id-1], nil
}

// setStatus changes a ticket's status, as staff would.
func (f *fakeStore) setStatus(id int64, s store.TicketStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tickets[id-1].Status = s
}

func (f *fakeStore) AddMessage(_ context.Context, m *store.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	m.ID = int64(len(f.messages) + 1)
	f.messages = append(f.messages, *m)
	return nil
}

func (f *fakeStore) AddDenial(_ context.Context, d *store.Denial) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	d.ID = int64(len(f.denials) + 1)
	f.denials = append(f.denials, *d)
	return nil
}

func (f *fakeStore) Setting(_ context.Context, key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	v, ok := f.settings[key]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (f *fakeStore) Session(_ context.Context, phone string) (store.Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return store.Session{}, f.err
	}
	s, ok := f.sessions[phone]
	if !ok {
		return store.Session{}, store.ErrNotFound
	}
	return s, nil
}

func (f *fakeStore) SaveSession(_ context.Context, s store.Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.sessions[s.Phone] = s
	return nil
}

// ticketsOf returns the stored tickets of a contract.
func (f *fakeStore) ticketsOf(contractID string) []store.Ticket {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Ticket
	for _, t := range f.tickets {
		if t.ContractID == contractID {
			out = append(out, t)
		}
	}
	return out
}

// denialsOf returns the stored denials with reason r.
func (f *fakeStore) denialsOf(r rules.Denial) []store.Denial {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Denial
	for _, d := range f.denials {
		if d.Reason == r {
			out = append(out, d)
		}
	}
	return out
}
