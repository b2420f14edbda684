package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"supportbot/rules"
	"supportbot/store"
)

func TestCustomers(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-2", Name: "Beta", City: "Shiraz"}))
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "Acme", City: "Tehran"}))
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "Acme Ltd", City: "تهران"})) // update
	must(t, db.SetImportedPhones(ctx, "C-1", []string{"+989122222222", "+989121111111"}))

	c, err := db.Customer(ctx, "C-1")
	must(t, err)
	want := store.Customer{ID: "C-1", Name: "Acme Ltd", City: "تهران", Phones: []string{"+989121111111", "+989122222222"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Customer = %+v, want %+v", c, want)
	}
	byPhone, err := db.CustomerByPhone(ctx, "+989122222222")
	must(t, err)
	if !reflect.DeepEqual(byPhone, want) {
		t.Errorf("CustomerByPhone = %+v, want %+v", byPhone, want)
	}

	all, err := db.ListCustomers(ctx)
	must(t, err)
	wantAll := []store.Customer{want, {ID: "C-2", Name: "Beta", City: "Shiraz"}}
	if !reflect.DeepEqual(all, wantAll) {
		t.Errorf("ListCustomers = %+v, want %+v", all, wantAll)
	}
}

// phonesBySource reads the phones table as number -> "customer/source".
func phonesBySource(t *testing.T, db *DB) map[string]string {
	t.Helper()
	rows, err := db.reader.Query(`SELECT number, customer_id, source FROM phones`)
	must(t, err)
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var n, c, s string
		must(t, rows.Scan(&n, &c, &s))
		m[n] = c + "/" + s
	}
	must(t, rows.Err())
	return m
}

func TestSetImportedPhones(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, id := range []string{"C-1", "C-2"} {
		must(t, db.UpsertCustomer(ctx, store.Customer{ID: id}))
	}
	const a, b, c, d, e = "+989120000001", "+989120000002", "+989120000003", "+989120000004", "+989120000005"

	must(t, db.SetImportedPhones(ctx, "C-1", []string{a, b, c}))
	must(t, db.LinkPhone(ctx, c, "C-1")) // staff link an imported number: now linked
	must(t, db.LinkPhone(ctx, d, "C-1")) // and a new one
	must(t, db.SetImportedPhones(ctx, "C-2", []string{e}))
	must(t, db.LinkPhone(ctx, e, "C-1")) // moved from C-2 by staff

	// The next import drops b, c and d from C-1's list and lists e for C-2
	// again: b goes, linked c and d stay, e stays linked to C-1.
	must(t, db.SetImportedPhones(ctx, "C-1", []string{a}))
	must(t, db.SetImportedPhones(ctx, "C-2", []string{e}))
	want := map[string]string{a: "C-1/import", c: "C-1/link", d: "C-1/link", e: "C-1/link"}
	if got := phonesBySource(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("phones = %v, want %v", got, want)
	}

	// Importing the same list twice changes nothing.
	must(t, db.SetImportedPhones(ctx, "C-1", []string{a}))
	if got := phonesBySource(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after repeat: phones = %v, want %v", got, want)
	}

	// A number another customer has by import is a conflict, and the whole
	// call changes nothing.
	err := db.SetImportedPhones(ctx, "C-2", []string{"+989120000009", a})
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), a) {
		t.Errorf("import of C-1's number for C-2: %v, want ErrConflict naming %s", err, a)
	}
	if got := phonesBySource(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("after conflict: phones = %v, want %v", got, want)
	}
}

func TestLinkPhoneMoves(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-1"}))
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-2"}))
	must(t, db.SetImportedPhones(ctx, "C-1", []string{"+989120000001"}))
	must(t, db.LinkPhone(ctx, "+989120000001", "C-2"))
	c, err := db.CustomerByPhone(ctx, "+989120000001")
	must(t, err)
	if c.ID != "C-2" {
		t.Errorf("owner = %s, want C-2", c.ID)
	}
	c1, err := db.Customer(ctx, "C-1")
	must(t, err)
	if len(c1.Phones) != 0 {
		t.Errorf("C-1 phones = %v, want none", c1.Phones)
	}
}

func TestContracts(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-1"}))
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-2"}))
	k2 := rules.Contract{ID: "K-2", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierGold, Subject: "ERP",
		PurchasedOn: rules.Date{Year: 2026, Month: 3, Day: 21}, DeliveredOn: rules.Date{Year: 2026, Month: 4, Day: 2},
		ConfirmedOn: rules.Date{Year: 2026, Month: 4, Day: 9}, DedicatedStaff: 12345}
	k1 := rules.Contract{ID: "K-1", CustomerID: "C-1", Kind: rules.KindHourly, Tier: rules.TierH100,
		PurchasedOn: rules.Date{Year: 2025, Month: 12, Day: 31}, ProjectID: "K-2"}
	k3 := rules.Contract{ID: "K-3", CustomerID: "C-2", Kind: rules.KindCRM, Tier: rules.TierStandard}
	for _, c := range []rules.Contract{k2, k1, k3} {
		must(t, db.UpsertContract(ctx, c))
	}
	k2.Tier, k2.Subject = rules.TierSilver, "ERP 2"
	must(t, db.UpsertContract(ctx, k2)) // update

	got, err := db.Contract(ctx, "K-2")
	must(t, err)
	if !reflect.DeepEqual(got, k2) {
		t.Errorf("Contract = %+v, want %+v", got, k2)
	}
	of, err := db.ContractsOf(ctx, "C-1")
	must(t, err)
	if !reflect.DeepEqual(of, []rules.Contract{k1, k2}) {
		t.Errorf("ContractsOf = %+v", of)
	}
	all, err := db.ListContracts(ctx)
	must(t, err)
	if !reflect.DeepEqual(all, []rules.Contract{k1, k2, k3}) {
		t.Errorf("ListContracts = %+v", all)
	}
	none, err := db.ContractsOf(ctx, "C-404")
	if err != nil || len(none) != 0 {
		t.Errorf("ContractsOf unknown = %v, %v", none, err)
	}

	var stored string
	must(t, db.reader.QueryRow(`SELECT purchased_on FROM contracts WHERE id = 'K-1'`).Scan(&stored))
	if stored != "2025-12-31" {
		t.Errorf("stored date = %q, want 2025-12-31", stored)
	}
	var delivered *string
	must(t, db.reader.QueryRow(`SELECT delivered_on FROM contracts WHERE id = 'K-1'`).Scan(&delivered))
	if delivered != nil {
		t.Errorf("zero date stored as %q, want NULL", *delivered)
	}
}

// BenchmarkPhoneState is the read every inbound customer message starts
// with, inside a transaction as the engine runs it.
func BenchmarkPhoneState(b *testing.B) {
	db := MustOpen(b)
	MustSeed(b, db)
	ctx := context.Background()
	must(b, db.SaveSession(ctx, store.Session{Phone: "+989121111111", State: "idle", Data: `{"lang":"fa"}`, UpdatedAt: at(2026, 5, 2, 9, 0)}))
	must(b, db.InTx(ctx, func(tx store.Store) error {
		for b.Loop() {
			ps, err := tx.(store.PhoneStates).PhoneState(ctx, "+989121111111")
			if err != nil || !ps.HasSession || !ps.HasCustomer {
				b.Fatalf("PhoneState = %+v, %v", ps, err)
			}
		}
		return nil
	}))
}
