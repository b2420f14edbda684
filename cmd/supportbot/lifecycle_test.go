package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"supportbot/store/sqlite/sqlitetest"
	"testing"
)

// Transcript tests of the ticket lifecycle (docs/lifecycle.md) through the
// binary: replay with the shipped defaults, a manager (2001) configured,
// and the goodCSV customers (C-1 gold product, C-2 bronze product in
// Mashhad, C-3 project silver). 2026-11-29 is Sunday 8 Azar 1405.

// sent is one line of replay output.
type sent struct {
	ID     string `json:"id"`
	At     string `json:"at"`
	To     string `json:"to"`
	Ticket int64  `json:"ticket"`
	Text   string `json:"text"`
	File   *struct {
		Name string `json:"name"`
	} `json:"file"`
}

// desk is one replay database with its config.
type desk struct {
	t        *testing.T
	db, cfg  string
	imported bool
}

func newDesk(t *testing.T, lang string) *desk {
	dir := t.TempDir()
	cfg := writeFile(t, "config.yaml", fmt.Sprintf("language: %s\ntelegram:\n  managers: [2001]\n", lang))
	db := filepath.Join(dir, "l.db")
	sqlitetest.Create(t, db) // what the first open makes, without migrating again
	return &desk{t: t, db: db, cfg: cfg}
}

// staff is a staff-group event by Sara (1001).
func staff(at, text string, extra ...string) string {
	more := ""
	for _, e := range extra {
		more += "," + e
	}
	return fmt.Sprintf(`{"at":%q,"telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":%q%s}`, at, text, more)
}

// customer is a WhatsApp message.
func customer(at, phone, text string) string {
	return fmt.Sprintf(`{"at":%q,"whatsapp":%q,"text":%q}`, at, phone, text)
}

func clock(at string) string { return fmt.Sprintf(`{"at":%q}`, at) }

// play runs one replay phase and returns what the bot sent.
func (d *desk) play(events ...string) []sent {
	d.t.Helper()
	script := writeFile(d.t, "s.jsonl", strings.Join(events, "\n"))
	args := []string{"replay", "-config", d.cfg, "-db", d.db, "-script", script}
	if !d.imported {
		args = append(args, "-contracts", writeFile(d.t, "c.csv", goodCSV))
		d.imported = true
	}
	out := mustRun(d.t, args...)
	var lines []sent
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var s sent
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			d.t.Fatalf("output line is not JSON: %q", l)
		}
		lines = append(lines, s)
	}
	return lines
}

// ticket is ticket id of the export at at.
func (d *desk) ticket(at string, id int64) map[string]any {
	d.t.Helper()
	snap := export(d.t, d.db, at)
	for _, tk := range snap["tickets"].([]any) {
		m := tk.(map[string]any)
		if m["id"] == float64(id) {
			return m
		}
	}
	d.t.Fatalf("no ticket %d in the export", id)
	return nil
}

// find lists the lines to to whose text holds all of want.
func find(lines []sent, to string, want ...string) []sent {
	var out []sent
next:
	for _, l := range lines {
		if to != "" && l.To != to {
			continue
		}
		for _, w := range want {
			if !strings.Contains(l.Text, w) {
				continue next
			}
		}
		out = append(out, l)
	}
	return out
}

func dump(lines []sent) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s %s %s #%d: %s\n", l.ID, l.At, l.To, l.Ticket, l.Text)
	}
	return b.String()
}

const (
	waC2  = "whatsapp:+989151230002"
	waC1  = "whatsapp:+989121230001"
	group = "telegram:staff"
)

