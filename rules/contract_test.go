package rules

import (
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

// ciTehran is the office's zone; contract dates are days in it.
var ciTehran = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		panic(err)
	}
	return loc
}()

// ciJ returns the civil date of a Jalali date, so tests read like SPEC.
func ciJ(tb testing.TB, y, m, d int) Date {
	tb.Helper()
	date, err := JalaliDate(y, m, d)
	if err != nil {
		tb.Fatalf("JalaliDate(%d, %d, %d): %v", y, m, d, err)
	}
	return date
}

// ciAt returns the instant hh:mm on a Jalali date in Tehran.
func ciAt(tb testing.TB, y, m, d, hh, mm int) time.Time {
	tb.Helper()
	return ciJ(tb, y, m, d).Time(ciTehran).Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// ciPolicy is the shipped policy in Tehran.
func ciPolicy(tb testing.TB) *Policy {
	tb.Helper()
	return &Policy{Calendar: DefaultCalendar(ciTehran), Tiers: DefaultTiers(), Hourly: DefaultHourlyRules()}
}

func TestSupportStart(t *testing.T) {
	tests := []struct {
		name      string
		c         Contract
		want      Date
		delivered bool
	}{
		{
			name:      "product starts on the delivery confirmation",
			c:         Contract{Kind: KindProduct, Tier: TierSilver, PurchasedOn: ciJ(t, 1405, 7, 10), DeliveredOn: ciJ(t, 1405, 7, 14), ConfirmedOn: ciJ(t, 1405, 7, 15)},
			want:      ciJ(t, 1405, 7, 15),
			delivered: true,
		},
		{
			name:      "no confirmation: delivery + 7 days",
			c:         Contract{Kind: KindProduct, Tier: TierBronze, PurchasedOn: ciJ(t, 1405, 8, 20), DeliveredOn: ciJ(t, 1405, 8, 28)},
			want:      ciJ(t, 1405, 9, 5), // Aban has 30 days
			delivered: true,
		},
		{
			name:      "project without confirmation: delivery + 7 days",
			c:         Contract{Kind: KindProject, Tier: TierBase, PurchasedOn: ciJ(t, 1405, 5, 1), DeliveredOn: ciJ(t, 1405, 5, 10)},
			want:      ciJ(t, 1405, 5, 17),
			delivered: true,
		},
		{
			name:      "a late confirmation (problem reported in the week) still wins",
			c:         Contract{Kind: KindProject, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 5, 1), DeliveredOn: ciJ(t, 1405, 5, 10), ConfirmedOn: ciJ(t, 1405, 5, 25)},
			want:      ciJ(t, 1405, 5, 25),
			delivered: true,
		},
		{
			name: "not delivered yet: no start",
			c:    Contract{Kind: KindProduct, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 9, 1)},
		},
		{
			name:      "hourly package starts on purchase",
			c:         Contract{Kind: KindHourly, Tier: TierH200, PurchasedOn: ciJ(t, 1405, 8, 1)},
			want:      ciJ(t, 1405, 8, 1),
			delivered: true,
		},
		{
			name:      "CRM service starts on purchase",
			c:         Contract{Kind: KindCRM, Tier: TierStandard, PurchasedOn: ciJ(t, 1405, 1, 10), DeliveredOn: ciJ(t, 1405, 2, 1)},
			want:      ciJ(t, 1405, 1, 10),
			delivered: true,
		},
		{
			name: "hourly package without a purchase date: no start",
			c:    Contract{Kind: KindHourly, Tier: TierH50},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.SupportStart(ciTehran)
			if ok != tt.delivered {
				t.Fatalf("SupportStart ok = %t, want %t", ok, tt.delivered)
			}
			if !ok {
				if !got.IsZero() {
					t.Errorf("SupportStart = %v, want zero time", got)
				}
				return
			}
			if want := tt.want.Time(ciTehran); !got.Equal(want) || got.Location() != ciTehran {
				t.Errorf("SupportStart = %v, want %v (midnight in Tehran)", got, want)
			}
		})
	}
}

