package conversation

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

func TestFirstContactShowsGreetingAndMenu(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		{"greeting", "سلام"},
		{"greeting with Arabic letters and marks", "\u200fسلام علیكم 🙏"},
		{"zero", "0"},
		{"menu word", "منو"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, fixture(), phoneSilver, sunday10)
			r := c.send(tt.text)
			wantKeys(t, r, "greeting", "menu.title", "menu.new", "menu.tickets", "menu.contract", "menu.contact", "menu.sales")
			if got := line(t, r, "greeting").Args["customer"]; got != "شرکت نمونه یک" {
				t.Errorf("greeting customer = %v", got)
			}
			wantState(t, c, stateMainMenu)
			if len(r.Events) != 0 {
				t.Errorf("events = %v, want none", r.Events)
			}
		})
	}
}

func TestMainMenuChoicesInEveryDigitScript(t *testing.T) {
	tests := []struct {
		text      string
		wantKey   string
		wantState state
	}{
		{"1", "kind.title", statePickKind},
		{"۱", "kind.title", statePickKind},
		{"١", "kind.title", statePickKind},
		{" ۱. ", "kind.title", statePickKind},
		{"2", "tickets.none", stateMainMenu},
		{"۲", "tickets.none", stateMainMenu},
		{"٢", "tickets.none", stateMainMenu},
		{"3", "contracts.title", stateMainMenu},
		{"۳", "contracts.title", stateMainMenu},
		{"٣", "contracts.title", stateMainMenu},
		{"4", "contact.title", stateMainMenu},
		{"۴", "contact.title", stateMainMenu},
		{"٤", "contact.title", stateMainMenu},
		{"5", "sales.title", stateMainMenu},
		{"۵", "sales.title", stateMainMenu},
		{"٥", "sales.title", stateMainMenu},
		{"6", "hint.invalid_choice", stateMainMenu},
		{"؟", "hint.invalid_choice", stateMainMenu},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t, fixture(), phoneSilver, sunday10)
			c.send("سلام")
			r := c.send(tt.text)
			wantKeys(t, r, tt.wantKey)
			wantState(t, c, tt.wantState)
		})
	}
}

func TestInvalidChoiceRepeatsTheSameMenu(t *testing.T) {
	tests := []struct {
		name     string
		setup    []string
		bad      string
		menuKeys []string
		max      int
		state    state
	}{
		{"main menu", []string{"0"}, "9", []string{"menu.title", "menu.sales"}, 5, stateMainMenu},
		{"kind", []string{"0", "1"}, "11", []string{"kind.title", "option"}, 10, statePickKind},
		{"severity", []string{"0", "1", "1"}, "4", []string{"severity.title", "severity.option"}, 3, statePickSeverity},
		{"contract", []string{"0", "1"}, "7", []string{"contract_pick.title", "contract_pick.item"}, 3, statePickContract},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phone := phoneSilver
			if tt.name == "contract" {
				phone = phoneMulti
			}
			c := newChat(t, fixture(), phone, sunday10)
			c.sendAll(tt.setup...)
			before := c.data()
			r := c.send(tt.bad)
			wantKeys(t, r, append([]string{"hint.invalid_choice"}, tt.menuKeys...)...)
			if got := line(t, r, "hint.invalid_choice").Args["max"]; got != tt.max {
				t.Errorf("hint max = %v, want %d", got, tt.max)
			}
			wantState(t, c, tt.state)
			if after := c.data(); after.Contract != before.Contract || after.Kind != before.Kind || len(after.Contracts) != len(before.Contracts) {
				t.Errorf("data changed: %+v -> %+v", before, after)
			}
		})
	}
}

func TestSilverProblemTicket(t *testing.T) {
	f := fixture()
	// Sunday 16:00 + 2 business days (18 office hours) = Tuesday 16:00.
	c := newChat(t, f, phoneSilver, at(2026, 11, 29, 15, 59))
	c.sendAll("سلام", "0", "1")
	wantState(t, c, statePickKind)
	if got := c.data().Contract; got != "A-1" {
		t.Fatalf("contract = %q, want A-1 chosen automatically", got)
	}
	r := c.send("1")
	wantKeys(t, r, "severity.title")
	wantState(t, c, statePickSeverity)
	r = c.send("2")
	wantKeys(t, r, "describe.prompt")
	wantState(t, c, stateDescribe)
	r = c.handle(Inbound{Phone: phoneSilver, At: at(2026, 11, 29, 16, 0), Text: "گزارش فروش در موبایل باز نمی‌شود"})

	ts := f.ticketsOf("A-1")
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	tk := ts[0]
	want := store.Ticket{
		ID: 1, ContractID: "A-1", CustomerID: "P-1", Phone: phoneSilver,
		Kind: rules.RequestProblem, Severity: rules.SeverityImportant, Status: store.TicketNew,
		Description: "گزارش فروش در موبایل باز نمی‌شود", OpenedAt: at(2026, 11, 29, 16, 0),
		FirstResponseDue: at(2026, 12, 1, 16, 0),
	}
	if !tk.FirstResponseDue.Equal(want.FirstResponseDue) {
		t.Errorf("due = %s, want %s", tk.FirstResponseDue, want.FirstResponseDue)
	}
	tk.FirstResponseDue = want.FirstResponseDue
	if tk != want {
		t.Errorf("ticket = %+v\nwant     %+v", tk, want)
	}
	wantKeys(t, r, "ticket.opened", "ticket.due", "ticket.quota_left", "ticket.add_more")
	if got := line(t, r, "ticket.opened").Args["id"]; got != 1 {
		t.Errorf("ticket number arg = %v", got)
	}
	if got := line(t, r, "ticket.due").Args["due"].(nearTime).DayTime(); !got.Equal(want.FirstResponseDue) {
		t.Errorf("due arg = %v", got)
	}
	q := line(t, r, "ticket.quota_left").Args
	if q["limit"] != 10 || q["left"] != 9 {
		t.Errorf("quota args = %v, want limit 10 left 9", q)
	}
	ev := eventsOf(r, TicketOpened)
	if len(ev) != 1 || ev[0].Ticket.ID != 1 || ev[0].Message.TicketID != 1 || ev[0].Message.Direction != store.FromCustomer {
		t.Errorf("events = %+v", r.Events)
	}
	if len(f.messages) != 1 || f.messages[0].Text != want.Description {
		t.Errorf("messages = %+v", f.messages)
	}
	wantState(t, c, stateIdle)
	noKeys(t, r, "offhours.next")
}