func TestPhoneIntakeUnderQuotaAndMergeReturnsIt(t *testing.T) {
	d := newDesk(t, "fa")
	evs := []string{staff("2026-11-29T08:59:00+03:30", "/open C-2 onsite critical بیایید")}
	for i := range 5 {
		evs = append(evs, staff(fmt.Sprintf("2026-11-29T09:0%d:00+03:30", i), fmt.Sprintf("/open C-2 problem normal گزارش %d باز نمی‌شود", i+1)))
	}
	evs = append(evs, staff("2026-11-29T09:10:00+03:30", "/ثبت C-2 1 ۲ درخواست ششم"))
	out := d.play(evs...)
	for i := 1; i <= 5; i++ {
		conf := find(out, waC2, "درخواستی که تلفنی مطرح کردید ثبت شد", fmt.Sprintf("شماره پیگیری: %s", []string{"۱", "۲", "۳", "۴", "۵"}[i-1]), "حداکثر تا")
		if len(conf) != 1 || conf[0].Ticket != int64(i) {
			t.Errorf("ticket %d: confirmation on WhatsApp %v\n%s", i, conf, dump(out))
		}
		if cards := find(out, group, "تیکت شماره "+[]string{"۱", "۲", "۳", "۴", "۵"}[i-1]); len(cards) != 1 {
			t.Errorf("ticket %d has %d cards", i, len(cards))
		}
	}
	if den := find(out, group, "ثبت نشد", "month_quota"); len(den) != 1 {
		t.Errorf("the sixth request was not refused with the quota:\n%s", dump(out))
	}
	if den := find(out, group, "ثبت نشد", "not_in_tier"); len(den) != 1 {
		t.Errorf("on-site on bronze was not refused with the tier:\n%s", dump(out))
	}
	if n := len(find(out, waC2)); n != 5 {
		t.Errorf("the customer got %d WhatsApp messages, want the 5 confirmations (denials are answered in the group)", n)
	}
	snap := export(t, d.db, "2026-11-29T10:00:00+03:30")
	denials := snap["denials"].([]any)
	if len(denials) != 2 || denials[0].(map[string]any)["reason"] != "not_in_tier" || denials[1].(map[string]any)["reason"] != "month_quota" {
		t.Errorf("denials %v", denials)
	}

	// Merge: 2 joins 1 with its time; the quota has room again.
	out = d.play(
		staff("2026-11-29T11:00:00+03:30", "/log 2 30m"),
		staff("2026-11-29T11:01:00+03:30", "/merge 1 2"),
		staff("2026-11-29T11:02:00+03:30", "/open C-2 question پرسش تازه"),
		staff("2026-11-29T11:03:00+03:30", "/ticket 1"),
	)
	if told := find(out, waC2, "یکی شدند"); len(told) != 1 || told[0].Ticket != 1 {
		t.Errorf("customer told of the merge %d times, want once:\n%s", len(told), dump(out))
	}
	if len(find(out, waC2, "شماره پیگیری: ۶")) != 1 {
		t.Errorf("the merge did not return the quota:\n%s", dump(out))
	}
	if hist := find(out, group, "گزارش 2 باز نمی‌شود", "merge"); len(hist) != 1 {
		t.Errorf("/ticket 1 does not show ticket 2's message and the merge in its history:\n%s", dump(out))
	}
	one, two := d.ticket("2026-11-29T12:00:00+03:30", 1), d.ticket("2026-11-29T12:00:00+03:30", 2)
	if two["status"] != "merged" || two["merged_into"] != 1.0 || two["logged_min"] != 0.0 || one["logged_min"] != 30.0 || one["merged_into"] != nil {
		t.Errorf("after the merge: 1 %v, 2 %v", one, two)
	}
	var k2 map[string]any
	for _, c := range export(t, d.db, "2026-11-29T12:00:00+03:30")["contracts"].([]any) {
		if c.(map[string]any)["id"] == "K-2" {
			k2 = c.(map[string]any)
		}
	}
	if u := k2["usage"].(map[string]any); u["requests"] != 5.0 {
		t.Errorf("K-2 counts %v requests, want 5 (the merged one no longer counts)", u["requests"])
	}

	// Tickets of different contracts are not merged, and nothing changes.
	out = d.play(
		staff("2026-11-29T12:10:00+03:30", "/open C-1 question گزارش فروش"),
		staff("2026-11-29T12:11:00+03:30", "/merge 1 7"),
	)
	if len(find(out, group, "قرارداد متفاوت")) != 1 || len(find(out, waC2, "یکی شدند"))+len(find(out, waC1, "یکی شدند")) != 0 {
		t.Errorf("merge across contracts:\n%s", dump(out))
	}
	if tk := d.ticket("2026-11-29T13:00:00+03:30", 7); tk["status"] != "new" || tk["merged_into"] != nil {
		t.Errorf("ticket 7 after a refused merge: %v", tk)
	}
}

