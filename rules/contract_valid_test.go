package rules

import (
	"errors"
	"testing"
	"time"
)

func TestContractValidate(t *testing.T) {
	d := func(y int, m time.Month, day int) Date { return Date{Year: y, Month: m, Day: day} }
	product := Contract{ID: "K-1", CustomerID: "C-1", Kind: KindProduct, Tier: TierBronze, PurchasedOn: d(2026, 10, 1)}
	hourly := Contract{ID: "K-2", CustomerID: "C-1", Kind: KindHourly, Tier: TierH50, PurchasedOn: d(2026, 10, 1)}
	with := func(c Contract, f func(*Contract)) Contract { f(&c); return c }
	type want struct {
		field string
		err   error
	}
	tests := []struct {
		name string
		c    Contract
		want []want
	}{
		{"a product, just bought", product, nil},
		{"a product delivered and confirmed in order", with(product, func(c *Contract) { c.DeliveredOn, c.ConfirmedOn = d(2026, 10, 1), d(2026, 10, 3) }), nil},
		{"an hourly package for a project", with(hourly, func(c *Contract) { c.ProjectID = "K-1" }), nil},
		{"nothing set", Contract{}, []want{{FieldID, ErrContractIncomplete}, {FieldCustomerID, ErrContractIncomplete}, {FieldKind, ErrUnknownKind}, {FieldPurchasedOn, ErrContractIncomplete}}},
		{"a product with an hourly tier", with(product, func(c *Contract) { c.Tier = TierH50 }), []want{{FieldTier, ErrUnknownTier}}},
		{"an hourly package delivered", with(hourly, func(c *Contract) { c.DeliveredOn, c.ConfirmedOn = d(2026, 10, 2), d(2026, 10, 3) }), []want{{FieldDeliveredOn, ErrNotDelivered}, {FieldConfirmedOn, ErrNotDelivered}}},
		{"delivered before purchase", with(product, func(c *Contract) { c.DeliveredOn = d(2026, 9, 30) }), []want{{FieldDeliveredOn, ErrBeforePurchase}}},
		{"confirmed, never delivered", with(product, func(c *Contract) { c.ConfirmedOn = d(2026, 10, 5) }), []want{{FieldConfirmedOn, ErrConfirmedUndelivered}}},
		{"confirmed before delivery", with(product, func(c *Contract) { c.DeliveredOn, c.ConfirmedOn = d(2026, 10, 5), d(2026, 10, 4) }), []want{{FieldConfirmedOn, ErrBeforeDelivery}}},
		{"a project on a product", with(product, func(c *Contract) { c.ProjectID = "P-1" }), []want{{FieldProjectID, ErrProjectNotHourly}}},
		{"a negative staff id", with(product, func(c *Contract) { c.DedicatedStaff = -4 }), []want{{FieldDedicatedStaff, ErrBadStaff}}},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		got := ContractErrors(err)
		if (err == nil) != (len(tt.want) == 0) || len(got) != len(tt.want) {
			t.Errorf("%s: Validate = %v, want %d problems", tt.name, err, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if got[i].Field != w.field || !errors.Is(got[i], w.err) {
				t.Errorf("%s: problem %d = %v, want %s: %v", tt.name, i, got[i], w.field, w.err)
			}
		}
	}
}