func TestKindsWithoutSeverityGoStraightToDescription(t *testing.T) {
	for i, k := range rules.AllRequestKinds {
		if k.NeedsSeverity() {
			continue
		}
		t.Run(string(k), func(t *testing.T) {
			c := newChat(t, fixture(), phoneMulti, sunday10)
			// A-4, the h200 hourly package, covers most kinds; A-5, the gold
			// product, covers update.
			pick := "2"
			if k == rules.RequestUpdate || k == rules.RequestReinstall {
				pick = "3"
			}
			c.sendAll("0", "1", pick)
			r := c.send(strconv.Itoa(i + 1))
			prompt := "describe.prompt"
			if k == rules.RequestCallback {
				prompt = "describe.callback"
			}
			wantKeys(t, r, prompt, "describe.files")
			wantState(t, c, stateDescribe)
			if got := c.data().Kind; got != k {
				t.Errorf("kind = %s, want %s (menu digit %d)", got, k, i+1)
			}
		})
	}
}

func TestBronzeMonthlyQuota(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneBronze, sunday10)
	for i := range 5 {
		r := c.sendAll("0", "1", "2", "پرسش")
		wantKeys(t, r, "ticket.opened")
		if got := line(t, r, "ticket.quota_left").Args["left"]; got != 4-i {
			t.Errorf("ticket %d: left = %v, want %d", i+1, got, 4-i)
		}
	}
	r := c.sendAll("0", "1")
	wantKeys(t, r, "denial.month_quota", "denial.month_quota.next", "denial.upgrade", "contact.sales", "hint.menu")
	noKeys(t, r, "kind.title")
	wantState(t, c, stateIdle)
	next := line(t, r, "denial.month_quota.next").Args
	// Dey 1405 begins on 2026-12-22.
	if next["date"] != date(2026, 12, 22) || next["limit"] != 5 {
		t.Errorf("month_quota args = %v", next)
	}
	if got := line(t, r, "contact.sales").Args["phone"]; got != testConfig.SalesPhone {
		t.Errorf("sales phone = %v", got)
	}
	d := f.denialsOf(rules.DenyMonthQuota)
	if len(d) != 1 || d[0].ContractID != "A-2" || d[0].CustomerID != "P-2" || d[0].Phone != phoneBronze || d[0].Kind != "" {
		t.Errorf("denials = %+v", d)
	}
	if n := len(f.ticketsOf("A-2")); n != 5 {
		t.Errorf("%d tickets, want 5", n)
	}

	// A declined ticket does not count.
	f.setStatus(5, store.TicketDeclined)
	r = c.sendAll("0", "1")
	wantKeys(t, r, "kind.title")
	c.send("لغو")
	f.setStatus(5, store.TicketClosed)

	// The next Jalali month (Dey) opens the quota again.
	c.now = at(2026, 12, 22, 9, 0)
	r = c.sendAll("0", "1", "2", "پرسش ماه بعد")
	wantKeys(t, r, "ticket.opened")
	if got := line(t, r, "ticket.quota_left").Args["left"]; got != 4 {
		t.Errorf("new month left = %v, want 4", got)
	}
}

func TestKindStepDenials(t *testing.T) {
	tests := []struct {
		name    string
		phone   string
		answers []string
		reason  rules.Denial
		kind    rules.RequestKind
		keys    []string
	}{
		{"remote for bronze", phoneBronze, []string{"0", "1", "3"}, rules.DenyNotInTier, rules.RequestRemote,
			[]string{"denial.not_in_tier", "denial.tier_covers", "bullet", "denial.upgrade", "contact.sales"}},
		{"remote for bronze in Persian digits", phoneBronze, []string{"۰", "۱", "۳"}, rules.DenyNotInTier, rules.RequestRemote, nil},
		{"onsite outside Tehran", phoneShiraz, []string{"0", "1", "5"}, rules.DenyOutsideTehran, rules.RequestOnsite,
			[]string{"denial.outside_tehran", "denial.outside_tehran.next", "contact.sales"}},
		{"callback for silver", phoneSilver, []string{"0", "1", "9"}, rules.DenyNotInTier, rules.RequestCallback, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, tt.phone, sunday10)
			r := c.sendAll(tt.answers...)
			wantKeys(t, r, append([]string{tt.reason.LocaleKey(), "hint.menu"}, tt.keys...)...)
			wantState(t, c, stateIdle)
			d := f.denialsOf(tt.reason)
			if len(d) != 1 || d[0].Kind != tt.kind {
				t.Fatalf("denials = %+v", d)
			}
			if len(f.tickets) != 0 {
				t.Errorf("tickets opened: %+v", f.tickets)
			}
		})
	}
}

