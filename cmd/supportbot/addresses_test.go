package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"supportbot/store/sqlite/sqlitetest"
	"testing"
	"time"
)

// Transcript tests for customers WhatsApp shows only by a hidden address
// (docs/whatsapp.md): linking by a reply to the card and by the explicit
// form, a request under the customer's quota, reveals that join and that
// conflict, one conversation by number and by hidden address, and a
// re-import that keeps the link.

const hidden = "lid:5550001"

type replayRun struct {
	t           *testing.T
	db, cfg, cs string
	n           int
}

func newReplayRun(t *testing.T) *replayRun {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	sqlitetest.Create(t, db) // what the first open makes, without migrating again
	return &replayRun{t: t, db: db, cfg: writeFile(t, "config.yaml", managersConfig), cs: writeFile(t, "contracts.csv", goodCSV)}
}

// play runs script lines on the run's database (the contracts are imported
// again each time, as a re-import would) and returns the output lines.
func (r *replayRun) play(lines ...string) []map[string]any {
	r.t.Helper()
	r.n++
	script := writeFile(r.t, fmt.Sprintf("s%d.jsonl", r.n), strings.Join(lines, "\n"))
	return replayLines(r.t, "-config", r.cfg, "-db", r.db, "-contracts", r.cs, "-script", script)
}

func linesTo(lines []map[string]any, to string) []string {
	var out []string
	for _, m := range lines {
		if m["to"] == to {
			out = append(out, m["text"].(string))
		}
	}
	return out
}

func customerOf(snap map[string]any, id string) map[string]any {
	for _, c := range snap["customers"].([]any) {
		if m := c.(map[string]any); m["id"] == id {
			return m
		}
	}
	return nil
}

func addressesOf(snap map[string]any, id string) []string {
	var out []string
	for _, a := range customerOf(snap, id)["addresses"].([]any) {
		out = append(out, a.(string))
	}
	return out
}

func TestHiddenSenderLinkedByReplyOpensUnderTheCustomersQuota(t *testing.T) {
	r := newReplayRun(t)
	out := r.play(`{"at":"2026-11-25T10:00:00+03:30","whatsapp":"` + hidden + `","text":"سلام، از شرکت یک هستم"}`)
	var card string
	for _, m := range out {
		if m["to"] == "telegram:staff" && strings.Contains(m["text"].(string), hidden) {
			card = m["id"].(string)
		}
	}
	if card == "" || len(linesTo(out, "whatsapp:"+hidden)) != 1 {
		t.Fatalf("no card for the hidden sender, or no who-are-you reply: %v", out)
	}
	if !strings.Contains(linesTo(out, "telegram:staff")[0], "/link") {
		t.Errorf("the card does not say how to link: %q", linesTo(out, "telegram:staff")[0])
	}
	out = r.play(
		`{"at":"2026-11-25T10:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link C-1","reply_to":"`+card+`"}`,
		`{"at":"2026-11-25T10:06:00+03:30","whatsapp":"`+hidden+`","text":"۱"}`,
		`{"at":"2026-11-25T10:06:10+03:30","whatsapp":"`+hidden+`","text":"2"}`,
		`{"at":"2026-11-25T10:06:20+03:30","whatsapp":"`+hidden+`","text":"خروجی اکسل کجاست؟"}`,
	)
	if w := linesTo(out, "whatsapp:"+hidden); len(w) < 2 || !strings.Contains(w[0], "شرکت یک") {
		t.Errorf("replies to the hidden address %q, want a welcome by name then the request", w)
	}
	snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
	if got := addressesOf(snap, "C-1"); !slices.Equal(got, []string{hidden}) {
		t.Errorf("C-1 addresses %v", got)
	}
	tickets := snap["tickets"].([]any)
	if len(tickets) != 1 {
		t.Fatalf("tickets %v, want one", tickets)
	}
	tk := tickets[0].(map[string]any)
	if tk["customer_id"] != "C-1" || tk["contract_id"] != "K-1" || tk["phone"] != hidden {
		t.Errorf("ticket %v, want C-1's on K-1 from the hidden address", tk)
	}
	foundK1 := false
	for _, c := range snap["contracts"].([]any) {
		if c := c.(map[string]any); c["id"] == "K-1" {
			foundK1 = true
			if c["usage"].(map[string]any)["requests"] != 1.0 {
				t.Errorf("K-1 usage %v, want the request counted", c["usage"])
			}
		}
	}
	if !foundK1 {
		t.Error("K-1 is not in the export")
	}
	// A re-import keeps the link.
	r.play(`{"at":"2026-11-25T13:00:00+03:30"}`)
	if got := addressesOf(export(t, r.db, "2026-11-25T13:00:00+03:30"), "C-1"); !slices.Equal(got, []string{hidden}) {
		t.Errorf("after a re-import C-1 addresses %v", got)
	}
}

