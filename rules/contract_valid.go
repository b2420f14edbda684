package rules

import (
	"errors"
	"fmt"
)

// Why a contract breaks its invariants; a ContractError carries one of
// these with the field it concerns.
var (
	ErrContractIncomplete   = errors.New("a value is required")
	ErrNotDelivered         = errors.New("hourly packages are not delivered")
	ErrBeforePurchase       = errors.New("delivered before it was purchased")
	ErrConfirmedUndelivered = errors.New("confirmed but not delivered")
	ErrBeforeDelivery       = errors.New("confirmed before it was delivered")
	ErrProjectNotHourly     = errors.New("only hourly packages serve a project")
	ErrBadStaff             = errors.New("not a Telegram user id")
)

// Contract fields as ContractError names them: the import's column names.
const (
	FieldID             = "contract_id"
	FieldCustomerID     = "customer_id"
	FieldKind           = "kind"
	FieldTier           = "tier"
	FieldPurchasedOn    = "purchased_on"
	FieldDeliveredOn    = "delivered_on"
	FieldConfirmedOn    = "confirmed_on"
	FieldProjectID      = "project_id"
	FieldDedicatedStaff = "dedicated_staff"
)

// ContractError is one broken contract invariant: the field and why.
type ContractError struct {
	Field string
	Err   error // one of the Err… values above, ErrUnknownKind or ErrUnknownTier
}

func (e *ContractError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *ContractError) Unwrap() error { return e.Err }

// Validate checks what every stored contract must satisfy, whoever made it:
// identity and purchase date present, a known kind with one of its tiers,
// hourly packages never delivered, delivery not before purchase and
// confirmation only after delivery, a project only on hourly packages. It
// returns nil, or every *ContractError joined (errors.Join), in field order.
func (c Contract) Validate() error {
	var errs []error
	add := func(field string, err error) { errs = append(errs, &ContractError{Field: field, Err: err}) }
	if c.ID == "" {
		add(FieldID, ErrContractIncomplete)
	}
	if c.CustomerID == "" {
		add(FieldCustomerID, ErrContractIncomplete)
	}
	if _, ok := kindTiers[c.Kind]; !ok {
		add(FieldKind, fmt.Errorf("%w %q", ErrUnknownKind, string(c.Kind)))
	} else if !ValidTier(c.Kind, c.Tier) {
		add(FieldTier, fmt.Errorf("%w %q for %s", ErrUnknownTier, string(c.Tier), c.Kind))
	}
	if c.PurchasedOn.IsZero() {
		add(FieldPurchasedOn, ErrContractIncomplete)
	}
	if c.Kind == KindHourly {
		if !c.DeliveredOn.IsZero() {
			add(FieldDeliveredOn, ErrNotDelivered)
		}
		if !c.ConfirmedOn.IsZero() {
			add(FieldConfirmedOn, ErrNotDelivered)
		}
	} else {
		if !c.DeliveredOn.IsZero() && !c.PurchasedOn.IsZero() && c.DeliveredOn.Before(c.PurchasedOn) {
			add(FieldDeliveredOn, ErrBeforePurchase)
		}
		if !c.ConfirmedOn.IsZero() && c.DeliveredOn.IsZero() {
			add(FieldConfirmedOn, ErrConfirmedUndelivered)
		}
		if !c.ConfirmedOn.IsZero() && !c.DeliveredOn.IsZero() && c.ConfirmedOn.Before(c.DeliveredOn) {
			add(FieldConfirmedOn, ErrBeforeDelivery)
		}
	}
	if c.ProjectID != "" && c.Kind != KindHourly {
		add(FieldProjectID, ErrProjectNotHourly)
	}
	if c.DedicatedStaff < 0 {
		add(FieldDedicatedStaff, ErrBadStaff)
	}
	return errors.Join(errs...)
}

// ContractErrors lists the *ContractError values err joins, for callers
// that report each with its own wording.
func ContractErrors(err error) []*ContractError {
	var out []*ContractError
	var walk func(error)
	walk = func(err error) {
		if ce, ok := err.(*ContractError); ok {
			out = append(out, ce)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}