func TestNotInTierListsWhatTheTierCovers(t *testing.T) {
	c := newChat(t, fixture(), phoneBronze, sunday10)
	r := c.sendAll("0", "1", "3")
	var covered []rules.RequestKind
	for _, l := range lines(r) {
		if l.Key == "bullet" {
			covered = append(covered, l.Args["item"].(rules.RequestKind))
		}
	}
	want := rules.DefaultTiers()[rules.KindProduct][rules.TierBronze].Kinds
	if !slices.Equal(covered, want) {
		t.Errorf("covered = %v, want %v", covered, want)
	}
	if d := line(t, r, "denial.tier_covers").Args; d["tier"] != rules.TierBronze {
		t.Errorf("tier_covers args = %v", d)
	}
}

func TestOnsiteSeverity(t *testing.T) {
	tests := []struct {
		name     string
		severity string
		reason   rules.Denial
		state    state
	}{
		{"important not covered by project silver", "2", rules.DenySeverityNotCovered, stateOffer},
		{"normal not covered", "۱", rules.DenySeverityNotCovered, stateOffer},
		{"critical covered", "3", rules.Allowed, stateDescribe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneProjSilv, sunday10)
			r := c.sendAll("0", "1", "5")
			wantKeys(t, r, "severity.title")
			r = c.send(tt.severity)
			wantState(t, c, tt.state)
			if tt.reason == rules.Allowed {
				wantKeys(t, r, "describe.prompt")
				c.send("سرور از کار افتاده")
				ts := f.ticketsOf("B-2")
				if len(ts) != 1 || ts[0].Kind != rules.RequestOnsite || ts[0].Severity != rules.SeverityCritical {
					t.Fatalf("tickets = %+v", ts)
				}
				return
			}
			wantKeys(t, r, "denial.severity_not_covered", "denial.severity_not_covered.detail", "bullet", "denial.try_problem")
			var sev []rules.Severity
			for _, l := range lines(r) {
				if l.Key == "bullet" {
					sev = append(sev, l.Args["item"].(rules.Severity))
				}
			}
			if !slices.Equal(sev, []rules.Severity{rules.SeverityCritical}) {
				t.Errorf("covered severities = %v", sev)
			}
			d := f.denialsOf(tt.reason)
			if len(d) != 1 || d[0].Kind != rules.RequestOnsite || d[0].ContractID != "B-2" {
				t.Errorf("denials = %+v", d)
			}
		})
	}
}

func TestYearAllowanceUsed(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneBronze, sunday10)
	r := c.sendAll("0", "1", "4", "نصب مجدد لطفاً")
	wantKeys(t, r, "ticket.opened")
	f.setStatus(1, store.TicketClosed)
	r = c.sendAll("0", "1", "4")
	wantKeys(t, r, "denial.year_allowance_used", "denial.year_allowance_used.detail")
	if got := line(t, r, "denial.year_allowance_used.detail").Args["date"]; got != date(2027, 10, 11) {
		t.Errorf("contract year ends %v, want 2027-10-11", got)
	}
	d := f.denialsOf(rules.DenyYearAllowanceUsed)
	if len(d) != 1 || d[0].Kind != rules.RequestReinstall {
		t.Errorf("denials = %+v", d)
	}
}

func TestContractLevelDenials(t *testing.T) {
	tests := []struct {
		name     string
		phone    string
		reason   rules.Denial
		contract string
		keys     []string
	}{
		{"expired", phoneExpired, rules.DenyContractEnded, "B-3", []string{"denial.contract_ended.detail", "denial.renew", "contact.sales"}},
		{"not delivered", phonePending, rules.DenyNotStarted, "B-4", []string{"denial.not_started.delivery", "contact.sales"}},
		{"no contract", phoneNone, rules.DenyContractEnded, "", []string{"request.no_contract", "contact.sales"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, tt.phone, sunday10)
			r := c.sendAll("0", "1")
			wantKeys(t, r, append([]string{"hint.menu"}, tt.keys...)...)
			if tt.contract != "" {
				wantKeys(t, r, tt.reason.LocaleKey())
			}
			wantState(t, c, stateIdle)
			d := f.denialsOf(tt.reason)
			if len(d) != 1 || d[0].ContractID != tt.contract {
				t.Errorf("denials = %+v", d)
			}
		})
	}
}

func TestNotStartedSaysWhen(t *testing.T) {
	f := fixture()
	// Delivered 2026-12-01, no confirmation: support starts 2026-12-08. An
	// expired contract of the same customer is older, so B-7 is the one
	// the refusal is about.
	old := product("B-0", rules.TierBronze, "ماژول قدیمی")
	old.CustomerID, old.ConfirmedOn = "P-8", date(2024, 1, 1)
	f.contracts = slices.DeleteFunc(f.contracts, func(c rules.Contract) bool { return c.ID == "B-4" })
	f.contracts = append(f.contracts, old, rules.Contract{
		ID: "B-7", CustomerID: "P-8", Kind: rules.KindProduct, Tier: rules.TierSilver, Subject: "ماژول تازه",
		PurchasedOn: date(2026, 11, 25), DeliveredOn: date(2026, 12, 1),
	})
	c := newChat(t, f, phonePending, sunday10)
	r := c.sendAll("0", "1")
	l := line(t, r, "denial.not_started.detail")
	if l.Args["date"] != date(2026, 12, 8) || l.Args["subject"] != "ماژول تازه" {
		t.Errorf("args = %v", l.Args)
	}
	if d := f.denialsOf(rules.DenyNotStarted); len(d) != 1 || d[0].ContractID != "B-7" {
		t.Errorf("denials = %+v (want the contract that starts last)", d)
	}
}

