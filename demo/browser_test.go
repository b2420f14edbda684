package demo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"supportbot/outbox"
)

// chromium finds a local Chromium or Chrome; "" when there is none.
func chromium() string {
	if p := os.Getenv("SUPPORTBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser drives the page in headless Chromium the way a person would:
// a customer opens a ticket, staff claim it and answer, the customer sees
// the answer, the clock runs a second ticket past its deadline and the
// managers see the alert, then the digest with its chart. It saves a
// screenshot of the three panes (SUPPORTBOT_DEMO_SCREENSHOT names the
// file; default in the temporary folder) and prints its path.
func TestBrowser(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("no chromium found (install it with: apt-get install -y chromium); the page is tested without a browser in the other tests")
	}
	d, srv := newDemo(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1500, 920),
		chromedp.Flag("lang", "fa"),
		// Chromium's start on a loaded machine can pass chromedp's default
		// 20 s for printing its address.
		chromedp.WSURLReadTimeout(2*time.Minute),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	// The first run starts the browser, which lives as long as the context
	// of that call: no timeout on it (the allocator bounds the start), one
	// on everything after.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	// A run takes 10-20 s on a quiet machine; each wait below has its own
	// 30 s bound, this one only stops a run that hangs.
	ctx, cancelTime := context.WithTimeout(browser, 5*time.Minute)
	defer cancelTime()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatalf("open the page: %v", err)
	}

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// eval reads a JavaScript value from the page.
	eval := func(expr string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return n
	}
	// until waits for a JavaScript condition on the page.
	until := func(expr string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second))(ctx, tg)
			if err != nil {
				err = fmt.Errorf("waiting for %s: %w", expr, err)
			}
			return chromedp.Void{}, err
		}
	}
	count := func(sel string) string {
		return fmt.Sprintf("document.querySelectorAll(%q).length", sel)
	}
	hasText := func(sel, text string) string {
		return fmt.Sprintf("[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))", sel, text)
	}
	// idle: no request of the page is under way. The page disables its
	// clock buttons while one is (a click on them is then lost), and the
	// bot's answers reach the page by the event stream, often before the
	// request that caused them has returned.
	idle := until(`!document.body.classList.contains("busy")`)
	customerSays := func(text string) {
		t.Helper()
		botMsgs := count("#customer-msgs .msg:not(.mine)")
		mine := count("#customer-msgs .msg.mine")
		before, sent := eval(botMsgs), eval(mine)
		// The message is on the page once the server took it; the page is
		// idle again once the bot has handled it. So the next message is
		// sent only after this one is handled: the bot may answer one
		// message with several, and a count of answers alone could let two
		// messages race to the server.
		step("customer writes "+text,
			idle,
			chromedp.SendKeys(chromedp.ID("customer-text"), text),
			chromedp.Click(chromedp.ID("customer-send")),
			until(fmt.Sprintf("%s > %d", mine, sent)),
			idle,
			until(fmt.Sprintf("%s > %d", botMsgs, before)),
		)
	}

	step("the page is ready",
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		until(hasText("#clock-label", "۸:۳۰")),
	)
	dir, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.dir`))
	if err != nil || dir != "rtl" {
		t.Errorf("page direction %q (%v), want rtl", dir, err)
	}

	for _, m := range []string{"سلام", "۱", "۱", "۳", "از صبح هنگام ورود خطای ۵۰۰ می‌گیریم"} {
		customerSays(m)
	}
	step("the card reaches the staff pane",
		until(hasText("#staff-msgs .msg.card", "تیکت شماره ۱")),
		until(hasText("#customer-msgs .msg", "شماره پیگیری: ۱")),
	)
	step("claim",
		chromedp.Click(chromedp.CSS(`#staff-msgs .msg.card button[data-callback="claim:1"]`)),
		until(hasText("#staff-msgs .msg:not(.card)", "Sara")),
	)
	step("the claim edits the card in place, naming Sara",
		until(hasText(`#staff-msgs .msg.card[data-outbox="6"] .chip`, "ویرایش‌شده")),
		until(`document.querySelector('#staff-msgs .msg.card[data-outbox="6"]').textContent.includes("مسئول: ⁨Sara⁩")`),
	)
	reply := "سلام، لطفاً نسخهٔ برنامه و مدل گوشی را بفرمایید."
	step("reply to the card",
		chromedp.Click(chromedp.CSS(`#staff-msgs .msg.card .reply-link`)),
		chromedp.WaitVisible(chromedp.ID("staff-replying")),
		chromedp.SendKeys(chromedp.ID("staff-text"), reply),
		chromedp.Click(chromedp.ID("staff-send")),
		until(hasText("#customer-msgs .msg:not(.mine)", "نسخهٔ برنامه و مدل گوشی")),
	)
	// A second ticket nobody answers runs past its deadline.
	for _, m := range []string{"۰", "۱", "۱", "۱", "گزارش فروش ماهانه باز نمی‌شود"} {
		customerSays(m)
	}
	step("the second card", until(hasText("#staff-msgs .msg.card", "تیکت شماره ۲")))
	for i := 0; eval(count("#manager-msgs .msg.alert")) == 0; i++ {
		if i == 4 {
			t.Fatal("no breach alert in the manager pane after four office days")
		}
		label, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("clock-label")))
		if err != nil {
			t.Fatal(err)
		}
		step("+1 office day",
			idle, // a click on a disabled button is lost
			chromedp.Click(chromedp.ID("clock-day")),
			until(fmt.Sprintf("document.getElementById('clock-label').textContent !== %q", label)),
		)
	}
	step("the breach alert names ticket 2",
		until(hasText("#manager-msgs .msg.alert", "دیرکرد پاسخ‌گویی")),
		until(hasText("#manager-msgs .msg.alert", "تیکت ۲")),
	)
	step("digest with its chart",
		chromedp.Click(chromedp.ID("manager-digest")),
		until(`[...document.querySelectorAll('#manager-msgs .msg img')].some(i => i.complete && i.naturalWidth > 0)`),
	)
	if eval(`[...document.fonts].some(f => f.family.includes('Vazirmatn') && f.status === 'loaded') ? 1 : 0`) != 1 {
		t.Error("the Vazirmatn font did not load")
	}

	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("SUPPORTBOT_DEMO_SCREENSHOT")
	if path == "" {
		path = filepath.Join(os.TempDir(), "supportbot-demo.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	fmt.Printf("demo screenshot: %s\n", abs)
	if !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("screenshot is not a PNG")
	}

	// Card edits and topics: the desk will mark an outbox row that edits an
	// earlier message, or belongs to a ticket's topic, with fields of its
	// own; the page reads any field named like edit…/thread…/topic… from
	// the row. An event shaped so (after the screenshot, which shows only
	// what the bot did) must replace card m6 in place and show the topic.
	d.hub.add(Event{Kind: KindOut, ID: "m999", Outbox: 999, Chat: string(outbox.StaffGroup), Ticket: 1, At: "۰۹:۰۰",
		Text: "تیکت شماره ۱ (ویرایش)", Message: map[string]any{"ID": 999, "EditOf": 6, "Thread": 1}})
	step("an edit replaces the card in place",
		until(`document.querySelector('#staff-msgs .msg[data-outbox="6"]').textContent.includes("(ویرایش)")`),
		until(hasText(`#staff-msgs .msg[data-outbox="6"] .chip`, "ویرایش‌شده")),
		until(hasText(`#staff-msgs .msg[data-outbox="6"] .chip.topic`, "۱")),
	)
	if n := eval(count(`#staff-msgs .msg[data-outbox="999"]`)); n != 0 {
		t.Errorf("the edit was added as a new message too (%d)", n)
	}

	// Another customer's chat, not the one shown, is marked in the picker
	// until it is picked.
	mustPost(t, srv, "/api/customer", CustomerInput{Phone: "09151110003", Text: "سلام"})
	marked := `[...document.querySelectorAll("#customer-pick option")].some(o => o.value === "+989151110003" && o.textContent.startsWith("●"))`
	step("news from another customer is marked", until(marked))
	step("picking them shows their chat",
		chromedp.SetValue(chromedp.ID("customer-pick"), "+989151110003"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("customer-pick").dispatchEvent(new Event("change"))`),
		until("!("+marked+")"),
		until(`[...document.querySelectorAll("#customer-msgs .msg:not([hidden])")].some(e => e.textContent.includes("بازرگانی نیکان"))`),
	)
}