func TestHiddenSenderLinkedExplicitlyAndForce(t *testing.T) {
	r := newReplayRun(t)
	out := r.play(
		`{"at":"2026-11-25T10:00:00+03:30","whatsapp":"`+hidden+`","text":"سلام"}`,
		`{"at":"2026-11-25T10:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link LID:۵۵۵۰۰۰۱ C-1"}`,
		`{"at":"2026-11-25T10:06:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link `+hidden+` C-2"}`,
	)
	staff := linesTo(out, "telegram:staff")
	if len(staff) != 3 || !strings.Contains(staff[2], "force") {
		t.Fatalf("staff lines %q, want the card, the link and a refusal naming force", staff)
	}
	if got := addressesOf(export(t, r.db, "2026-11-25T12:00:00+03:30"), "C-1"); !slices.Equal(got, []string{hidden}) {
		t.Errorf("C-1 addresses %v after a refused move", got)
	}
	r.play(`{"at":"2026-11-25T10:07:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link ` + hidden + ` C-2 force"}`)
	snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
	if got := addressesOf(snap, "C-2"); !slices.Equal(got, []string{hidden}) || len(addressesOf(snap, "C-1")) != 0 {
		t.Errorf("after force: C-2 %v, C-1 %v", got, addressesOf(snap, "C-1"))
	}
}

// A reveal of the customer's own number joins: writing by number and then
// by the hidden address is one conversation.
func TestRevealThatJoinsMakesOneConversation(t *testing.T) {
	r := newReplayRun(t)
	r.play(
		`{"at":"2026-11-25T10:00:00+03:30","whatsapp":"`+hidden+`","text":"سلام"}`,
		`{"at":"2026-11-25T10:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link `+hidden+` C-1"}`,
	)
	out := r.play(
		`{"at":"2026-11-25T10:10:00+03:30","whatsapp":"`+hidden+`","reveals":"09121230001"}`,
		`{"at":"2026-11-25T10:11:00+03:30","whatsapp":"09121230001","text":"سلام"}`,
		`{"at":"2026-11-25T10:11:10+03:30","whatsapp":"`+hidden+`","text":"۱"}`,
		`{"at":"2026-11-25T10:11:20+03:30","whatsapp":"09121230001","text":"2"}`,
		`{"at":"2026-11-25T10:11:30+03:30","whatsapp":"`+hidden+`","text":"خروجی اکسل کجاست؟"}`,
	)
	if s := linesTo(out, "telegram:staff"); len(s) != 1 || !strings.Contains(s[0], "خروجی اکسل") {
		t.Errorf("staff lines %q, want only the new ticket's card (a join is not news)", s)
	}
	snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
	if tickets := snap["tickets"].([]any); len(tickets) != 1 || tickets[0].(map[string]any)["customer_id"] != "C-1" {
		t.Errorf("tickets %v, want one C-1 ticket opened across both addresses", tickets)
	}
}