func TestSeveralActiveContracts(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneMulti, sunday10)
	r := c.sendAll("0", "1")
	wantState(t, c, statePickContract)
	var ids []string
	for _, l := range lines(r) {
		if l.Key == "contract_pick.item" {
			ids = append(ids, l.Args["id"].(string))
			if l.Args["n"] != len(ids) {
				t.Errorf("item %d numbered %v", len(ids), l.Args["n"])
			}
		}
	}
	if !slices.Equal(ids, []string{"A-3", "A-4", "A-5"}) {
		t.Fatalf("listed %v, want A-3 A-4 A-5", ids)
	}
	r = c.send("٢")
	wantKeys(t, r, "kind.title")
	if got := c.data().Contract; got != "A-4" {
		t.Fatalf("picked %q, want A-4", got)
	}
	r = c.sendAll("2", "سؤال درباره گزارش ساعات")
	ts := f.ticketsOf("A-4")
	if len(ts) != 1 || ts[0].Kind != rules.RequestQuestion {
		t.Fatalf("tickets = %+v", ts)
	}
	wantKeys(t, r, "ticket.hours_left", "ticket.hourly_minimum")
	noKeys(t, r, "ticket.quota_left")
	h := line(t, r, "ticket.hours_left").Args
	if h["left"] != 200*time.Hour || h["month_left"] != 40*time.Hour {
		t.Errorf("hours args = %v", h)
	}
}

func TestHourlyMonthCap(t *testing.T) {
	f := fixture()
	f.charge("B-5", 700, 600, sunday10) // h50: 10 h cap a month
	c := newChat(t, f, phoneHourly, sunday10)
	r := c.sendAll("0", "1")
	wantKeys(t, r, "denial.hours_month_cap", "denial.hours_month_cap.next", "contact.sales")
	a := line(t, r, "denial.hours_month_cap.next").Args
	if a["cap"] != 10*time.Hour || a["date"] != date(2026, 12, 22) {
		t.Errorf("args = %v", a)
	}
	if d := f.denialsOf(rules.DenyHoursMonthCap); len(d) != 1 || d[0].ContractID != "B-5" {
		t.Errorf("denials = %+v", d)
	}

	f.charge("B-5", 3000, 0, sunday10)
	r = c.sendAll("0", "1")
	wantKeys(t, r, "denial.hours_exhausted", "denial.hours_exhausted.detail")
}

func TestHourlyTicketSaysHoursLeft(t *testing.T) {
	f := fixture()
	f.charge("B-5", 90, 90, sunday10)
	c := newChat(t, f, phoneHourly, sunday10)
	r := c.sendAll("0", "1", "6", "یک گزارش جدید لازم داریم")
	h := line(t, r, "ticket.hours_left").Args
	if h["left"] != 50*time.Hour-90*time.Minute || h["month_left"] != 10*time.Hour-90*time.Minute {
		t.Errorf("hours args = %v", h)
	}
	if got := line(t, r, "ticket.hourly_minimum").Args["min"]; got != 30*time.Minute {
		t.Errorf("minimum = %v", got)
	}
}

func TestCallbackTicket(t *testing.T) {
	for _, outage := range []bool{false, true} {
		t.Run(map[bool]string{false: "outage off", true: "outage on"}[outage], func(t *testing.T) {
			f := fixture()
			if outage {
				f.settings[store.SettingOutage] = "on"
			}
			c := newChat(t, f, phoneGold, sunday10)
			r := c.sendAll("0", "1", "9")
			wantKeys(t, r, "describe.callback")
			r = c.send("لطفاً امروز بعدازظهر تماس بگیرید")
			ts := f.ticketsOf("B-6")
			if len(ts) != 1 || ts[0].Kind != rules.RequestCallback || ts[0].Severity != "" {
				t.Fatalf("tickets = %+v", ts)
			}
			wantKeys(t, r, "ticket.opened", "ticket.callback")
			noKeys(t, r, "ticket.quota_left") // gold is unlimited
			if outage {
				if got := line(t, r, "outage.notice").Args["phone"]; got != testConfig.FallbackPhone {
					t.Errorf("outage phone = %v", got)
				}
			} else {
				noKeys(t, r, "outage.notice")
			}
		})
	}
}

func TestCancel(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		word  string
		key   string
	}{
		{"at kind", []string{"0", "1"}, "لغو", "cancel.done"},
		{"at severity", []string{"0", "1", "1"}, "لغو", "cancel.done"},
		{"at description", []string{"0", "1", "2"}, " لغو. ", "cancel.done"},
		{"Arabic letters and marks", []string{"0", "1"}, "\u200cلغو\u200f", "cancel.done"},
		{"nothing in progress", []string{"0"}, "لغو", "cancel.nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, sunday10)
			c.sendAll(tt.setup...)
			r := c.send(tt.word)
			wantKeys(t, r, tt.key, "hint.menu")
			wantState(t, c, stateIdle)
			if len(f.tickets) != 0 || len(f.denials) != 0 {
				t.Errorf("stored %d tickets, %d denials", len(f.tickets), len(f.denials))
			}
		})
	}
}

func TestMenuWordAtAnyPoint(t *testing.T) {
	for _, setup := range [][]string{{"0", "1"}, {"0", "1", "1"}, {"0", "1", "2"}, {"0", "2"}} {
		for _, word := range []string{"0", "۰", "٠", "00", "منو", "منو!", "‏منو", "menu"} {
			t.Run(strings.Join(setup, ",")+"/"+word, func(t *testing.T) {
				c := newChat(t, fixture(), phoneSilver, sunday10)
				c.sendAll(setup...)
				r := c.send(word)
				wantKeys(t, r, "menu.title")
				noKeys(t, r, "greeting")
				wantState(t, c, stateMainMenu)
			})
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	tests := []struct {
		name    string
		setup   []string
		gap     time.Duration
		notice  string
		next    string
		state   state
		noticed bool
	}{
		{"request dropped", []string{"0", "1", "1"}, 31 * time.Minute, "flow.expired", "2", stateMainMenu, true},
		{"within timeout", []string{"0", "1", "1"}, 29 * time.Minute, "flow.expired", "2", stateDescribe, false},
		{"menu falls back silently", []string{"0"}, 2 * time.Hour, "flow.expired", "2", stateMainMenu, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, fixture(), phoneSilver, sunday10)
			c.sendAll(tt.setup...)
			c.now = c.now.Add(tt.gap)
			r := c.send(tt.next)
			if got := slices.Contains(keys(r), tt.notice); got != tt.noticed {
				t.Errorf("notice %s shown = %v, want %v; %v", tt.notice, got, tt.noticed, keys(r))
			}
			wantState(t, c, tt.state)
			if tt.noticed {
				wantKeys(t, r, "greeting", "menu.title")
				if keys(r)[0] != tt.notice {
					t.Errorf("notice is not first: %v", keys(r))
				}
			}
		})
	}
}

