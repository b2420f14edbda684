package rules

import "time"

// Kind is the kind of a contract.
type Kind string

// Contract kinds (docs/interface.md).
const (
	KindProduct Kind = "product"
	KindProject Kind = "project"
	KindHourly  Kind = "hourly"
	KindCRM     Kind = "crm"
)

// LocaleKey names the catalog entry that describes the kind to people.
func (k Kind) LocaleKey() string { return "contract_kind." + string(k) }

// Tier is a support tier within a contract kind.
type Tier string

// Tiers by kind (docs/interface.md).
const (
	TierBronze   Tier = "bronze"
	TierSilver   Tier = "silver"
	TierGold     Tier = "gold"
	TierBase     Tier = "base"
	TierH50      Tier = "h50"
	TierH100     Tier = "h100"
	TierH200     Tier = "h200"
	TierStandard Tier = "standard"
)

// LocaleKey names the catalog entry that describes the tier to people.
func (t Tier) LocaleKey() string { return "tier." + string(t) }

// RequestKind is what a customer asks for; the order of AllRequestKinds is
// the order of the customer's request menu.
type RequestKind string

// Request kinds (docs/interface.md, in menu order).
const (
	RequestProblem       RequestKind = "problem"
	RequestQuestion      RequestKind = "question"
	RequestRemote        RequestKind = "remote"
	RequestReinstall     RequestKind = "reinstall"
	RequestOnsite        RequestKind = "onsite"
	RequestCustomization RequestKind = "customization"
	RequestTraining      RequestKind = "training"
	RequestReview        RequestKind = "review"
	RequestCallback      RequestKind = "callback"
	RequestUpdate        RequestKind = "update"
)

// AllRequestKinds lists the request kinds in the order of the request menu.
var AllRequestKinds = []RequestKind{
	RequestProblem, RequestQuestion, RequestRemote, RequestReinstall, RequestOnsite,
	RequestCustomization, RequestTraining, RequestReview, RequestCallback, RequestUpdate,
}

// LocaleKey names the catalog entry that describes the request kind.
func (k RequestKind) LocaleKey() string { return "request_kind." + string(k) }

// NeedsSeverity reports whether the customer is asked for a severity.
func (k RequestKind) NeedsSeverity() bool { return k == RequestProblem || k == RequestOnsite }

// Severity is how urgent a problem or on-site request is.
type Severity string

// Severities in menu order.
const (
	SeverityNormal    Severity = "normal"
	SeverityImportant Severity = "important"
	SeverityCritical  Severity = "critical"
)

// AllSeverities lists severities in the order of the severity menu.
var AllSeverities = []Severity{SeverityNormal, SeverityImportant, SeverityCritical}

// LocaleKey names the catalog entry that describes the severity.
func (s Severity) LocaleKey() string { return "severity." + string(s) }

// Denial is the stable code of an intake refusal; the empty Denial means allowed.
type Denial string

// Denial codes (docs/interface.md).
const (
	Allowed                Denial = ""
	DenyUnknownCustomer    Denial = "unknown_customer"
	DenyNotStarted         Denial = "not_started"
	DenyContractEnded      Denial = "contract_ended"
	DenyNotInTier          Denial = "not_in_tier"
	DenyMonthQuota         Denial = "month_quota"
	DenyYearAllowanceUsed  Denial = "year_allowance_used"
	DenySeverityNotCovered Denial = "severity_not_covered"
	DenyOutsideTehran      Denial = "outside_tehran"
	DenyHoursExhausted     Denial = "hours_exhausted"
	DenyHoursMonthCap      Denial = "hours_month_cap"
)

// LocaleKey names the catalog entry that explains the denial to the customer.
func (d Denial) LocaleKey() string { return "denial." + string(d) }

// DeclineReason is why staff declined a ticket.
type DeclineReason string

// Decline reasons (docs/interface.md).
const (
	DeclineNewCustomization       DeclineReason = "new_customization"
	DeclineMisuse                 DeclineReason = "misuse"
	DeclineCustomerInfrastructure DeclineReason = "customer_infrastructure"
	DeclineNoCooperation          DeclineReason = "no_cooperation"
	DeclineOutOfContract          DeclineReason = "out_of_contract"
	DeclineExternalChange         DeclineReason = "external_change"
	DeclineDisrespect             DeclineReason = "disrespect"
)

// AllDeclineReasons lists the decline reasons in the order staff see them.
var AllDeclineReasons = []DeclineReason{
	DeclineNewCustomization, DeclineMisuse, DeclineCustomerInfrastructure, DeclineNoCooperation,
	DeclineOutOfContract, DeclineExternalChange, DeclineDisrespect,
}

// LocaleKey names the catalog entry that explains the reason.
func (r DeclineReason) LocaleKey() string { return "decline_reason." + string(r) }

// Status is a contract's state at an instant.
type Status string

// Contract statuses (docs/interface.md).
const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusExpired   Status = "expired"
	StatusExhausted Status = "exhausted"
)

// LocaleKey names the catalog entry that describes the status.
func (s Status) LocaleKey() string { return "contract_status." + string(s) }

// Date is a civil (Gregorian) calendar date with no time zone; Time places it
// in one. Contracts are sold and delivered on dates, not instants.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Contract is one support agreement of a customer, as the company sells it.
type Contract struct {
	ID             string
	CustomerID     string
	Kind           Kind
	Tier           Tier
	Subject        string
	PurchasedOn    Date
	DeliveredOn    Date // zero when not delivered (always zero for hourly)
	ConfirmedOn    Date // zero when the customer sent no confirmation
	ProjectID      string
	DedicatedStaff int64 // Telegram user id of the named person, 0 when none
}

// Usage is what a contract has consumed, as the store counts it for one
// instant: the Jalali month and the contract year that hold it.
type Usage struct {
	MonthRequests int // non-declined tickets opened in the Jalali month

	// Per contract year, non-declined tickets of that kind.
	Onsite     int
	Reinstalls int
	Reviews    int

	// Per contract year, minutes logged on tickets of that kind.
	TrainingMin      int
	CustomizationMin int

	// Hourly packages: minutes charged since purchase (ticket charges,
	// month-end minimums and expiries) and minutes charged in the Jalali month.
	HoursUsedMin int
	MonthUsedMin int
}