func TestSavedReplies(t *testing.T) {
	d := newDesk(t, "fa")
	out := d.play(
		staff("2026-11-29T09:00:00+03:30", "/open C-1 question گزارش فروش کجاست"),
		`{"at":"2026-11-29T09:01:00+03:30","whatsapp":"09121230001","file":{"kind":"document","name":"guide.pdf","bytes":2048}}`,
		staff("2026-11-29T09:02:00+03:30", "/snippet add ver سلام {customer}، برای تیکت {ticket} تا {deadline} نسخه را بفرستید. {staff}، تلفن {support_phone}"),
		staff("2026-11-29T09:03:00+03:30", "/r 1 ver"),
	)
	var filePost string
	for _, l := range out {
		if l.To == group && l.File != nil && l.File.Name == "guide.pdf" {
			filePost = l.ID
		}
	}
	r := find(out, waC1, "سلام شرکت یک، برای تیکت ۱ تا ", "نسخه را بفرستید. Sara، تلفن ۰۲۱۹۱۰۰۱۲۳۴")
	if len(r) != 1 || filePost == "" {
		t.Fatalf("saved reply with variables (file post %q):\n%s", filePost, dump(out))
	}
	if strings.Contains(r[0].Text, "{") {
		t.Errorf("a variable was left unfilled: %s", r[0].Text)
	}
	out = d.play(
		staff("2026-11-29T09:10:00+03:30", "/snippet add guide راهنمای نصب پیوست است", fmt.Sprintf(`"reply_to":%q`, filePost)),
		staff("2026-11-29T09:11:00+03:30", "/r guide", `"reply_to_ticket":1`),
		staff("2026-11-29T09:12:00+03:30", "/snippets"),
		staff("2026-11-29T09:13:00+03:30", "/snippet del ver"),
		staff("2026-11-29T09:14:00+03:30", "/r 1 ver"),
	)
	if len(find(out, group, "همراه با فایل ذخیره شد")) != 1 {
		t.Errorf("the file was not saved with the reply:\n%s", dump(out))
	}
	withFile := find(out, waC1, "راهنمای نصب پیوست است")
	if len(withFile) != 1 || withFile[0].File == nil || withFile[0].File.Name != "guide.pdf" {
		t.Errorf("saved reply with its file: %v\n%s", withFile, dump(out))
	}
	if len(find(out, group, "پاسخ‌های آماده", "guide", "(با فایل)", "ver")) != 1 {
		t.Errorf("/snippets:\n%s", dump(out))
	}
	if len(find(out, group, "حذف شد")) != 1 || len(find(out, group, "پاسخ آماده‌ای با کلید")) != 1 || len(find(out, waC1, "نسخه را بفرستید")) != 0 {
		t.Errorf("a deleted reply was still sent:\n%s", dump(out))
	}
	if tk := d.ticket("2026-11-29T10:00:00+03:30", 1); tk["first_response_at"] != "2026-11-29T09:03:00+03:30" || tk["status"] != "answered" {
		t.Errorf("the saved reply is the first answer: %v", tk)
	}
}