func TestFollowUpOneOpenTicket(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "2", "سؤال اول")
	r := c.send("یک توضیح بیشتر")
	wantKeys(t, r, "followup.added_due")
	if got := line(t, r, "followup.added_due").Args["id"]; got != 1 {
		t.Errorf("id = %v", got)
	}
	ev := eventsOf(r, FollowUp)
	if len(ev) != 1 || ev[0].Ticket.ID != 1 || ev[0].Message.Text != "یک توضیح بیشتر" || ev[0].Message.TicketID != 1 {
		t.Fatalf("events = %+v", r.Events)
	}
	// A file from another contact of the same customer joins the same ticket.
	c2 := newChat(t, f, phoneSilver2, c.now)
	file := &store.File{Kind: "image", Name: "error.png", Bytes: 48211}
	r = c2.sendFile("", file)
	wantKeys(t, r, "followup.added_due")
	if n := len(f.messages); n != 3 || f.messages[2].File == nil || f.messages[2].File.Name != "error.png" || f.messages[2].Author != phoneSilver2 {
		t.Errorf("messages = %+v", f.messages)
	}
	wantState(t, c2, stateIdle)
	// A greeting shows the menu instead.
	r = c.send("سلام")
	wantKeys(t, r, "menu.title")
	noKeys(t, r, "followup.added_due")
}

func TestFollowUpTwoOpenTickets(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "2", "سؤال اول")
	c.sendAll("0", "1", "2", "سؤال دوم")
	r := c.send("درباره کدام؟ همان قبلی")
	wantKeys(t, r, "followup.which", "ticket_pick.item", "followup.which_hint")
	wantState(t, c, statePickTicket)
	var listed []int
	for _, l := range lines(r) {
		if l.Key == "ticket_pick.item" {
			listed = append(listed, l.Args["id"].(int))
		}
	}
	if !slices.Equal(listed, []int{2, 1}) {
		t.Fatalf("listed %v, want newest first [2 1]", listed)
	}
	// A screenshot before answering is kept with the text, quietly: the
	// question was just asked.
	r = c.sendFile("", &store.File{Kind: "image", Name: "s.png"})
	if len(r.Replies) != 0 {
		t.Errorf("second reply to a burst: %v", keys(r))
	}
	wantState(t, c, statePickTicket)
	// The customer answers with the tracking number, not a position.
	r = c.send("١")
	wantKeys(t, r, "followup.added_due")
	if got := line(t, r, "followup.added_due").Args["id"]; got != 1 {
		t.Errorf("added to %v, want 1", got)
	}
	ev := eventsOf(r, FollowUp)
	if len(ev) != 2 || ev[0].Message.Text != "درباره کدام؟ همان قبلی" || ev[1].Message.File == nil {
		t.Errorf("events = %+v", ev)
	}
	for _, m := range f.messages[2:] {
		if m.TicketID != 1 {
			t.Errorf("message on ticket %d: %+v", m.TicketID, m)
		}
	}
	wantState(t, c, stateIdle)
}

func TestFollowUpTicketClosedWhileAsking(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "2", "سؤال اول")
	c.sendAll("0", "1", "2", "سؤال دوم")
	c.send("یک نکته")
	f.setStatus(2, store.TicketClosed)
	r := c.send("2")
	wantKeys(t, r, "followup.closed", "followup.added_due")
	if got := line(t, r, "followup.added_due").Args["id"]; got != 1 {
		t.Errorf("added to %v, want the one open ticket 1", got)
	}
}

func TestFollowUpNeverReachesAnotherCustomersTicket(t *testing.T) {
	f := fixture()
	other := newChat(t, f, phoneBronze, sunday10)
	other.sendAll("0", "1", "2", "سؤال مشتری دیگر")
	c := newChat(t, f, phoneSilver, sunday10)
	r := c.send("سلام، پیگیری")
	wantKeys(t, r, "kind.title_draft")
	if len(r.Events) != 0 || len(f.messages) != 1 {
		t.Errorf("events %v, messages %+v", r.Events, f.messages)
	}
}

func TestMyRequestsShowsOnlyOwnTicketsNewestFirst(t *testing.T) {
	f := fixture()
	other := newChat(t, f, phoneBronze, sunday10)
	other.sendAll("0", "1", "2", "سؤال مشتری دیگر")
	c := newChat(t, f, phoneGold, sunday10) // gold: unlimited requests
	for range 12 {
		c.sendAll("0", "1", "2", "سؤال")
		c.send("لغو")
	}
	f.setStatus(3, store.TicketAnswered)
	r := c.sendAll("0", "2")
	wantKeys(t, r, "tickets.title_latest", "hint.menu")
	var ids []int
	for _, l := range lines(r) {
		if l.Key == "tickets.item" {
			ids = append(ids, l.Args["id"].(int))
			if l.Args["date"] != date(2026, 12, 6) {
				t.Errorf("date = %v", l.Args["date"])
			}
		}
	}
	if !slices.Equal(ids, []int{13, 12, 11, 10, 9, 8, 7, 6, 5, 4}) {
		t.Errorf("listed %v", ids)
	}
	a := line(t, r, "tickets.title_latest").Args
	if a["count"] != 10 || a["total"] != 12 {
		t.Errorf("title args = %v", a)
	}
	wantState(t, c, stateMainMenu) // the menu the customer used stays
}

