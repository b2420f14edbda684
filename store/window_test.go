package store

import (
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"supportbot/rules"
)

func TestWindowAt(t *testing.T) {
	tehran, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, tehran) }
	product := rules.Contract{ID: "A-1", Kind: rules.KindProduct, Tier: rules.TierSilver,
		PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 2}, DeliveredOn: rules.Date{Year: 2026, Month: 10, Day: 6}, ConfirmedOn: rules.Date{Year: 2026, Month: 10, Day: 7}}
	hourly := rules.Contract{ID: "A-4", Kind: rules.KindHourly, Tier: rules.TierH50, PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 23}}
	undelivered := rules.Contract{ID: "A-9", Kind: rules.KindProduct, Tier: rules.TierBronze, PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 2}}
	tests := []struct {
		name string
		c    rules.Contract
		at   time.Time
		want UsageWindow
	}{
		// 1405/09/08: Azar runs 2026-11-22 to 2026-12-22; the contract year
		// from the confirmation, 1405/07/15, a Jalali year on.
		{"product in Azar", product, time.Date(2026, 11, 29, 10, 0, 0, 0, tehran), UsageWindow{
			MonthStart: day(2026, 11, 22), MonthEnd: day(2026, 12, 22), YearStart: day(2026, 10, 7), YearEnd: day(2027, 10, 7)}},
		// 23:00 UTC on 21 Dec is already 1 Dey in Tehran: the office's zone decides.
		{"the month in the office's zone", product, time.Date(2026, 12, 21, 23, 0, 0, 0, time.UTC), UsageWindow{
			MonthStart: day(2026, 12, 22), MonthEnd: day(2027, 1, 21), YearStart: day(2026, 10, 7), YearEnd: day(2027, 10, 7)}},
		{"hourly packages count charges", hourly, time.Date(2026, 11, 29, 10, 0, 0, 0, tehran), UsageWindow{
			MonthStart: day(2026, 11, 22), MonthEnd: day(2026, 12, 22), YearStart: day(2026, 10, 23), YearEnd: day(2027, 10, 23), Hourly: true}},
		{"not delivered: no contract year", undelivered, time.Date(2026, 11, 29, 10, 0, 0, 0, tehran), UsageWindow{
			MonthStart: day(2026, 11, 22), MonthEnd: day(2026, 12, 22)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WindowAt(tt.c, tt.at, tehran)
			if !got.MonthStart.Equal(tt.want.MonthStart) || !got.MonthEnd.Equal(tt.want.MonthEnd) ||
				!got.YearStart.Equal(tt.want.YearStart) || !got.YearEnd.Equal(tt.want.YearEnd) || got.Hourly != tt.want.Hourly {
				t.Errorf("WindowAt = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