// A reveal of another customer's number merges nothing and tells staff once.
func TestRevealThatConflictsIsToldNotMerged(t *testing.T) {
	r := newReplayRun(t)
	r.play(
		`{"at":"2026-11-25T10:00:00+03:30","whatsapp":"`+hidden+`","text":"سلام"}`,
		`{"at":"2026-11-25T10:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link `+hidden+` C-1"}`,
	)
	out := r.play(
		`{"at":"2026-11-25T10:10:00+03:30","whatsapp":"`+hidden+`","reveals":"989121230003"}`,
		`{"at":"2026-11-25T10:20:00+03:30","whatsapp":"`+hidden+`","reveals":"989121230003"}`,
		`{"at":"2026-11-25T10:21:00+03:30","whatsapp":"`+hidden+`","text":"سلام"}`,
	)
	staff := linesTo(out, "telegram:staff")
	if len(staff) != 1 || !strings.Contains(staff[0], "شرکت یک") || !strings.Contains(staff[0], "شرکت سه") || !strings.Contains(staff[0], hidden) {
		t.Fatalf("staff lines %q, want one notice naming both customers and the address", staff)
	}
	if w := linesTo(out, "whatsapp:"+hidden); len(w) != 1 {
		t.Errorf("replies to the hidden address %q, want it answered as before", w)
	}
	snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
	if !slices.Equal(addressesOf(snap, "C-1"), []string{hidden}) || len(addressesOf(snap, "C-3")) != 0 {
		t.Errorf("addresses C-1 %v C-3 %v, want nothing merged", addressesOf(snap, "C-1"), addressesOf(snap, "C-3"))
	}
}

// linkHidden links the hidden address to C-1 by the explicit form, with no
// number revealed, and returns the run.
func linkedHidden(t *testing.T) *replayRun {
	r := newReplayRun(t)
	r.play(
		`{"at":"2026-11-25T09:00:00+03:30","whatsapp":"`+hidden+`","text":"سلام"}`,
		`{"at":"2026-11-25T09:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link `+hidden+` C-1"}`,
	)
	return r
}

// A customer whose chat WhatsApp moves between the number and a linked
// hidden address (not revealed) mid-way through a request goes on with the
// same request: one session, one ticket, each reply to the address the
// message came from, and the open ticket is the same for both afterwards.
func TestNumberAndHiddenAddressMidFlowAreOneConversation(t *testing.T) {
	const number = "09121230001"
	for _, tc := range []struct {
		name          string
		first, second string // who starts, who goes on
	}{
		{"number then hidden address", number, hidden},
		{"hidden address then number", hidden, number},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := linkedHidden(t)
			msg := func(at, from, text string) string {
				return `{"at":"2026-11-25T` + at + `+03:30","whatsapp":"` + from + `","text":"` + text + `"}`
			}
			out := r.play(
				msg("10:00:00", tc.first, "سلام"),
				msg("10:00:10", tc.second, "۱"),
				msg("10:00:20", tc.first, "2"),
				msg("10:00:30", tc.second, "خروجی اکسل کجاست؟"),
			)
			wa := func(addr string) string {
				if addr == number {
					return "whatsapp:+989121230001"
				}
				return "whatsapp:" + addr
			}
			first, second := linesTo(out, wa(tc.first)), linesTo(out, wa(tc.second))
			if len(first) != 2 || len(second) != 2 {
				t.Fatalf("replies %d to %s and %d to %s, want each message answered where it came from:\n%v",
					len(first), tc.first, len(second), tc.second, out)
			}
			if s := linesTo(out, "telegram:staff"); len(s) != 1 || !strings.Contains(s[0], "خروجی اکسل") {
				t.Errorf("staff lines %q, want only the new ticket's card", s)
			}
			if !strings.Contains(second[1], "۱") {
				t.Errorf("last reply %q, want the ticket number", second[1])
			}
			snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
			tickets := snap["tickets"].([]any)
			if len(tickets) != 1 {
				t.Fatalf("tickets %v, want one request across both addresses", tickets)
			}
			tk := tickets[0].(map[string]any)
			if tk["customer_id"] != "C-1" || tk["kind"] != "question" || "whatsapp:"+tk["phone"].(string) != wa(tc.second) {
				t.Errorf("ticket %v, want C-1's question (the kind chosen by the other address) from %s", tk, tc.second)
			}
			// One ticket list: either address's free text is a follow-up on it.
			out = r.play(msg("10:05:00", tc.first, "فایل را هم می‌فرستم"))
			if s := linesTo(out, "telegram:staff"); len(s) != 1 || !strings.Contains(s[0], "فایل را هم") {
				t.Errorf("staff lines %q, want the follow-up relayed", s)
			}
			if n := len(export(t, r.db, "2026-11-25T12:00:00+03:30")["tickets"].([]any)); n != 1 {
				t.Errorf("%d tickets after a follow-up, want 1", n)
			}
		})
	}
}