func TestMyContract(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneMulti, sunday10)
	f.charge("A-4", 120, 60, sunday10)
	r := c.sendAll("0", "3")
	wantKeys(t, r, "contracts.title", "contracts.item", "contracts.status", "contracts.until",
		"contracts.hours", "contracts.month_hours", "contracts.requests_unlimited", "contracts.allowance", "contracts.allowance_time")
	var items []string
	for _, l := range lines(r) {
		if l.Key == "contracts.item" {
			items = append(items, l.Args["id"].(string))
		}
	}
	if !slices.Equal(items, []string{"A-3", "A-4", "A-5"}) {
		t.Errorf("contracts %v", items)
	}
	h := line(t, r, "contracts.hours").Args
	if h["left"] != 200*time.Hour-2*time.Hour || h["total"] != 200*time.Hour {
		t.Errorf("hours = %v", h)
	}

	b := newChat(t, f, phoneBronze, sunday10)
	b.sendAll("0", "1", "2", "سؤال")
	r = b.sendAll("0", "3")
	q := line(t, r, "contracts.requests").Args
	if q["left"] != 4 || q["limit"] != 5 {
		t.Errorf("requests = %v", q)
	}
	if s := line(t, r, "contracts.status").Args["status"]; s != rules.StatusActive {
		t.Errorf("status = %v", s)
	}
}

func TestContactView(t *testing.T) {
	for _, outage := range []string{"", "off", "on"} {
		t.Run("outage="+outage, func(t *testing.T) {
			f := fixture()
			if outage != "" {
				f.settings[store.SettingOutage] = outage
			}
			c := newChat(t, f, phoneSilver, sunday10)
			r := c.sendAll("0", "4")
			wantKeys(t, r, "contact.title", "contact.office", "contact.contact", "schedule.days", "contact.phone")
			var ranges []kv
			for _, l := range lines(r) {
				if l.Key == "schedule.days" {
					ranges = append(ranges, l.Args)
				}
			}
			want := []kv{
				{"from": time.Saturday, "to": time.Wednesday, "start": clock(510), "end": clock(1050)},
				{"from": time.Saturday, "to": time.Thursday, "start": clock(510), "end": clock(1050)},
			}
			if len(ranges) != 2 || !sameArgs(ranges[0], want[0]) || !sameArgs(ranges[1], want[1]) {
				t.Errorf("schedule = %v, want %v", ranges, want)
			}
			if outage == "on" {
				if got := line(t, r, "outage.notice").Args["phone"]; got != testConfig.FallbackPhone {
					t.Errorf("outage phone %v", got)
				}
			} else {
				noKeys(t, r, "outage.notice")
			}
			wantState(t, c, stateMainMenu)
		})
	}
}

func sameArgs(a, b kv) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSalesView(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, at(2026, 10, 20, 10, 0)) // A-1 bought 2026-10-01
	r := c.sendAll("0", "5")
	wantKeys(t, r, "sales.title", "sales.refund", "sales.refund_open", "sales.special", "contact.sales")
	c.now = sunday10
	r = c.sendAll("0", "5")
	noKeys(t, r, "sales.refund_open")
}

func TestOutOfHours(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		next time.Time
	}{
		{"Friday evening", at(2026, 12, 4, 20, 0), at(2026, 12, 5, 8, 30)},
		{"Sunday early", at(2026, 12, 6, 7, 0), at(2026, 12, 6, 8, 30)},
		{"Thursday night", at(2026, 12, 3, 18, 0), at(2026, 12, 5, 8, 30)},
		{"holiday", at(2026, 12, 23, 10, 0), at(2026, 12, 24, 8, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, tt.at.Add(-10*time.Second))
			// The notice comes once per conversation (the first reply)
			// and on the ticket confirmation, not under every reply.
			noticed := map[string]bool{"سلام": true, "سرور قطع است": true}
			for _, text := range []string{"سلام", "1", "1", "3", "سرور قطع است"} {
				r := c.send(text)
				k := keys(r)
				i := slices.Index(k, "offhours.next")
				if !noticed[text] {
					if i >= 0 {
						t.Errorf("%q: the notice again: %v", text, k)
					}
					continue
				}
				if i < 0 {
					t.Fatalf("%q: no off-hours line: %v", text, k)
				}
				if holiday := slices.Contains(k, "offhours.holiday"); holiday != (tt.name == "holiday") {
					t.Errorf("%q: holiday named %v: %v", text, holiday, k)
				}
				for _, after := range k[i+1:] {
					if after != "offhours.clock" && !strings.HasPrefix(after, "schedule.") {
						t.Errorf("%q: %s after the off-hours line", text, after)
					}
				}
				if got := lines(r)[i].Args["at"].(nearTime).DayTime(); !got.Equal(tt.next) {
					t.Errorf("next opening %s, want %s", got, tt.next)
				}
			}
			if len(f.tickets) != 1 {
				t.Fatalf("tickets %d", len(f.tickets))
			}
		})
	}
	t.Run("Thursday within contact hours", func(t *testing.T) {
		c := newChat(t, fixture(), phoneSilver, at(2026, 12, 3, 10, 0))
		noKeys(t, c.send("سلام"), "offhours.next")
	})
}