func TestWaitNudgeAutoCloseAndReopen(t *testing.T) {
	d := newDesk(t, "fa")
	// Ticket 1 (gold, due Monday 09:00) waits from Sunday 09:05: no
	// reminders or breach; nudge 2 office days later, closed after 5.
	out := d.play(
		staff("2026-11-29T09:00:00+03:30", "/open C-1 problem important سامانه کند است"),
		staff("2026-11-29T09:05:00+03:30", "/wait 1 لطفاً نسخه مرورگر را بفرستید"),
		clock("2026-12-08T09:00:00+03:30"),
	)
	if len(find(out, waC1, "لطفاً نسخه مرورگر را بفرستید")) != 1 {
		t.Errorf("the wait's question did not reach the customer:\n%s", dump(out))
	}
	for _, l := range out {
		// Reminders (2 h and 30 min before Monday 09:00) and the breach
		// alert would fall before the nudge; a waiting ticket has none.
		if l.Ticket == 1 && l.To == group && l.At > "2026-11-29T09:05:00+03:30" && l.At < "2026-12-01T09:05:00+03:30" {
			t.Errorf("a deadline message for a waiting ticket: %s", l.Text)
		}
		if l.Ticket == 1 && strings.HasPrefix(l.To, "telegram:user") {
			t.Errorf("managers alerted about a waiting ticket: %s", l.Text)
		}
	}
	nudge := find(out, waC1, "یادآوری", "شماره پیگیری ۱")
	closed := find(out, waC1, "بسته شد", "۵ روز کاری")
	if len(nudge) != 1 || !strings.HasPrefix(nudge[0].At, "2026-12-01T09:05") || len(closed) != 1 || !strings.HasPrefix(closed[0].At, "2026-12-06T09:05") {
		t.Fatalf("nudge %v, auto-close %v:\n%s", nudge, closed, dump(out))
	}
	if len(find(out, "telegram:user:2001", "در انتظار پاسخ مشتری", "تیکت ۱")) == 0 {
		t.Errorf("the digest does not list the waiting ticket apart:\n%s", dump(out))
	}
	if tk := d.ticket("2026-12-08T09:00:00+03:30", 1); tk["status"] != "closed" || tk["breached"] != false || tk["waiting_since"] != nil {
		t.Errorf("after auto-close: %v", tk)
	}

	// Reopened by the customer after the auto-close: answered, and the
	// wait job leaves it alone.
	out = d.play(
		customer("2026-12-08T10:00:00+03:30", "09121230001", "هنوز کند است، این هم نسخه"),
		clock("2026-12-20T10:00:00+03:30"),
	)
	if tk := d.ticket("2026-12-20T10:00:00+03:30", 1); tk["status"] != "answered" {
		t.Errorf("reopened after auto-close: %v\n%s", tk, dump(out))
	}
	if n := len(find(out, waC1, "بسته شد")); n != 0 {
		t.Errorf("closed again by itself after the reopen:\n%s", dump(out))
	}

	// Ticket 2 (C-3) waits, and the customer answers before the reminder:
	// no reminder, the ticket is answered again.
	const waC3 = "whatsapp:+989121230003"
	out = d.play(
		staff("2026-12-20T10:05:00+03:30", "/open C-3 question گزارش کجاست"),
		staff("2026-12-20T10:06:00+03:30", "/wait 2"),
		customer("2026-12-20T11:00:00+03:30", "09121230003", "منوی گزارش را پیدا نمی‌کنم"),
		clock("2027-01-05T10:00:00+03:30"),
	)
	if len(find(out, waC3, "منتظر پاسخ شما هستیم")) != 1 || len(find(out, waC3, "یادآوری")) != 0 || len(find(out, waC3, "بسته شد")) != 0 {
		t.Errorf("wait ended by the customer:\n%s", dump(out))
	}
	if tk := d.ticket("2027-01-05T10:00:00+03:30", 2); tk["status"] != "answered" {
		t.Errorf("ticket 2 after the customer wrote: %v", tk)
	}
	// The acknowledgement of the message that ended the wait gives the
	// status it leaves, not "waiting for the customer".
	if len(find(out, waC3, "در انتظار پاسخ مشتری")) != 0 || len(find(out, waC3, "وضعیت درخواست: پاسخ داده شده")) != 1 {
		t.Errorf("acknowledgement of the message that ended the wait:\n%s", dump(out))
	}
}

