package conversation

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"supportbot/rules"
	"supportbot/store"
)

// fakeStore is an in-memory Store with the same counting rules as the
// SQLite store: monthly requests are non-declined tickets opened in the
// window, yearly allowances count tickets (or logged minutes) of their kind
// in the contract year. Hourly charges are set directly in hours.
type fakeStore struct {
	mu        sync.Mutex
	customers map[string]store.Customer
	phones    map[string]string // phone -> customer id
	hidden    map[string]string // hidden address with no number known -> customer id
	contracts []rules.Contract
	tickets   []store.Ticket
	messages  []store.Message
	denials   []store.Denial
	settings  map[string]string
	sessions  map[string]store.Session
	hours     map[string]hourly // contract id -> hourly charges
	routes    map[int64]routed  // received message id -> where it went
	received  int64             // the last Received id handed out
	err       error             // when set, every call fails with it
}

type hourly struct{ used, month int }

var _ Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		customers: map[string]store.Customer{},
		phones:    map[string]string{},
		hidden:    map[string]string{},
		settings:  map[string]string{},
		sessions:  map[string]store.Session{},
		hours:     map[string]hourly{},
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
	f.mu.Lock()
	defer f.mu.Unlock()
	f.customers[c.ID] = c
	for _, p := range c.Phones {
		f.phones[p] = c.ID
	}
	for _, k := range contracts {
		k.CustomerID = c.ID
		f.contracts = append(f.contracts, k)
	}
}

// link attaches phone to a customer and resets its session, as the desk's
// /link does.
func (f *fakeStore) link(phone, customerID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phones[phone] = customerID
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
	return f.customers[id], nil
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

func (f *fakeStore) Usage(_ context.Context, contractID string, w store.UsageWindow) (rules.Usage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return rules.Usage{}, f.err
	}
	var u rules.Usage
	for _, t := range f.tickets {
		if t.ContractID != contractID || t.Status == store.TicketDeclined {
			continue
		}
		if !t.OpenedAt.Before(w.MonthStart) && t.OpenedAt.Before(w.MonthEnd) {
			u.MonthRequests++
		}
		if t.OpenedAt.Before(w.YearStart) || !t.OpenedAt.Before(w.YearEnd) {
			continue
		}
		switch t.Kind {
		case rules.RequestOnsite:
			u.Onsite++
		case rules.RequestReinstall:
			u.Reinstalls++
		case rules.RequestReview:
			u.Reviews++
		case rules.RequestCustomization:
			u.CustomizationMin += t.LoggedMin
		case rules.RequestTraining:
			u.TrainingMin += t.LoggedMin
		}
	}
	if w.Hourly {
		h := f.hours[contractID]
		u.HoursUsedMin, u.MonthUsedMin = h.used, h.month
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
