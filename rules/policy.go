package rules

// TierRules is one column of SPEC's tier tables. Zero counts mean "none";
// MonthlyRequests -1 means unlimited.
type TierRules struct {
	ResponseDays    int           `yaml:"response_days"`
	Phone           bool          `yaml:"phone"`
	Remote          bool          `yaml:"remote"`
	MonthlyRequests int           `yaml:"monthly_requests"`
	Kinds           []RequestKind `yaml:"kinds"`
	Onsite          int           `yaml:"onsite_per_year"`
	OnsiteSeverity  []Severity    `yaml:"onsite_severities"`
	Reinstalls      int           `yaml:"reinstalls_per_year"`
	Reviews         int           `yaml:"reviews_per_year"`
	Customization   int           `yaml:"customization_hours_per_year"`
	Training        int           `yaml:"training_hours_per_year"`
	Dedicated       bool          `yaml:"dedicated_person"`
	Hours           int           `yaml:"hours"` // hourly packages only
}

// Tiers is the full tier table: kind -> tier -> rules.
type Tiers map[Kind]map[Tier]TierRules

// HourlyRules are the accounting rules shared by all hourly packages.
type HourlyRules struct {
	TicketMinimumMin int `yaml:"ticket_minimum_minutes"` // 30
	MonthCapPercent  int `yaml:"month_cap_percent"`      // 20
	MonthMinimumMin  int `yaml:"month_minimum_minutes"`  // 300
	CarryFromMonth   int `yaml:"carry_over_from_month"`  // 10: Dey, Bahman, Esfand carry over
	ResponseDays     int `yaml:"response_days"`          // 2
}

// Policy is everything the intake decision and the SLA clock need.
type Policy struct {
	Calendar *Calendar
	Tiers    Tiers
	Hourly   HourlyRules
}
