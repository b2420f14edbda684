package conversation

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

var tehran = time.FixedZone("Tehran", 12600)

// at is a wall-clock time in Tehran.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, tehran)
}

// sunday10 is Sunday 2026-12-06 (1405/09/15) 10:00, inside office and
// contact hours.
var sunday10 = at(2026, 12, 6, 10, 0)

func newPolicy() *rules.Policy {
	return &rules.Policy{
		Calendar: rules.DefaultCalendar(tehran),
		Tiers:    rules.DefaultTiers(),
		Hourly:   rules.DefaultHourlyRules(),
	}
}

var testConfig = Config{
	IdleTimeout:   30 * time.Minute,
	SupportPhone:  "02191001234",
	SalesPhone:    "02191001235",
	FallbackPhone: "09198906850",
}

func date(y int, m time.Month, d int) rules.Date { return rules.Date{Year: y, Month: m, Day: d} }

// product returns a product contract confirmed on 2026-10-12 (active
// through late 2027).
func product(id string, tier rules.Tier, subject string) rules.Contract {
	return rules.Contract{
		ID: id, Kind: rules.KindProduct, Tier: tier, Subject: subject,
		PurchasedOn: date(2026, 10, 1), DeliveredOn: date(2026, 10, 10), ConfirmedOn: date(2026, 10, 12),
	}
}

func project(id string, tier rules.Tier, subject string) rules.Contract {
	c := product(id, tier, subject)
	c.Kind = rules.KindProject
	return c
}

func hourlyPackage(id string, tier rules.Tier, subject string) rules.Contract {
	return rules.Contract{ID: id, Kind: rules.KindHourly, Tier: tier, Subject: subject, PurchasedOn: date(2026, 10, 23)}
}

// Phones of the fixture's customers.
const (
	phoneSilver   = "+989121230001"
	phoneBronze   = "+989151230002"
	phoneMulti    = "+989121230003"
	phoneShiraz   = "+989171230004"
	phoneProjSilv = "+989121230005"
	phoneExpired  = "+989121230006"
	phoneNone     = "+989121230007"
	phonePending  = "+989121230008"
	phoneHourly   = "+989121230009"
	phoneGold     = "+989121230010"
	phoneSilver2  = "+989121230011" // a second contact of the silver customer
	phoneUnknown  = "+989370009999"
)

// fixture is a store with one customer per situation the tests need.
func fixture() *fakeStore {
	f := newFakeStore()
	f.addCustomer(store.Customer{ID: "P-1", Name: "شرکت نمونه یک", City: "تهران", Phones: []string{phoneSilver, phoneSilver2}},
		product("A-1", rules.TierSilver, "ماژول CRM موبایل"))
	f.addCustomer(store.Customer{ID: "P-2", Name: "شرکت نمونه دو", City: "مشهد", Phones: []string{phoneBronze}},
		product("A-2", rules.TierBronze, "ماژول گزارش"))
	f.addCustomer(store.Customer{ID: "P-3", Name: "شرکت نمونه سه", City: "Tehran", Phones: []string{phoneMulti}},
		project("A-3", rules.TierGold, "پروژه پورتال"),
		hourlyPackage("A-4", rules.TierH200, "بسته ساعتی پورتال"),
		product("A-5", rules.TierGold, "ماژول انبار"))
	f.addCustomer(store.Customer{ID: "P-4", Name: "شرکت شیراز", City: "شیراز", Phones: []string{phoneShiraz}},
		product("B-1", rules.TierGold, "ماژول فروش"))
	f.addCustomer(store.Customer{ID: "P-5", Name: "شرکت پروژه", City: "تهران", Phones: []string{phoneProjSilv}},
		project("B-2", rules.TierSilver, "پروژه مالی"))
	expired := product("B-3", rules.TierBronze, "ماژول قدیمی")
	expired.PurchasedOn, expired.DeliveredOn, expired.ConfirmedOn = date(2024, 12, 1), date(2024, 12, 10), date(2024, 12, 12)
	f.addCustomer(store.Customer{ID: "P-6", Name: "شرکت قدیمی", City: "تهران", Phones: []string{phoneExpired}}, expired)
	f.addCustomer(store.Customer{ID: "P-7", Name: "شرکت بی‌قرارداد", City: "تهران", Phones: []string{phoneNone}})
	pending := product("B-4", rules.TierSilver, "ماژول جدید")
	pending.PurchasedOn, pending.DeliveredOn, pending.ConfirmedOn = date(2026, 11, 20), rules.Date{}, rules.Date{}
	f.addCustomer(store.Customer{ID: "P-8", Name: "شرکت تازه", City: "تهران", Phones: []string{phonePending}}, pending)
	f.addCustomer(store.Customer{ID: "P-9", Name: "شرکت ساعتی", City: "تهران", Phones: []string{phoneHourly}},
		hourlyPackage("B-5", rules.TierH50, "بسته ساعتی"))
	f.addCustomer(store.Customer{ID: "P-10", Name: "شرکت طلایی", City: "تهران", Phones: []string{phoneGold}},
		product("B-6", rules.TierGold, "ماژول طلایی"))
	return f
}