// Re-importing contracts in which the customer's numbers changed keeps the
// hidden address linked: it is still the customer's contact.
func TestReimportKeepsTheHiddenAddressLinked(t *testing.T) {
	r := linkedHidden(t)
	r.cs = writeFile(t, "contracts2.csv", strings.Replace(goodCSV, "09121230001;+98 912 123 0009", "09121230077", 1))
	out := r.play(`{"at":"2026-11-25T10:00:00+03:30","whatsapp":"` + hidden + `","text":"سلام"}`)
	if s := linesTo(out, "telegram:staff"); len(s) != 0 {
		t.Errorf("staff lines %q after a re-import, want none (no unknown-contact card)", s)
	}
	if w := linesTo(out, "whatsapp:"+hidden); len(w) != 1 || !strings.Contains(w[0], "شرکت یک") {
		t.Errorf("reply %q, want C-1 greeted by name", w)
	}
	snap := export(t, r.db, "2026-11-25T12:00:00+03:30")
	if got := addressesOf(snap, "C-1"); !slices.Equal(got, []string{hidden}) {
		t.Errorf("C-1 addresses %v after a re-import", got)
	}
	if phones := customerOf(snap, "C-1")["phones"]; fmt.Sprint(phones) != "[+989121230077]" {
		t.Errorf("C-1 phones %v, want the re-imported list", phones)
	}
}

// A linked hidden address counts against its customer's quota together
// with the customer's numbers: bronze allows 5 requests a month, the
// number opens 5, the hidden address's sixth is refused with the reason.
func TestHiddenAddressSharesTheCustomersQuota(t *testing.T) {
	r := newReplayRun(t)
	const number = "09151230002" // C-2, bronze
	lines := []string{
		`{"at":"2026-11-25T09:00:00+03:30","whatsapp":"` + hidden + `","text":"سلام"}`,
		`{"at":"2026-11-25T09:05:00+03:30","telegram":{"chat":"staff","user":1002,"name":"Reza"},"text":"/link ` + hidden + ` C-2"}`,
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("IRST", 12600))
	msg := func(from, text string) string {
		at = at.Add(time.Minute)
		return `{"at":"` + at.Format(time.RFC3339) + `","whatsapp":"` + from + `","text":"` + text + `"}`
	}
	for i := range 5 {
		lines = append(lines, msg(number, "0"), msg(number, "1"), msg(number, "2"), msg(number, fmt.Sprintf("پرسش شماره %d درباره گزارش", i+1)))
	}
	lines = append(lines, msg(hidden, "0"), msg(hidden, "1")) // a new request
	out := r.play(lines...)
	snap := export(t, r.db, "2026-11-25T23:00:00+03:30")
	if n := len(snap["tickets"].([]any)); n != 5 {
		t.Errorf("%d tickets, want the 5 of bronze's month", n)
	}
	w := linesTo(out, "whatsapp:"+hidden)
	if len(w) == 0 || !strings.Contains(w[len(w)-1], "ماهانه ۵ درخواست") {
		t.Fatalf("the hidden address's request was not refused by C-2's monthly quota: %q", w)
	}
	denials, _ := snap["denials"].([]any) // the unknown contact's, then the quota's
	if d := denials[len(denials)-1].(map[string]any); d["phone"] != hidden || d["customer_id"] != "C-2" || d["reason"] != "month_quota" {
		t.Errorf("last denial %v, want C-2's month quota for the hidden address", d)
	}
}
