package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"supportbot/store"
)

// UpsertCustomer creates the customer or updates its name and city. Phones
// are not touched: they change only through SetImportedPhones and LinkPhone.
func (q *queries) UpsertCustomer(ctx context.Context, c store.Customer) error {
	_, err := q.wr.ExecContext(ctx, `INSERT INTO customers (id, name, city) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, city = excluded.city`, c.ID, c.Name, c.City)
	return wrap(err, "upsert customer %s", c.ID)
}

// customerQuery reads a customer with its phones in one statement (every
// inbound message looks its sender up): the numbers come sorted and joined
// by spaces, which no E.164 number contains.
const customerQuery = `SELECT c.id, c.name, c.city,
	(SELECT group_concat(number, ' ') FROM (SELECT number FROM phones WHERE customer_id = c.id ORDER BY number))
	FROM customers c WHERE c.id = `

// scanCustomer reads one row of customerQuery.
func scanCustomer(row *sql.Row) (store.Customer, error) {
	var c store.Customer
	var phones sql.NullString
	if err := row.Scan(&c.ID, &c.Name, &c.City, &phones); err != nil {
		return store.Customer{}, err
	}
	if phones.String != "" {
		c.Phones = strings.Split(phones.String, " ")
	}
	return c, nil
}

// Customer returns the customer with its phones, sorted.
func (q *queries) Customer(ctx context.Context, id string) (store.Customer, error) {
	c, err := scanCustomer(q.rd.QueryRowContext(ctx, customerQuery+`?`, id))
	return c, wrap(err, "customer %s", id)
}

// ownerOf is the customer a contact belongs to: a phone, or else a hidden
// WhatsApp address staff linked (the bound value is the contact).
const ownerOf = `COALESCE((SELECT customer_id FROM phones WHERE number = ?1), (SELECT customer_id FROM addresses WHERE address = ?1))`

// CustomerByPhone returns the customer the contact belongs to: a number,
// or a hidden address linked to the customer.
func (q *queries) CustomerByPhone(ctx context.Context, phone string) (store.Customer, error) {
	c, err := scanCustomer(q.rd.QueryRowContext(ctx, customerQuery+ownerOf, phone))
	return c, wrap(err, "customer by phone %s", phone)
}

// ListCustomers returns every customer by id, each with its phones sorted.
func (q *queries) ListCustomers(ctx context.Context) ([]store.Customer, error) {
	rows, err := q.rd.QueryContext(ctx, `SELECT id, name, city FROM customers ORDER BY id`)
	if err != nil {
		return nil, wrap(err, "list customers")
	}
	var cs []store.Customer
	at := map[string]int{}
	for rows.Next() {
		var c store.Customer
		if err := rows.Scan(&c.ID, &c.Name, &c.City); err != nil {
			rows.Close()
			return nil, wrap(err, "list customers")
		}
		at[c.ID] = len(cs)
		cs = append(cs, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, wrap(err, "list customers")
	}

	rows, err = q.rd.QueryContext(ctx, `SELECT customer_id, number FROM phones ORDER BY customer_id, number`)
	if err != nil {
		return nil, wrap(err, "list customer phones")
	}
	for rows.Next() {
		var id, number string
		if err := rows.Scan(&id, &number); err != nil {
			rows.Close()
			return nil, wrap(err, "list customer phones")
		}
		// A customer added between the two queries is simply missing here.
		if i, ok := at[id]; ok {
			cs[i].Phones = append(cs[i].Phones, number)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, wrap(err, "list customer phones")
	}
	rows, err = q.rd.QueryContext(ctx, `SELECT customer_id, address FROM addresses ORDER BY customer_id, address`)
	if err != nil {
		return nil, wrap(err, "list customer addresses")
	}
	for rows.Next() {
		var id, addr string
		if err := rows.Scan(&id, &addr); err != nil {
			rows.Close()
			return nil, wrap(err, "list customer addresses")
		}
		if i, ok := at[id]; ok {
			cs[i].Addresses = append(cs[i].Addresses, addr)
		}
	}
	return cs, wrap(closeRows(rows), "list customer addresses")
}

// SetImportedPhones makes phones the customer's imported numbers, in one
// transaction: numbers new to the store are added as imported, a number the
// customer already has keeps its source (a linked one stays linked), and the
// customer's imported numbers not listed are removed. A listed number that
// staff linked to another customer stays with that customer (links survive
// imports); one that an import gave another customer is a store.ErrConflict
// naming the number. An unknown customer is store.ErrNotFound.
func (q *queries) SetImportedPhones(ctx context.Context, customerID string, phones []string) error {
	return q.inTx(ctx, func(tq *queries) error {
		if err := tq.mustExist(ctx, customerID); err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, p := range phones {
			keep[p] = true
			var owner, source string
			err := tq.rd.QueryRowContext(ctx, `SELECT customer_id, source FROM phones WHERE number = ?`, p).Scan(&owner, &source)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				_, err = tq.wr.ExecContext(ctx, `INSERT INTO phones (number, customer_id, source) VALUES (?, ?, 'import')`, p, customerID)
				if err != nil {
					return wrap(err, "import phone %s for customer %s", p, customerID)
				}
			case err != nil:
				return wrap(err, "import phone %s for customer %s", p, customerID)
			case owner == customerID, source == string(store.PhoneLinked):
				// Already this customer's, or linked by staff: leave it.
			default:
				return fmt.Errorf("import phone %s for customer %s: imported for customer %s: %w", p, customerID, owner, store.ErrConflict)
			}
		}

		rows, err := tq.rd.QueryContext(ctx, `SELECT number FROM phones WHERE customer_id = ? AND source = 'import'`, customerID)
		if err != nil {
			return wrap(err, "customer %s imported phones", customerID)
		}
		var drop []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return wrap(err, "customer %s imported phones", customerID)
			}
			if !keep[p] {
				drop = append(drop, p)
			}
		}
		if err := closeRows(rows); err != nil {
			return wrap(err, "customer %s imported phones", customerID)
		}
		for _, p := range drop {
			if _, err := tq.wr.ExecContext(ctx, `DELETE FROM phones WHERE number = ?`, p); err != nil {
				return wrap(err, "drop phone %s of customer %s", p, customerID)
			}
		}
		return nil
	})
}

// LinkPhone attaches phone to the customer as a staff link, moving it from
// any other customer. An unknown customer is store.ErrNotFound.
func (q *queries) LinkPhone(ctx context.Context, phone, customerID string) error {
	return q.inTx(ctx, func(tq *queries) error {
		if err := tq.mustExist(ctx, customerID); err != nil {
			return fmt.Errorf("link phone %s: %w", phone, err)
		}
		_, err := tq.wr.ExecContext(ctx, `INSERT INTO phones (number, customer_id, source) VALUES (?, ?, 'link')
			ON CONFLICT (number) DO UPDATE SET customer_id = excluded.customer_id, source = excluded.source`, phone, customerID)
		return wrap(err, "link phone %s to customer %s", phone, customerID)
	})
}

// mustExist returns store.ErrNotFound unless the customer exists.
func (q *queries) mustExist(ctx context.Context, customerID string) error {
	var one int
	err := q.rd.QueryRowContext(ctx, `SELECT 1 FROM customers WHERE id = ?`, customerID).Scan(&one)
	return wrap(err, "customer %s", customerID)
}

// closeRows closes rows and reports any error met while iterating.
func closeRows(rows *sql.Rows) error {
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	return rows.Close()
}
