package sqlite

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"supportbot/store"
)

// TestPhoneState checks that the one-statement read gives exactly what
// Session and CustomerByPhone give, inside and outside a transaction.
func TestPhoneState(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	must(t, db.SetImportedPhones(ctx, "C-1", []string{"+989121111111", "+989122222222"}))
	must(t, db.UpsertCustomer(ctx, store.Customer{ID: "C-2", Name: "Bare"}))
	must(t, db.SetImportedPhones(ctx, "C-2", []string{"+989123333333"}))
	must(t, db.SaveSession(ctx, store.Session{Phone: "+989121111111", State: "main_menu", Data: `{"k":1}`, UpdatedAt: at(2026, 11, 29, 9, 0)}))
	must(t, db.SaveSession(ctx, store.Session{Phone: "+989129999999", State: "identify"}))
	// Hidden addresses: two of C-1's with no number known, one joined with
	// C-1's number, one of C-2's.
	for _, a := range []struct{ addr, cust string }{{"lid:45", "C-1"}, {"lid:42", "C-1"}, {"lid:43", "C-1"}, {"lid:44", "C-2"}} {
		must(t, db.LinkAddress(ctx, a.addr, a.cust, at(2026, 11, 29, 8, 0)))
	}
	must(t, db.JoinAddress(ctx, "lid:43", "+989121111111"))
	if got, err := db.Unmatched(ctx, "C-1"); err != nil || !reflect.DeepEqual(got, []string{"lid:42", "lid:45"}) {
		t.Errorf("Unmatched(C-1) = %v, %v; want lid:42 lid:45 (lid:43's number is known)", got, err)
	}

	check := func(st store.Store, phone string) {
		t.Helper()
		got, err := st.(store.PhoneStates).PhoneState(ctx, phone)
		if err != nil {
			t.Fatalf("PhoneState(%s): %v", phone, err)
		}
		var want store.PhoneState
		s, err := st.Session(ctx, phone)
		switch {
		case err == nil:
			want.Session, want.HasSession = s, true
		case !errors.Is(err, store.ErrNotFound):
			t.Fatal(err)
		}
		c, err := st.CustomerByPhone(ctx, phone)
		switch {
		case err == nil:
			want.Customer, want.HasCustomer = c, true
			if want.Unmatched, err = st.Unmatched(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		case !errors.Is(err, store.ErrNotFound):
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PhoneState(%s) = %+v, want %+v", phone, got, want)
		}
	}
	phones := []string{"+989121111111", "+989122222222", "+989123333333", "+989129999999", "+989120000000", "lid:42", "lid:43", "lid:44", "lid:46", ""}
	for _, p := range phones {
		check(db, p)
	}
	must(t, db.InTx(ctx, func(tx store.Store) error {
		for _, p := range phones {
			check(tx, p)
		}
		return nil
	}))
}