func TestUnknownNumber(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneUnknown, at(2026, 12, 6, 12, 0))
	var all []Result
	for i, text := range []string{"سلام", "0", "1", "منو", "2", "A-1", "شرکت نمونه یک هستم"} {
		r := c.send(text)
		all = append(all, r)
		wantState(t, c, stateIdentify)
		ev := eventsOf(r, UnknownContact)
		if len(ev) != 1 || ev[0].Phone != phoneUnknown || ev[0].Text != text || ev[0].NewCard != (i == 0) {
			t.Errorf("%q: events = %+v", text, r.Events)
		}
		if i > 0 && len(r.Replies) != 0 {
			t.Errorf("%q: a second reply within the hour: %v", text, keys(r))
		}
	}
	wantKeys(t, all[0], "unknown.welcome", "unknown.ask")
	if d := f.denialsOf(rules.DenyUnknownCustomer); len(d) != 1 || d[0].Phone != phoneUnknown || d[0].CustomerID != "" || d[0].ContractID != "" {
		t.Errorf("denials = %+v", d)
	}
	if len(f.tickets) != 0 {
		t.Errorf("tickets = %+v", f.tickets)
	}
	assertNoLeak(t, f, all)

	// An hour later: one more reply, under the same card.
	c.now = c.now.Add(time.Hour)
	r := c.send("سلام مجدد")
	wantKeys(t, r, "unknown.noted")
	if ev := eventsOf(r, UnknownContact); len(ev) != 1 || ev[0].NewCard {
		t.Errorf("events = %+v", r.Events)
	}
	// The next day: a new card and a second denial.
	c.now = c.now.Add(24 * time.Hour)
	r = c.send("سلام مجدد")
	wantKeys(t, r, "unknown.ask")
	if d := f.denialsOf(rules.DenyUnknownCustomer); len(d) != 2 {
		t.Errorf("%d unknown_customer denials, want 2", len(d))
	}
	assertNoLeak(t, f, []Result{r})

	// Staff link the number: now it is the silver customer.
	f.link(phoneUnknown, "P-1")
	c.now = c.now.Add(10 * time.Minute)
	r = c.sendAll("0", "1", "2", "پرسش درباره خروجی اکسل")
	wantKeys(t, r, "ticket.opened")
	ts := f.ticketsOf("A-1")
	if len(ts) != 1 || ts[0].Phone != phoneUnknown || ts[0].CustomerID != "P-1" {
		t.Errorf("tickets = %+v", ts)
	}
}

func TestUnknownNumberWithStaleSession(t *testing.T) {
	// A number that was linked and then unlinked (or its customer removed)
	// has a known-customer session: it must still be treated as unknown.
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1")
	delete(f.phones, phoneSilver)
	r := c.send("1")
	wantKeys(t, r, "unknown.ask")
	assertNoLeak(t, f, []Result{r})
	wantState(t, c, stateIdentify)
}

// assertNoLeak fails when any reply to an unknown number carries a customer
// name or id, a contract id or subject, or a ticket.
func assertNoLeak(t *testing.T, f *fakeStore, rs []Result) {
	t.Helper()
	var secrets []string
	for _, cu := range f.customers {
		secrets = append(secrets, cu.Name, cu.ID)
	}
	for _, k := range f.contracts {
		secrets = append(secrets, k.ID, k.Subject)
	}
	for _, r := range rs {
		for _, l := range lines(r) {
			if strings.HasPrefix(l.Key, "ticket") || strings.HasPrefix(l.Key, "contract") {
				t.Errorf("unknown number got %s", l.Key)
			}
			for name, v := range l.Args {
				if _, fixed := v.(catalogName); fixed {
					continue // catalog text, the same for everyone
				}
				s, ok := v.(string)
				if !ok {
					t.Errorf("unknown number got %s arg %s = %v", l.Key, name, v)
					continue
				}
				for _, secret := range secrets {
					if secret != "" && strings.Contains(s, secret) {
						t.Errorf("unknown number got %q in %s", secret, l.Key)
					}
				}
			}
		}
	}
}

func TestSessionSurvivesRestart(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "1")
	c.m = New(newPolicy(), testConfig) // a new process on the same database
	r := c.sendAll("3", "سرور پاسخ نمی‌دهد")
	wantKeys(t, r, "ticket.opened")
	if ts := f.ticketsOf("A-1"); len(ts) != 1 || ts[0].Severity != rules.SeverityCritical {
		t.Errorf("tickets = %+v", ts)
	}
}

func TestDamagedSessionIsTreatedAsIdle(t *testing.T) {
	for _, s := range []store.Session{
		{State: "no_such_state"},
		{State: string(statePickKind), Data: "{not json"},
		{State: string(statePickKind), Data: "{}"},
		{State: string(statePickTicket), Data: `{"tickets":[1]}`},
		{State: string(stateDescribe), Data: `{"contract":"A-1","kind":"problem"}`},
	} {
		t.Run(s.State+s.Data, func(t *testing.T) {
			f := fixture()
			s.Phone, s.UpdatedAt = phoneSilver, sunday10
			f.sessions[phoneSilver] = s
			c := newChat(t, f, phoneSilver, sunday10)
			r := c.send("2")
			if s.State == string(stateDescribe) {
				// Valid but missing its severity: asked again, not opened.
				wantKeys(t, r, "severity.title")
				if len(f.tickets) != 0 {
					t.Errorf("ticket opened without severity")
				}
				return
			}
			wantKeys(t, r, "menu.title")
		})
	}
}