func TestSatisfactionScore(t *testing.T) {
	d := newDesk(t, "fa")
	out := d.play(
		staff("2026-11-29T09:00:00+03:30", "/open C-1 question گزارش فروش کجاست"),
		staff("2026-11-29T09:01:00+03:30", "/claim 1"),
		staff("2026-11-29T09:05:00+03:30", "/close 1"),
		customer("2026-11-29T09:10:00+03:30", "09121230001", "۲"),
		customer("2026-11-29T09:11:00+03:30", "09121230001", "5"),
		clock("2026-11-30T08:30:00+03:30"),
	)
	if q := find(out, waC1, "از ۱ تا ۵"); len(q) != 1 {
		t.Errorf("asked %d times, want once:\n%s", len(q), dump(out))
	}
	alert := find(out, "telegram:user:2001", "امتیاز ۲ از ۵", "تیکت ۱")
	if len(alert) != 1 || alert[0].Ticket != 1 {
		t.Errorf("the low score did not alert the manager with the ticket:\n%s", dump(out))
	}
	if len(find(out, "telegram:user:2001", "رضایت مشتریان: میانگین ۲ از ۵ (۱ نظر)", "Sara", ": میانگین ۲ (۱ نظر)")) != 1 {
		t.Errorf("the digest does not show the average per staff member:\n%s", dump(out))
	}
	if tk := d.ticket("2026-11-30T09:00:00+03:30", 1); tk["csat"] != 2.0 || tk["status"] != "closed" {
		t.Errorf("score stored once, the second number ignored as a score: %v", tk)
	}

	// A text answer instead of a score is an ordinary message: it reopens.
	out = d.play(
		staff("2026-11-30T09:00:00+03:30", "/open C-1 question خروجی اکسل"),
		staff("2026-11-30T09:05:00+03:30", "/close 2"),
		customer("2026-11-30T09:10:00+03:30", "09121230001", "هنوز خروجی نمی‌گیرم"),
	)
	if tk := d.ticket("2026-11-30T10:00:00+03:30", 2); tk["csat"] != nil || tk["status"] != "answered" {
		t.Errorf("a text answer: %v\n%s", tk, dump(out))
	}
	if len(find(out, group, "هنوز خروجی نمی‌گیرم")) != 1 {
		t.Errorf("the text answer did not reach staff:\n%s", dump(out))
	}

	// With the main menu on screen a number picks from the menu, even
	// while a score is awaited; the question stays open for a later score.
	out = d.play(
		staff("2026-11-30T11:00:00+03:30", "/close 2"),
		customer("2026-11-30T11:05:00+03:30", "09121230001", "سلام"),
		customer("2026-11-30T11:06:00+03:30", "09121230001", "۴"),
		customer("2026-11-30T13:00:00+03:30", "09121230001", "۵"),
	)
	if len(find(out, waC1, "ساعات")) == 0 {
		t.Errorf("the menu choice was not answered by the menu:\n%s", dump(out))
	}
	if tk := d.ticket("2026-11-30T14:00:00+03:30", 2); tk["csat"] != 5.0 {
		t.Errorf("the later score: %v\n%s", tk, dump(out))
	}
}

func TestAuditExport(t *testing.T) {
	d := newDesk(t, "fa")
	d.play(
		staff("2026-11-29T09:00:00+03:30", "/open C-1 question گزارش فروش کجاست"),
		staff("2026-11-29T09:01:00+03:30", "/claim 1"),
		staff("2026-11-29T09:02:00+03:30", "/close 99"), // refused: no record
		staff("2026-11-29T09:03:00+03:30", "پاسخ داده شد", `"reply_to_ticket":1`),
	)
	var snap struct {
		Audit []map[string]any `json:"audit"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "export", "-db", d.db, "-audit")), &snap); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range snap.Audit {
		got = append(got, fmt.Sprintf("%v %v %v %v", r["at"], r["user"], r["action"], r["ticket"]))
	}
	want := []string{
		"2026-11-29T09:00:00+03:30 1001 open 1",
		"2026-11-29T09:01:00+03:30 1001 claim 1",
		"2026-11-29T09:03:00+03:30 1001 reply 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if out := mustRun(t, "export", "-db", d.db); strings.Contains(out, `"audit"`) {
		t.Error("export without -audit prints the audit")
	}
}

func TestLifecycleInEnglish(t *testing.T) {
	d := newDesk(t, "en")
	out := d.play(
		staff("2026-11-29T09:00:00+03:30", "/open C-1 question where is the sales report"),
		staff("2026-11-29T09:01:00+03:30", "/wait 1 which version do you use?"),
		staff("2026-11-29T09:02:00+03:30", "/close 1"),
	)
	for _, want := range []string{
		"The request you made on the phone has been registered.",
		"Ticket 1 is waiting on the customer.",
		"Please tell us from 1 to 5",
	} {
		if len(find(out, "", want)) != 1 {
			t.Errorf("no %q:\n%s", want, dump(out))
		}
	}
}
