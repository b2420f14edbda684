package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/bot"
	"supportbot/conversation"
	"supportbot/examples"
	"supportbot/jobs"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/importcsv"
	"supportbot/store/sqlite"
)

var tehran = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		panic(err)
	}
	return loc
}()

// start is an ordinary office morning (Sunday 15 Azar 1405, 08:30).
var start = time.Date(2026, 12, 6, 8, 30, 0, 0, tehran)

var (
	testStaff    = []Person{{ID: 1001, Name: "Sara"}, {ID: 1002, Name: "Reza"}}
	testManagers = []Person{{ID: 9001, Name: "Mina"}}
)

// newDemo runs the real bot, wired as `supportbot demo` wires it, on a
// SQLite file in a temporary folder with the shipped example contracts,
// and serves the page's API.
func newDemo(t *testing.T) (*Demo, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	batch, err := importcsv.Parse(examples.ContractsName, bytes.NewReader(examples.Contracts))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importcsv.Apply(ctx, db, batch); err != nil {
		t.Fatal(err)
	}
	policy := &rules.Policy{Calendar: rules.DefaultCalendar(tehran), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	printer, err := locales.New("fa", tehran)
	if err != nil {
		t.Fatal(err)
	}
	desk := bot.NewDesk(policy, printer, bot.DeskConfig{
		Managers: []int64{9001}, StaffChatID: -1001, HasManagersGroup: true, FilesDir: filepath.Join(dir, "files"),
	})
	engine := bot.NewEngine(db, conversation.New(policy, conversation.Config{IdleTimeout: 30 * time.Minute}), desk, printer)
	sched := &jobs.Scheduler{}
	work := jobs.New(desk.JobsEnv(db), jobs.Config{
		Reminders: []time.Duration{2 * time.Hour, 30 * time.Minute}, Digest: "0 8 * * *", ContractEndDays: []int{30, 7},
	})
	if err := work.Register(sched); err != nil {
		t.Fatal(err)
	}
	d, err := New(ctx, Config{
		Engine: engine, Scheduler: sched, Printer: printer, Calendar: policy.Calendar,
		Staff: testStaff, Managers: testManagers, MediaDir: filepath.Join(dir, "media"), Start: start,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return d, srv
}

// post sends body to the API and returns the status and the decoded answer.
func post(t *testing.T, srv *httptest.Server, path string, body any) (int, map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+path, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

func mustPost(t *testing.T, srv *httptest.Server, path string, body any) {
	t.Helper()
	if code, out := post(t, srv, path, body); code != http.StatusOK {
		t.Fatalf("POST %s %v: %d %v", path, body, code, out)
	}
}

// openTicket writes the customer's way through the menu to a critical
// problem report, as on a phone.
func openTicket(t *testing.T, srv *httptest.Server, phone, text string) {
	t.Helper()
	for _, m := range []string{"سلام", "۱", "۱", "۳", text} {
		mustPost(t, srv, "/api/customer", CustomerInput{Phone: phone, Text: m})
	}
}

// stream reads the page's event stream from seq and returns the events in
// it until want of them are read.
func stream(t *testing.T, srv *httptest.Server, since string, want int) []Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if since != "" {
		req.Header.Set("Last-Event-ID", since)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	var evs []Event
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	lastID := ""
	for len(evs) < want && sc.Scan() {
		line := sc.Text()
		if id, ok := strings.CutPrefix(line, "id: "); ok {
			lastID = id
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			var ev Event
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("event %q: %v", data, err)
			}
			if want := lastID; want != "" && ev.Seq != parseSeq(t, want) {
				t.Fatalf("event id %s carries seq %d", want, ev.Seq)
			}
			evs = append(evs, ev)
		}
	}
	if len(evs) < want {
		t.Fatalf("stream ended after %d events, want %d (%v)", len(evs), want, sc.Err())
	}
	return evs
}

func parseSeq(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatalf("event id %q: %v", s, err)
	}
	return n
}

// find returns the bot's messages to chat whose text contains part.
func find(evs []Event, chat, part string) []Event {
	var out []Event
	for _, ev := range evs {
		if ev.Kind == KindOut && ev.Chat == chat && strings.Contains(ev.Text, part) {
			out = append(out, ev)
		}
	}
	return out
}

const phone = "+989121110001" // شرکت آریا پخش, gold, one contract

func TestCustomerMessageBecomesCard(t *testing.T) {
	d, srv := newDemo(t)
	openTicket(t, srv, "09121110001", "از صبح نرم‌افزار موبایل هنگام ورود خطای ۵۰۰ می‌دهد")
	evs := stream(t, srv, "", len(d.Events(0)))

	if evs[0].Kind != KindClock || evs[0].Clock.Time != "2026-12-06T08:30:00+03:30" || !evs[0].Clock.Open {
		t.Fatalf("first event %+v, want the clock at the start, office open", evs[0])
	}
	in := 0
	for _, ev := range evs {
		if ev.Kind == KindIn {
			in++
			if ev.Chat != string(outbox.WhatsApp(phone)) {
				t.Errorf("customer input shown in %s", ev.Chat)
			}
		}
	}
	if in != 5 {
		t.Errorf("%d customer messages shown, want 5", in)
	}
	menu := find(evs, string(outbox.WhatsApp(phone)), "شرکت آریا پخش")
	if len(menu) != 1 || !strings.Contains(menu[0].Text, "\n۱. ") || menu[0].At != "۸:۳۰" {
		t.Fatalf("menu %+v: want one message with its lines and Persian digits, at ۸:۳۰", menu)
	}
	confirm := find(evs, string(outbox.WhatsApp(phone)), "شماره پیگیری: ۱")
	if len(confirm) != 1 || confirm[0].Ticket != 1 {
		t.Fatalf("confirmation %+v", confirm)
	}
	cards := find(evs, string(outbox.StaffGroup), "تیکت شماره ۱")
	if len(cards) != 1 {
		t.Fatalf("cards %+v, want one in the staff group", cards)
	}
	card := cards[0]
	var data []string
	for _, b := range card.Buttons {
		data = append(data, b.Data)
		if b.Label == "" || strings.HasPrefix(b.Label, "[") {
			t.Errorf("button %q has no catalog label: %q", b.Data, b.Label)
		}
	}
	if want := []string{"claim:1", "close:1", "decline:1", "log:1"}; !slices.Equal(data, want) {
		t.Errorf("card buttons %v, want %v", data, want)
	}
	if !strings.Contains(card.Text, "خطای ۵۰۰") || card.ID != "m6" || card.Outbox != 6 {
		t.Errorf("card %+v", card)
	}
	// The whole outbox row rides along, every field, so fields the desk
	// adds later (card edits, topics) reach the page without a change here.
	raw, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	var shown struct{ Message map[string]any }
	if err := json.Unmarshal(raw, &shown); err != nil {
		t.Fatal(err)
	}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[store.OutboxMessage]()) {
		if _, ok := shown.Message[f.Name]; f.IsExported() && !ok {
			t.Errorf("the card event's message has no %s", f.Name)
		}
	}
	// The page got it through the outbox: the message is marked sent
	// with the page's id, as a transport marks it.
	m, err := d.cfg.Engine.Store().OutboxMessage(context.Background(), card.Outbox)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != "sent" || m.ExternalID != "m6" {
		t.Errorf("outbox row %d: status %q, external id %q; want sent as m6", m.ID, m.Status, m.ExternalID)
	}
}

func TestButtonPressAndReplyReachCustomer(t *testing.T) {
	d, srv := newDemo(t)
	openTicket(t, srv, phone, "خطای ۵۰۰ هنگام ورود")
	before := int64(len(d.Events(0)))
	mustPost(t, srv, "/api/staff", StaffInput{Chat: "staff", User: 1001, Callback: "claim:1"})
	mustPost(t, srv, "/api/staff", StaffInput{Chat: "staff", User: 1001, Text: "سلام، لطفاً نسخهٔ برنامه را بفرمایید.", ReplyTo: 6})
	evs := stream(t, srv, jsonInt(before), len(d.Events(before)))

	if evs[0].Kind != KindIn || evs[0].From != "Sara" || evs[0].Button != "برمی‌دارم" {
		t.Errorf("button press shown as %+v", evs[0])
	}
	if got := find(evs, string(outbox.StaffGroup), "Sara"); len(got) == 0 {
		t.Errorf("no claim notice in the staff group: %+v", evs)
	}
	reply := find(evs, string(outbox.WhatsApp(phone)), "نسخهٔ برنامه")
	if len(reply) != 1 || reply[0].Ticket != 1 {
		t.Fatalf("staff reply reached the customer as %+v", reply)
	}
	tk, err := d.cfg.Engine.Store().Ticket(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Assignee != 1001 || tk.FirstResponseAt.IsZero() {
		t.Errorf("ticket 1: assignee %d, first response %v; want Sara and answered", tk.Assignee, tk.FirstResponseAt)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestClockMoveFiresReminderAndBreach(t *testing.T) {
	d, srv := newDemo(t)
	openTicket(t, srv, phone, "خطای ۵۰۰ هنگام ورود")
	before := int64(len(d.Events(0)))
	code, out := post(t, srv, "/api/clock", map[string]string{"move": "day"})
	if code != http.StatusOK || out["time"] != "2026-12-06T17:30:00+03:30" || out["open"] != false {
		t.Fatalf("+1 office day: %d %v; want 17:30 the same day, office closed", code, out)
	}
	evs := stream(t, srv, jsonInt(before), len(d.Events(before)))
	var order []string
	for _, ev := range evs {
		switch {
		case ev.Kind == KindClock:
			order = append(order, "clock")
		case strings.HasPrefix(ev.Text, "⏰"):
			order = append(order, "reminder "+ev.Chat+" "+ev.At)
		case strings.HasPrefix(ev.Text, "⛔"):
			order = append(order, "breach "+ev.Chat+" "+ev.At)
		}
	}
	want := []string{
		"reminder telegram:staff ۱۵:۳۰",
		"reminder telegram:staff ۱۷:۰۰",
		"breach telegram:staff ۱۷:۳۰",
		"breach telegram:managers ۱۷:۳۰",
		"clock",
	}
	if !slices.Equal(order, want) {
		t.Errorf("after +1 office day:\n got %q\nwant %q", order, want)
	}
	if !d.Now().Equal(time.Date(2026, 12, 6, 17, 30, 0, 0, tehran)) {
		t.Errorf("clock %v", d.Now())
	}
}

func TestClockMoves(t *testing.T) {
	d, srv := newDemo(t)
	tests := []struct {
		move Move
		want time.Time
	}{
		{MoveHour, time.Date(2026, 12, 6, 9, 30, 0, 0, tehran)},
		{MoveOpening, time.Date(2026, 12, 7, 8, 30, 0, 0, tehran)},  // open now: tomorrow's opening
		{MoveDay, time.Date(2026, 12, 7, 17, 30, 0, 0, tehran)},     // nine office hours
		{MoveOpening, time.Date(2026, 12, 8, 8, 30, 0, 0, tehran)},  // closed now: the next opening
		{MoveMonthEnd, time.Date(2026, 12, 22, 0, 0, 0, 0, tehran)}, // 1 Dey 1405
		{MoveMonthEnd, time.Date(2027, 1, 21, 0, 0, 0, 0, tehran)},  // 1 Bahman 1405
		{MoveOpening, time.Date(2027, 1, 23, 8, 30, 0, 0, tehran)},  // Thursday and Friday closed
	}
	for _, tt := range tests {
		mustPost(t, srv, "/api/clock", map[string]string{"move": string(tt.move)})
		if got := d.Now(); !got.Equal(tt.want) {
			t.Fatalf("%s: clock %v, want %v", tt.move, got.In(tehran), tt.want)
		}
	}
}

func TestDigestWithChart(t *testing.T) {
	d, srv := newDemo(t)
	openTicket(t, srv, phone, "خطای ۵۰۰ هنگام ورود")
	before := int64(len(d.Events(0)))
	mustPost(t, srv, "/api/staff", StaffInput{Chat: "managers", User: 9001, Text: "/digest"})
	evs := stream(t, srv, jsonInt(before), len(d.Events(before)))
	var chart *FileView
	for _, ev := range evs {
		if ev.Kind == KindOut && ev.Chat != string(outbox.ManagersGroup) {
			t.Errorf("digest answer went to %s", ev.Chat)
		}
		if ev.File != nil {
			chart = ev.File
		}
	}
	if chart == nil || chart.Kind != "image" || chart.URL == "" {
		t.Fatalf("digest events %+v: want a chart image with a URL", evs)
	}
	resp, err := http.Get(srv.URL + chart.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("\x89PNG")) || int64(len(body)) != chart.Bytes {
		t.Errorf("chart: %d, %d bytes (want %d), PNG %v", resp.StatusCode, len(body), chart.Bytes, bytes.HasPrefix(body, []byte("\x89PNG")))
	}
}

func TestSampleFilesReachStaff(t *testing.T) {
	d, srv := newDemo(t)
	openTicket(t, srv, phone, "خطای ۵۰۰ هنگام ورود")
	for _, s := range []string{"photo", "voice"} {
		before := int64(len(d.Events(0)))
		mustPost(t, srv, "/api/customer", CustomerInput{Phone: phone, Sample: s})
		evs := stream(t, srv, jsonInt(before), len(d.Events(before)))
		var staff *Event
		for i, ev := range evs {
			if ev.Kind == KindOut && ev.Chat == string(outbox.StaffGroup) && ev.File != nil {
				staff = &evs[i]
			}
		}
		if staff == nil || staff.Ticket != 1 || staff.ReplyTo != 6 || staff.File.Kind != samples[s].kind {
			t.Fatalf("%s: staff got %+v; want the file threaded under card m6", s, staff)
		}
		want, _ := webFS.ReadFile("web/" + samples[s].asset)
		resp, err := http.Get(srv.URL + staff.File.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the staff pane's file is %d bytes, want the sample's %d", s, len(got), len(want))
		}
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	d, srv := newDemo(t)
	tests := []struct {
		path, body, field string
	}{
		{"/api/customer", `{"phone":"12","text":"سلام"}`, "phone"},
		{"/api/customer", `{"phone":"09121110001","text":"  "}`, "text"},
		{"/api/customer", `{"phone":"09121110001","sample":"video"}`, "sample"},
		{"/api/customer", `{"phone":"09121110001","text":"x","extra":1}`, "body"},
		{"/api/customer", `not json`, "body"},
		{"/api/staff", `{"chat":"elsewhere","user":1001,"text":"/help"}`, "chat"},
		{"/api/staff", `{"chat":"staff","user":7,"text":"/help"}`, "user"},
		{"/api/staff", `{"chat":"staff","user":1001}`, "text"},
		{"/api/staff", `{"chat":"staff","user":1001,"callback":"` + strings.Repeat("x", 65) + `"}`, "callback"},
		{"/api/clock", `{"move":"year"}`, "move"},
	}
	before := len(d.Events(0))
	now := d.Now()
	for _, tt := range tests {
		resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]string
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(out["error"], tt.field+": ") {
			t.Errorf("POST %s %s: %d %v; want 400 naming %q", tt.path, tt.body, resp.StatusCode, out, tt.field)
		}
	}
	if got := len(d.Events(0)); got != before || !d.Now().Equal(now) {
		t.Errorf("bad input changed the demo: %d events (was %d), clock %v (was %v)", got, before, d.Now(), now)
	}
	out, err := d.cfg.Engine.Store().DueOutbox(context.Background(), now.Add(time.Hour), 0)
	if err != nil || len(out) != 0 {
		t.Errorf("outbox after bad input: %v %v", out, err)
	}
}

func TestUnknownNumberAndPage(t *testing.T) {
	d, srv := newDemo(t)
	st, err := d.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := st.Customers[len(st.Customers)-1]
	if last.Phone != UnknownPhone || last.Name != "یک شمارهٔ ناشناس" {
		t.Errorf("last customer %+v, want the unknown number", last)
	}
	for _, c := range st.Customers {
		if strings.ContainsAny(c.Label, "0123456789") {
			t.Errorf("customer label %q has Latin digits", c.Label)
		}
	}
	for _, k := range uiKeys {
		if v := st.UI[k]; v == "" || strings.HasPrefix(v, "[") {
			t.Errorf("UI text %s = %q", k, v)
		}
	}
	mustPost(t, srv, "/api/customer", CustomerInput{Phone: UnknownPhone, Text: "سلام"})
	if got := find(d.Events(0), string(outbox.WhatsApp(UnknownPhone)), ""); len(got) == 0 {
		t.Error("the unknown number got no answer")
	}
	for path, want := range map[string]string{
		"/":                                  "text/html",
		"/static/app.js":                     "text/javascript",
		"/static/app.css":                    "text/css",
		"/static/fonts/Vazirmatn-wght.woff2": "font/woff2",
		"/static/fonts/OFL.txt":              "text/plain",
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %s, want %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
	resp, err := http.Get(srv.URL + "/api/file/in/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown file: %d, want 404", resp.StatusCode)
	}
}

// TestCatalogKeys keeps locales/*/demo.json and the code in step: every
// key the page or the code names exists, and no key is left unused.
func TestCatalogKeys(t *testing.T) {
	used := append([]string{"demo.file_size"}, uiKeys...)
	for _, lang := range locales.Languages {
		data, err := os.ReadFile(filepath.Join("..", "locales", lang, "demo.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatal(err)
		}
		for _, k := range used {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s/demo.json: no %q", lang, k)
			}
		}
		for k := range cat {
			if !slices.Contains(used, k) {
				t.Errorf("%s/demo.json: %q is not used", lang, k)
			}
		}
	}
}