func TestDescriptionEdgeCases(t *testing.T) {
	long := strings.Repeat("سرور 🙂 ", 2000) // ~20 KB
	tests := []struct {
		name    string
		text    string
		file    *store.File
		opened  bool
		wantKey string
	}{
		{"empty text", "", nil, false, "describe.empty"},
		{"spaces only", " \u00a0\n\t", nil, false, "describe.empty"},
		{"file without caption", "", &store.File{Kind: "voice", Name: "v.ogg"}, true, "ticket.opened"},
		{"long text", long, nil, true, "ticket.opened"},
		{"invalid UTF-8", "\xff\xfe سرور", nil, true, "ticket.opened"},
		{"a digit is a description", "7", nil, true, "ticket.opened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, sunday10)
			c.sendAll("0", "1", "2")
			r := c.sendFile(tt.text, tt.file)
			wantKeys(t, r, tt.wantKey)
			if got := len(f.tickets) == 1; got != tt.opened {
				t.Fatalf("opened = %v, want %v", got, tt.opened)
			}
			if tt.opened {
				if f.messages[0].File != tt.file {
					t.Errorf("file not kept")
				}
				wantState(t, c, stateIdle)
			} else {
				wantState(t, c, stateDescribe)
			}
		})
	}
}

func TestStoreErrorsAreReturned(t *testing.T) {
	f := fixture()
	f.err = errors.New("disk full")
	m := New(newPolicy(), testConfig)
	_, err := m.Handle(context.Background(), f, Inbound{Phone: phoneSilver, At: sunday10, Text: "سلام"})
	if !errors.Is(err, f.err) {
		t.Errorf("err = %v, want wrapped disk full", err)
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{TicketOpened: "TicketOpened", FollowUp: "FollowUp", UnknownContact: "UnknownContact", 9: "EventKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q", int(k), got)
		}
	}
}

func TestScheduleBuiltFromTheCalendar(t *testing.T) {
	p := newPolicy()
	p.Calendar.Office = [7][]rules.Interval{}
	p.Calendar.Office[time.Saturday] = []rules.Interval{{Start: 9 * 60, End: 12 * 60}, {Start: 13 * 60, End: 16 * 60}}
	p.Calendar.Office[time.Monday] = []rules.Interval{{Start: 9 * 60, End: 12 * 60}}
	p.Calendar.Contact = [7][]rules.Interval{}
	f := fixture()
	m := New(p, Config{})
	var r Result
	for i, text := range []string{"0", "4"} {
		var err error
		r, err = m.Handle(t.Context(), f, Inbound{Phone: phoneSilver, At: sunday10.Add(time.Duration(i) * time.Second), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		record(r)
	}
	var got []kv
	for _, l := range lines(r) {
		if strings.HasPrefix(l.Key, "schedule.") {
			got = append(got, kv{"key": l.Key, "day": l.Args["day"], "start": l.Args["start"]})
		}
	}
	want := []kv{
		{"key": "schedule.day", "day": time.Saturday, "start": "9:00"},
		{"key": "schedule.day", "day": time.Saturday, "start": "13:00"},
		{"key": "schedule.day", "day": time.Monday, "start": "9:00"},
		{"key": "schedule.none", "day": nil, "start": nil}, // contact hours
		// No off-hours footer: the notice was on the first reply.
	}
	if len(got) != len(want) {
		t.Fatalf("schedule lines %v, want %v", got, want)
	}
	for i := range want {
		if !sameArgs(got[i], want[i]) {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
	// No contact hours at all: nobody can say when people answer (said on
	// the first reply of the conversation).
	noKeys(t, r, "offhours.next", "contact.phone")
	first, err := m.Handle(t.Context(), f, Inbound{Phone: phoneSilver, At: sunday10.Add(time.Hour), Text: "سلام"})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys(t, first, "offhours.closed")

	// No sales phone configured: the sales team is named without one.
	for i, text := range []string{"0", "5"} {
		var err error
		r, err = m.Handle(t.Context(), f, Inbound{Phone: phoneSilver, At: sunday10.Add(time.Duration(10+i) * time.Second), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		record(r)
	}
	wantKeys(t, r, "contact.sales_team")
	noKeys(t, r, "contact.sales")
}

func TestFollowUpDroppedAfterTimeout(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "2", "سؤال اول")
	c.sendAll("0", "1", "2", "سؤال دوم")
	c.send("یک نکته")
	c.now = c.now.Add(time.Hour)
	r := c.send("سلام")
	wantKeys(t, r, "followup.expired", "menu.title")
	if len(f.messages) != 2 {
		t.Errorf("messages = %+v", f.messages)
	}
}

func TestMyContractBeforeSupportStarts(t *testing.T) {
	f := fixture()
	f.contracts = append(f.contracts, rules.Contract{
		ID: "B-8", CustomerID: "P-8", Kind: rules.KindProduct, Tier: rules.TierBronze, Subject: "ماژول دیگر",
		PurchasedOn: date(2026, 11, 25), DeliveredOn: date(2026, 12, 1),
	})
	c := newChat(t, f, phonePending, sunday10)
	r := c.sendAll("0", "3")
	wantKeys(t, r, "contracts.awaiting_delivery", "contracts.starts", "contracts.until")
	noKeys(t, r, "contracts.requests")
	if got := line(t, r, "contracts.starts").Args["date"]; got != date(2026, 12, 8) {
		t.Errorf("starts %v", got)
	}
	for _, l := range lines(r) {
		if l.Key == "contracts.status" && l.Args["status"] != rules.StatusPending {
			t.Errorf("status %v", l.Args["status"])
		}
	}
}

func TestCompanyName(t *testing.T) {
	tests := []struct {
		configured string
		want       any
	}{
		{"", catalogName("company.name")},
		{"شرکت آزمایشی", "شرکت آزمایشی"},
	}
	for _, tt := range tests {
		m := New(newPolicy(), Config{CompanyName: tt.configured})
		if got := m.company(); got != tt.want {
			t.Errorf("CompanyName %q: company() = %v, want %v", tt.configured, got, tt.want)
		}
	}
}