// chat is one phone's side of a conversation in tests.
type chat struct {
	t     *testing.T
	f     *fakeStore
	m     *Machine
	phone string
	now   time.Time
	last  int64 // the Received id of the last message sent
}

func newChat(t *testing.T, f *fakeStore, phone string, start time.Time) *chat {
	t.Helper()
	return &chat{t: t, f: f, m: New(newPolicy(), testConfig), phone: phone, now: start}
}

// send sends text 10 seconds after the previous message.
func (c *chat) send(text string) Result {
	c.t.Helper()
	c.now = c.now.Add(10 * time.Second)
	return c.handle(Inbound{Phone: c.phone, At: c.now, Text: text})
}

// sendAll sends each text and returns the last result.
func (c *chat) sendAll(texts ...string) Result {
	c.t.Helper()
	var r Result
	for _, x := range texts {
		r = c.send(x)
	}
	return r
}

func (c *chat) sendFile(caption string, file *store.File) Result {
	c.t.Helper()
	c.now = c.now.Add(10 * time.Second)
	return c.handle(Inbound{Phone: c.phone, At: c.now, Text: caption, File: file})
}

func (c *chat) handle(in Inbound) Result {
	c.t.Helper()
	if in.Received == 0 {
		// As the engine does: every message is recorded before it is read.
		c.f.mu.Lock()
		c.f.received++
		in.Received = c.f.received
		c.f.mu.Unlock()
	}
	c.last = in.Received
	r, err := c.m.Handle(context.Background(), c.f, in)
	if err != nil {
		c.t.Fatalf("Handle(%q at %s): %v", in.Text, in.At.Format(time.RFC3339), err)
	}
	record(r)
	return r
}

// state is the phone's saved state.
func (c *chat) state() state {
	c.t.Helper()
	s, ok := c.f.sessions[c.phone]
	if !ok {
		c.t.Fatalf("no session saved for %s", c.phone)
	}
	return state(s.State)
}

func (c *chat) data() data {
	c.t.Helper()
	var d data
	if err := json.Unmarshal([]byte(c.f.sessions[c.phone].Data), &d); err != nil {
		c.t.Fatalf("session data: %v", err)
	}
	return d
}

// lines returns every line of every reply.
func lines(r Result) []Line {
	var out []Line
	for _, rep := range r.Replies {
		out = append(out, rep.Lines...)
	}
	return out
}

func keys(r Result) []string {
	var out []string
	for _, l := range lines(r) {
		out = append(out, l.Key)
	}
	return out
}

// line returns the first line with key.
func line(t *testing.T, r Result, key string) Line {
	t.Helper()
	for _, l := range lines(r) {
		if l.Key == key {
			return l
		}
	}
	t.Fatalf("no line %q in %v", key, keys(r))
	return Line{}
}

func wantKeys(t *testing.T, r Result, want ...string) {
	t.Helper()
	got := keys(r)
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("reply lacks %q; got %v", k, got)
		}
	}
}

func noKeys(t *testing.T, r Result, unwanted ...string) {
	t.Helper()
	got := keys(r)
	for _, k := range unwanted {
		if slices.Contains(got, k) {
			t.Errorf("reply has %q; got %v", k, got)
		}
	}
}