func TestSupportEnd(t *testing.T) {
	h := DefaultHourlyRules()
	tests := []struct {
		name string
		c    Contract
		want Date
	}{
		{
			name: "product: one Jalali year after confirmation",
			c:    Contract{Kind: KindProduct, Tier: TierSilver, PurchasedOn: ciJ(t, 1405, 7, 10), DeliveredOn: ciJ(t, 1405, 7, 14), ConfirmedOn: ciJ(t, 1405, 7, 15)},
			want: ciJ(t, 1406, 7, 15),
		},
		{
			name: "project without confirmation: one year after delivery + 7",
			c:    Contract{Kind: KindProject, Tier: TierBase, PurchasedOn: ciJ(t, 1405, 5, 1), DeliveredOn: ciJ(t, 1405, 5, 10)},
			want: ciJ(t, 1406, 5, 17),
		},
		{
			name: "CRM: one year after purchase",
			c:    Contract{Kind: KindCRM, Tier: TierStandard, PurchasedOn: ciJ(t, 1405, 1, 10)},
			want: ciJ(t, 1406, 1, 10),
		},
		{
			name: "hourly bought in Aban: end of the Jalali year",
			c:    Contract{Kind: KindHourly, Tier: TierH200, PurchasedOn: ciJ(t, 1405, 8, 1)},
			want: ciJ(t, 1406, 1, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.c.SupportEnd(ciTehran, h)
			if !ok {
				t.Fatal("SupportEnd ok = false, want true")
			}
			if want := tt.want.Time(ciTehran); !got.Equal(want) {
				t.Errorf("SupportEnd = %v, want %v", got, want)
			}
		})
	}

	notDelivered := Contract{Kind: KindProduct, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 9, 1)}
	if got, ok := notDelivered.SupportEnd(ciTehran, h); ok || !got.IsZero() {
		t.Errorf("not delivered: SupportEnd = %v, %t; want zero, false", got, ok)
	}
}

func TestHourlyExpiry(t *testing.T) {
	def := DefaultHourlyRules()
	noCarry := def
	noCarry.CarryFromMonth = 13
	tests := []struct {
		name      string
		purchased Date
		h         HourlyRules
		want      Date
	}{
		{"bought in Bahman: outlives the year end, purchase + 1 year", ciJ(t, 1404, 11, 15), def, ciJ(t, 1405, 11, 15)},
		{"bought in Ordibehesht: expires at 1 Farvardin next year", ciJ(t, 1405, 2, 10), def, ciJ(t, 1406, 1, 1)},
		{"bought on 1 Dey: carries over", ciJ(t, 1405, 10, 1), def, ciJ(t, 1406, 10, 1)},
		{"bought in Esfand: carries over", ciJ(t, 1404, 12, 20), def, ciJ(t, 1405, 12, 20)},
		{"bought on the last day of Azar: does not carry over", ciJ(t, 1405, 9, 30), def, ciJ(t, 1406, 1, 1)},
		{"bought on 1 Farvardin: a year and the year end coincide", ciJ(t, 1405, 1, 1), def, ciJ(t, 1406, 1, 1)},
		{"carry-over switched off: Bahman purchase ends with its year", ciJ(t, 1404, 11, 15), noCarry, ciJ(t, 1405, 1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HourlyExpiry(tt.purchased, ciTehran, tt.h)
			if want := tt.want.Time(ciTehran); !got.Equal(want) {
				t.Errorf("HourlyExpiry(%v) = %v, want %v", tt.purchased, got, want)
			}
		})
	}
	// Cross-check against the Gregorian calendar: 1 Farvardin 1406 is 2027-03-21.
	if got, want := HourlyExpiry(ciJ(t, 1405, 2, 10), ciTehran, def), time.Date(2027, 3, 21, 0, 0, 0, 0, ciTehran); !got.Equal(want) {
		t.Errorf("Ordibehesht 1405 purchase expires %v, want %v", got, want)
	}
}

func TestContractYear(t *testing.T) {
	c := Contract{Kind: KindProduct, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 3, 1), DeliveredOn: ciJ(t, 1405, 3, 5), ConfirmedOn: ciJ(t, 1405, 3, 10)}
	first := [2]time.Time{ciAt(t, 1405, 3, 10, 0, 0), ciAt(t, 1406, 3, 10, 0, 0)}
	second := [2]time.Time{ciAt(t, 1406, 3, 10, 0, 0), ciAt(t, 1407, 3, 10, 0, 0)}
	third := [2]time.Time{ciAt(t, 1407, 3, 10, 0, 0), ciAt(t, 1408, 3, 10, 0, 0)}
	tests := []struct {
		name string
		at   time.Time
		want [2]time.Time
	}{
		{"before the start: the first year", ciAt(t, 1405, 3, 1, 12, 0), first},
		{"at the start", ciAt(t, 1405, 3, 10, 0, 0), first},
		{"later in the same Jalali year", ciAt(t, 1405, 12, 29, 12, 0), first},
		{"next Jalali year, before the anniversary", ciAt(t, 1406, 3, 9, 23, 59), first},
		{"at the anniversary: the second year", ciAt(t, 1406, 3, 10, 0, 0), second},
		{"two years on", ciAt(t, 1407, 8, 1, 9, 0), third},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := c.ContractYear(tt.at, ciTehran)
			if !start.Equal(tt.want[0]) || !end.Equal(tt.want[1]) {
				t.Errorf("ContractYear(%v) = [%v, %v), want [%v, %v)", tt.at, start, end, tt.want[0], tt.want[1])
			}
		})
	}
	notDelivered := Contract{Kind: KindProject, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 3, 1)}
	if start, end := notDelivered.ContractYear(ciAt(t, 1405, 4, 1, 0, 0), ciTehran); !start.IsZero() || !end.IsZero() {
		t.Errorf("not delivered: ContractYear = [%v, %v), want zero", start, end)
	}
}

