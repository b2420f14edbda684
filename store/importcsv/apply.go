package importcsv

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"supportbot/rules"
	"supportbot/store"
)

// Summary counts what an import changed; unchanged records count as nothing,
// so importing the same file twice gives an all-zero Summary the second time.
type Summary struct {
	CustomersAdded   int
	CustomersUpdated int
	ContractsAdded   int
	ContractsUpdated int
	PhonesAdded      int
	PhonesRemoved    int
}

// Apply writes b to the store in one transaction, all or nothing: customers
// (name, city), their imported phones (SetImportedPhones), then contracts.
// Records that already hold the same values are not written, so the same
// file twice changes nothing. A number staff linked to a customer stays
// linked, even when the file gives it to another customer. Apply fails,
// changing nothing, when a number in the file was imported earlier for a
// customer the file does not mention, or when an hourly package's
// project_id names no project contract of the same customer in the file or
// the database; its errors are *Error values placed on the file's lines.
func Apply(ctx context.Context, st store.Store, b Batch) (Summary, error) {
	var sum Summary
	err := st.InTx(ctx, func(tx store.Store) error {
		a := applier{ctx: ctx, tx: tx, b: &b, probs: problems{file: b.fileName()}}
		s, err := a.run()
		sum = s
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func (b *Batch) fileName() string {
	if b.file == "" {
		return "import"
	}
	return b.file
}

type applier struct {
	ctx   context.Context
	tx    store.Store
	b     *Batch
	probs problems
	sum   Summary
}

func (a *applier) run() (Summary, error) {
	before, err := a.customers()
	if err != nil {
		return Summary{}, err
	}
	if err := a.phones(before); err != nil {
		return Summary{}, err
	}
	if err := a.contracts(); err != nil {
		return Summary{}, err
	}
	if err := a.probs.err(); err != nil {
		return Summary{}, err
	}
	return a.sum, nil
}

// customers upserts new and changed customers and returns the phones each
// existing one had before.
func (a *applier) customers() (map[string][]string, error) {
	before := map[string][]string{}
	for _, c := range a.b.Customers {
		old, err := a.tx.Customer(a.ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.sum.CustomersAdded++
		case err != nil:
			return nil, fmt.Errorf("import: customer %s: %w", c.ID, err)
		case old.Name == c.Name && old.City == c.City:
			before[c.ID] = old.Phones
			continue
		default:
			before[c.ID] = old.Phones
			a.sum.CustomersUpdated++
		}
		rec := store.Customer{ID: c.ID, Name: c.Name, City: c.City}
		if err := a.tx.UpsertCustomer(a.ctx, rec); err != nil {
			return nil, fmt.Errorf("import: customer %s: %w", c.ID, err)
		}
	}
	return before, nil
}

// phones makes each customer's imported phones the file's. Numbers that
// belong to another customer now are set last, one at a time, after every
// customer of the file has given up the numbers it no longer lists: a number
// staff linked elsewhere stays there (SetImportedPhones leaves links alone),
// and one an earlier import gave a customer outside the file is an error.
func (a *applier) phones(before map[string][]string) error {
	contested := map[string]bool{}
	for _, c := range a.b.Customers {
		for _, ph := range c.Phones {
			owner, err := a.tx.CustomerByPhone(a.ctx, ph)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("import: phone %s: %w", ph, err)
			}
			if owner.ID != c.ID {
				contested[ph] = true
			}
		}
	}
	for _, c := range a.b.Customers {
		free := slices.DeleteFunc(slices.Clone(c.Phones), func(ph string) bool { return contested[ph] })
		if err := a.tx.SetImportedPhones(a.ctx, c.ID, free); err != nil {
			return fmt.Errorf("import: phones of %s: %w", c.ID, err)
		}
	}
	for _, c := range a.b.Customers {
		var set []string
		for _, ph := range c.Phones {
			if !contested[ph] {
				set = append(set, ph)
				continue
			}
			try := append(slices.Clone(set), ph)
			err := a.tx.SetImportedPhones(a.ctx, c.ID, try)
			switch {
			case errors.Is(err, store.ErrConflict):
				owner, _ := a.tx.CustomerByPhone(a.ctx, ph)
				a.probs.add(a.b.phoneLine[ph], ColPhones, fmt.Sprintf(
					"%q of customer %q is already a phone of customer %q from an earlier import; give %q its rows in this file without it, or drop it here",
					ph, c.ID, owner.ID, owner.ID), err)
			case err != nil:
				return fmt.Errorf("import: phones of %s: %w", c.ID, err)
			default:
				set = try
			}
		}
	}
	if len(a.probs.list) > 0 {
		return a.probs.err()
	}
	for _, c := range a.b.Customers {
		now, err := a.tx.Customer(a.ctx, c.ID)
		if err != nil {
			return fmt.Errorf("import: customer %s: %w", c.ID, err)
		}
		old := before[c.ID]
		for _, ph := range now.Phones {
			if !slices.Contains(old, ph) {
				a.sum.PhonesAdded++
			}
		}
		for _, ph := range old {
			if !slices.Contains(now.Phones, ph) {
				a.sum.PhonesRemoved++
			}
		}
	}
	return nil
}

// contracts upserts new and changed contracts, then checks the projects of
// hourly packages against the file and the database together.
func (a *applier) contracts() error {
	for _, c := range a.b.Contracts {
		old, err := a.tx.Contract(a.ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.sum.ContractsAdded++
		case err != nil:
			return fmt.Errorf("import: contract %s: %w", c.ID, err)
		case old == c:
			continue
		default:
			a.sum.ContractsUpdated++
		}
		if err := a.tx.UpsertContract(a.ctx, c); err != nil {
			return fmt.Errorf("import: contract %s: %w", c.ID, err)
		}
	}
	for _, c := range a.b.Contracts {
		if c.Kind != rules.KindHourly || c.ProjectID == "" {
			continue
		}
		line := a.b.contractLine[c.ID]
		proj, err := a.tx.Contract(a.ctx, c.ProjectID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.probs.add(line, ColProjectID, fmt.Sprintf("%q: no such contract in this file or the database", c.ProjectID), err)
		case err != nil:
			return fmt.Errorf("import: contract %s: %w", c.ProjectID, err)
		case proj.Kind != rules.KindProject:
			a.probs.add(line, ColProjectID, fmt.Sprintf("%q is a %s contract, not a project", c.ProjectID, proj.Kind), nil)
		case proj.CustomerID != c.CustomerID:
			a.probs.add(line, ColProjectID, fmt.Sprintf("%q belongs to customer %q, not %q", c.ProjectID, proj.CustomerID, c.CustomerID), nil)
		}
	}
	return nil
}