func wantState(t *testing.T, c *chat, want state) {
	t.Helper()
	if got := c.state(); got != want {
		t.Errorf("state = %s, want %s", got, want)
	}
}

func eventsOf(r Result, k EventKind) []Event {
	var out []Event
	for _, e := range r.Events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// recorded collects every line the tests produced, for the catalog check in
// TestMain.
var recorded struct {
	sync.Mutex
	lines []Line
}

func record(r Result) {
	recorded.Lock()
	defer recorded.Unlock()
	recorded.lines = append(recorded.lines, lines(r)...)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && !testing.Short() {
		if errs := checkRecorded(); len(errs) > 0 {
			for _, e := range errs {
				fmt.Fprintln(os.Stderr, "catalog:", e)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// checkRecorded checks every line the tests produced against the catalogs:
// the key exists in both languages, the args fill exactly the placeholders,
// and every LocaleKey value names an existing entry.
func checkRecorded() []string {
	cats := map[string]map[string]string{}
	for _, lang := range []string{"fa", "en"} {
		c, err := readCatalogFiles(lang)
		if err != nil {
			return []string{err.Error()}
		}
		cats[lang] = c
	}
	_, err := os.Stat("../locales/fa/common.json")
	haveCommon := err == nil
	recorded.Lock()
	defer recorded.Unlock()
	seen := map[string]bool{}
	var errs []string
	for _, l := range recorded.lines {
		id := l.Key + fmt.Sprint(sortedKeys(l.Args))
		if seen[id] {
			continue
		}
		seen[id] = true
		for lang, cat := range cats {
			text, ok := cat[l.Key]
			if !ok {
				if haveCommon || !isCommonKey(l.Key) {
					errs = append(errs, fmt.Sprintf("%s: key %q missing", lang, l.Key))
				}
				continue
			}
			if p, a := placeholders(text), sortedKeys(l.Args); !slices.Equal(p, a) {
				errs = append(errs, fmt.Sprintf("%s: %q has placeholders %v, code passes %v", lang, l.Key, p, a))
			}
			for name, v := range l.Args {
				lk, ok := v.(interface{ LocaleKey() string })
				if !ok || !haveCommon {
					continue
				}
				if _, ok := cat[lk.LocaleKey()]; !ok {
					errs = append(errs, fmt.Sprintf("%s: %q arg %s names missing key %q", lang, l.Key, name, lk.LocaleKey()))
				}
			}
		}
	}
	if !fullRun() {
		sort.Strings(errs)
		return errs
	}
	// Every entry of conversation.json is said somewhere; denial.<code>
	// entries that only other packages show are exempt.
	said := map[string]bool{rules.DenyUnknownCustomer.LocaleKey(): true}
	for _, l := range recorded.lines {
		said[l.Key] = true
		for _, v := range l.Args {
			if lk, ok := v.(interface{ LocaleKey() string }); ok {
				said[lk.LocaleKey()] = true // severity_hint.*, said as an argument
			}
		}
	}
	if own, err := readCatalogFile("../locales/fa/conversation.json"); err != nil {
		errs = append(errs, err.Error())
	} else {
		for k := range own {
			if !said[k] {
				errs = append(errs, fmt.Sprintf("fa: %q is never said by the tests (dead key?)", k))
			}
		}
	}
	sort.Strings(errs)
	return errs
}

// fullRun reports whether every test ran (no -run, -skip or -fuzz), so
// that a catalog key no test says is a dead key, not a filtered test.
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip", "test.fuzz"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

func isCommonKey(k string) bool {
	for _, p := range []string{"request_kind.", "severity.", "tier.", "contract_kind.", "contract_status.", "ticket_status.", "weekday.", "jalali_month.", "decline_reason."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// readCatalogFiles merges locales/<lang>/*.json.
func readCatalogFiles(lang string) (map[string]string, error) {
	names, err := filepath.Glob("../locales/" + lang + "/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range names {
		m, err := readCatalogFile(n)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

func readCatalogFile(name string) (map[string]string, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// placeholders returns the sorted {name} placeholders of text.
func placeholders(text string) []string {
	set := map[string]bool{}
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		set[text[i+1:i+j]] = true
		text = text[i+j+1:]
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