func TestRefund(t *testing.T) {
	c := Contract{Kind: KindProduct, Tier: TierBronze, PurchasedOn: ciJ(t, 1405, 9, 6)}
	if got, want := c.RefundUntil(ciTehran), ciAt(t, 1405, 10, 6, 0, 0); !got.Equal(want) {
		t.Fatalf("RefundUntil = %v, want %v (one Jalali month after purchase)", got, want)
	}
	tests := []struct {
		name string
		c    Contract
		at   time.Time
		want bool
	}{
		{"on the day of purchase", c, ciAt(t, 1405, 9, 6, 10, 0), true},
		{"the last minute of the month", c, ciAt(t, 1405, 10, 5, 23, 59), true},
		{"one month has passed", c, ciAt(t, 1405, 10, 6, 0, 0), false},
		{"long after", c, ciAt(t, 1406, 1, 1, 0, 0), false},
		{"no purchase date", Contract{Kind: KindProduct, Tier: TierBronze}, ciAt(t, 1405, 9, 6, 10, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Refundable(tt.at, ciTehran); got != tt.want {
				t.Errorf("Refundable(%v) = %t, want %t", tt.at, got, tt.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	p := ciPolicy(t)
	silver := Contract{Kind: KindProduct, Tier: TierSilver, PurchasedOn: ciJ(t, 1405, 7, 10), DeliveredOn: ciJ(t, 1405, 7, 14), ConfirmedOn: ciJ(t, 1405, 7, 15)}
	unconfirmed := Contract{Kind: KindProduct, Tier: TierBronze, PurchasedOn: ciJ(t, 1405, 9, 1), DeliveredOn: ciJ(t, 1405, 9, 1)}
	notDelivered := Contract{Kind: KindProject, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 9, 1)}
	h50 := Contract{Kind: KindHourly, Tier: TierH50, PurchasedOn: ciJ(t, 1405, 8, 1)}
	tests := []struct {
		name string
		c    Contract
		u    Usage
		at   time.Time
		want Status
	}{
		{"before the confirmation day", silver, Usage{}, ciAt(t, 1405, 7, 14, 23, 59), StatusPending},
		{"from midnight of the confirmation day", silver, Usage{}, ciAt(t, 1405, 7, 15, 0, 0), StatusActive},
		{"delivered, not confirmed, within the week", unconfirmed, Usage{}, ciAt(t, 1405, 9, 7, 17, 0), StatusPending},
		{"delivered, not confirmed, week over", unconfirmed, Usage{}, ciAt(t, 1405, 9, 8, 0, 0), StatusActive},
		{"not delivered yet", notDelivered, Usage{}, ciAt(t, 1406, 1, 1, 0, 0), StatusPending},
		{"one minute before the end", silver, Usage{}, ciAt(t, 1406, 7, 14, 23, 59), StatusActive},
		{"expired exactly at the end instant", silver, Usage{}, ciAt(t, 1406, 7, 15, 0, 0), StatusExpired},
		{"hourly with hours left", h50, Usage{HoursUsedMin: 2999}, ciAt(t, 1405, 9, 1, 9, 0), StatusActive},
		{"hourly with no hours left", h50, Usage{HoursUsedMin: 3000}, ciAt(t, 1405, 9, 1, 9, 0), StatusExhausted},
		{"hourly at the year end: expired, not exhausted", h50, Usage{HoursUsedMin: 3000}, ciAt(t, 1406, 1, 1, 0, 0), StatusExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Status(tt.c, tt.u, tt.at); got != tt.want {
				t.Errorf("Status at %v = %s, want %s", tt.at, got, tt.want)
			}
		})
	}
}
