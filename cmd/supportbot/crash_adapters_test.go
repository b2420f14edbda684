package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot/telegram/telegramtest"
	"supportbot/bot/whatsapp"
	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// The adapters' crash test: the whole `supportbot run` (the real Telegram
// adapter against the fake Bot API, the real WhatsApp adapter behind a
// real whatsmeow client, the dispatcher and the scheduler) in a child
// process, killed with SIGKILL at random moments and restarted on the same
// files, then stopped as SIGTERM stops it.
//
//   - WhatsApp: the child plays WhatsApp's server through whatsapptest.Wire:
//     each customer's messages, in order, each through whatsmeow's
//     decrypted-event buffer in the session file (a ciphertext decrypts
//     once), and a message counts as received by WhatsApp's server (its
//     receipt, wa-acks.log) only once the handler returned true. After a
//     restart the unreceipted messages are delivered again, the way the
//     server does; one the buffer cannot serve would be lost (wa-lost.log).
//     Sends go to a fake client that writes each (chat, id, text) to
//     wa-sent.log before it answers; a phone shows an id once.
//   - Telegram: the fake Bot API lives in the test process, so it survives
//     the kills: it hands out every update the bot has not confirmed by a
//     later offset again. The test answers each ticket card as staff do: a
//     reply to the card, then the card's close button.
//
// Then every customer's chat, per chat and in order, is what one
// uninterrupted run produces (the same child, not killed); each staff
// update acted on once; every outbox message sent.

const (
	envAdaptersDir      = "SUPPORTBOT_CRASH_ADAPTERS_DIR"
	envAdaptersEndpoint = "SUPPORTBOT_CRASH_ADAPTERS_API"
)

// adapterScript is what every customer writes, one reply each: the menu's
// pages, then a request whose description is a screenshot with a caption
// that names the customer (downloaded before the message is handled).
var adapterScript = []string{"سلام", "2", "0", "3", "0", "1", "1", "1", "DESC"}

// adapterNames are the customers' names, one word each, so a card names
// exactly one.
var adapterNames = []string{"آلفا", "بتا", "گاما", "دلتا", "اپسیلون", "زتا", "اتا", "تتا"}

func adapterCustomers() int {
	if testing.Short() {
		return 3
	}
	return 6
}

// adapterText is step s of customer i's script.
func adapterText(i, s int) string {
	if adapterScript[s] == "DESC" {
		return "برنامه مشتری " + adapterNames[i] + " هنگام ورود خطا می‌دهد"
	}
	return adapterScript[s]
}

func adapterUser(i int) string { return fmt.Sprintf("98912555%04d", i+1) }

// adapterShot is customer i's screenshot, on WhatsApp's media server.
func adapterShot(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("PNG screenshot of customer %d; ", i+1)), 2000)
}

func TestCrashAdapters(t *testing.T) {
	if os.Getenv(envAdaptersDir) != "" || os.Getenv(envCrashDir) != "" {
		t.Skip("inside a worker")
	}
	kills := 3
	if testing.Short() {
		kills = 2
	}
	ref := adapterRun(t, 1, 0)
	got := adapterRun(t, adapterCustomers(), kills)

	for i := range adapterCustomers() {
		chat := got.chats[adapterUser(i)]
		if !slices.Equal(chat, ref.chats[adapterUser(0)]) {
			t.Errorf("customer %d's chat differs from an uninterrupted run's:\n%s", i+1, firstDifference(chat, ref.chats[adapterUser(0)]))
		}
	}
	if len(got.lost) > 0 {
		t.Errorf("WhatsApp messages lost (the buffer could not serve a redelivery): %v", got.lost)
	}
	if got.cards != adapterCustomers() {
		t.Errorf("%d distinct cards, want one per customer", got.cards)
	}
	if got.tgAgain > kills {
		t.Errorf("%d cards sent twice after %d kills (at most the one in flight at each)", got.tgAgain, kills)
	}
	t.Logf("%d kills: %d Telegram updates handed out again, %d WhatsApp messages delivered again (%d of them already handled: acknowledged without a second dispatch), %d cards sent again, %d staff replies to a copy the bot had not recorded (refused with a word, given again)",
		kills, got.updatesAgain, got.waAgain, got.repeated, got.tgAgain, got.refused)
}

// adapterResult is what a run of the adapters' workload left.
type adapterResult struct {
	chats        map[string][]string // by WhatsApp user: the texts shown, in order, through sameText
	lost         []string
	cards        int
	updatesAgain int // updates handed out again by the fake Bot API
	waAgain      int // messages WhatsApp's server delivered again
	repeated     int // of which whatsmeow had seen handled (no dispatch)
	tgAgain      int // cards sent twice (in flight at a kill)
	refused      int // staff replies to a copy of a card the bot had no record of
}

// adapterRun runs the workload for n customers with kills kills, then to
// the end, and reads what it left.
func adapterRun(t *testing.T, n, kills int) adapterResult {
	t.Helper()
	srv := telegramtest.NewServer(t, e2eToken)
	dir := t.TempDir()
	db := filepath.Join(dir, "bot.db")
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
whatsapp:
  enabled: true
  session_db: %q
  media_dir: %q
  min_send_gap: 1ms
  max_send_gap: 2ms
limits:
  messages_per_minute: 0
`, srv.Endpoint(), e2eStaffChat, filepath.Join(dir, "wa-session.db"), filepath.Join(dir, "media"))), 0o600); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff\n")
	for i := range n {
		fmt.Fprintf(&csv, "C-%d,شرکت %s,تهران,+%s,K-%d,product,gold,ماژول فروش,1405/01/10,1405/01/20,1405/01/25,,\n", i+1, adapterNames[i], adapterUser(i), i+1)
	}
	mustRun(t, "import", "-config", cfg, "-db", db, writeFile(t, "contracts.csv", csv.String()))
	if err := os.WriteFile(filepath.Join(dir, "customers"), []byte(strconv.Itoa(n)), 0o600); err != nil {
		t.Fatal(err)
	}

	// Staff: each card is answered by a reply, and closed by its button
	// once the answer reached the customer. A reply to a copy of a card
	// the bot has no record of (sent twice around a kill) is refused with
	// a word, and then given again to the latest copy, as a person would.
	stopStaff := make(chan struct{})
	staffDone := make(chan struct{})
	var closedMu sync.Mutex
	closed := 0
	closedN := func() int {
		closedMu.Lock()
		defer closedMu.Unlock()
		return closed
	}
	go func() {
		defer close(staffDone)
		group := telegramtest.Group(e2eStaffChat, "Support")
		sara := telegramtest.Person(1001, "Sara")
		type card struct {
			user       string
			replied    int // the copy replied to
			refusedAt  int // refusals seen when replying
			closedDone bool
		}
		cards := map[string]*card{} // by close button data
		for {
			newest := map[string]telegramtest.Sent{}
			refusals := 0
			for _, m := range srv.SentTo(e2eStaffChat) {
				if m.Method != "sendMessage" && m.Method != "sendPhoto" {
					continue
				}
				if d := closeButton(m.Markup); d != "" {
					newest[d] = m
				}
				if strings.Contains(m.Text, unknownReplyMark) {
					refusals++
				}
			}
			relayed, _ := os.ReadFile(filepath.Join(dir, "wa-sent.log"))
			for d, m := range newest {
				c := cards[d]
				switch {
				case c == nil:
					c = &card{user: cardUser(m.Text, n)}
					cards[d] = c
					fallthrough
				case !c.closedDone && c.replied != m.MessageID && refusals > c.refusedAt:
					srv.Push(telegramtest.Reply(group, sara, staffAnswer, m.MessageID, telegramtest.BotUser))
					c.replied, c.refusedAt = m.MessageID, refusals
				case !c.closedDone && relayedTo(relayed, c.user, staffAnswer):
					srv.Push(telegramtest.Button(group, sara, m.MessageID, d))
					c.closedDone = true
					closedMu.Lock()
					closed++
					closedMu.Unlock()
				}
			}
			select {
			case <-stopStaff:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(stopStaff)
			<-staffDone
		}
	}
	t.Cleanup(stop)

	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "run.log"))
			t.Logf("the workers' log (%d customers):\n%s", n, b)
		}
	})
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	for k := range kills {
		cmd, out := adapterWorker(t, dir, srv)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it at a random moment once it works: every other run while
		// customers' messages come in, the others while a staff update
		// waits for the bot to confirm it (or, when none comes, anyway).
		before := countLines(filepath.Join(dir, "wa-acks.log"))
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			working := countLines(filepath.Join(dir, "wa-acks.log")) > before
			if k%2 == 0 && working || k%2 == 1 && srv.Pending() > 0 {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("run %d (seed %d): %v, want killed\n%s", k+1, seed, err, out)
		}
	}

	// The last run goes on until every message is receipted, every card
	// answered and closed, and nothing has been sent for a while; then it
	// is stopped as SIGTERM stops it.
	cmd, out := adapterWorker(t, dir, srv)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	quiet := time.Now()
	last := -1
	finished := func() (bool, string) {
		sent := countLines(filepath.Join(dir, "wa-sent.log")) + len(srv.Sent())
		if sent != last {
			last, quiet = sent, time.Now()
		}
		acks, _ := readAcks(filepath.Join(dir, "wa-acks.log"))
		state := fmt.Sprintf("receipts %v, %d of %d cards closed, %d updates pending, quiet for %v",
			acks, closedN(), n, srv.Pending(), time.Since(quiet).Round(time.Millisecond))
		for i := range n {
			if a, ok := acks[adapterUser(i)]; !ok || a < len(adapterScript)-1 {
				return false, state
			}
		}
		return closedN() >= n && srv.Pending() == 0 && time.Since(quiet) > 1500*time.Millisecond, state
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		done, state := finished()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workload did not finish within 2 minutes: %s\n%s", state, dumpWorker(cmd, out))
		}
	}
	stop()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	return readAdapterRun(t, dir, srv, n)
}

// staffAnswer is what staff reply to every card.
const staffAnswer = "لطفاً نسخه برنامه را بفرمایید"

// unknownReplyMark is in the bot's refusal of a reply to a message it has
// no record of (desk.err.reply_unknown).
const unknownReplyMark = "در ربات ثبت نشده است"

func adapterUsers(n int) []string {
	var out []string
	for i := range n {
		out = append(out, adapterUser(i))
	}
	return out
}

// cardUser is the WhatsApp user whose request a card shows.
func cardUser(text string, n int) string {
	for i := range n {
		if strings.Contains(text, "مشتری "+adapterNames[i]+" ") {
			return adapterUser(i)
		}
	}
	return ""
}

// relayedTo reports whether the sent log holds text to user.
func relayedTo(log []byte, user, text string) bool {
	for _, line := range bytes.Split(log, []byte("\n")) {
		var s struct{ To, Text string }
		if json.Unmarshal(line, &s) == nil && s.To == user && strings.Contains(s.Text, text) {
			return true
		}
	}
	return false
}

// closeButton is the callback data of a card's close button.
func closeButton(m *tgbotapi.InlineKeyboardMarkup) string {
	if m == nil {
		return ""
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "close") {
				return *b.CallbackData
			}
		}
	}
	return ""
}

// adapterWorker is the child process on dir, talking to srv.
func adapterWorker(t *testing.T, dir string, srv *telegramtest.Server) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAdaptersWorker$", "-test.count=1")
	cmd.Env = append(os.Environ(), envAdaptersDir+"="+dir, envAdaptersEndpoint+"="+srv.Endpoint())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killOnCleanup(t, cmd)
	return cmd, &out
}

// dumpWorker stops a worker that is stuck with SIGQUIT, so that the Go
// runtime prints where each goroutine stands (or, when it had already
// ended, how), and returns the end of its output.
func dumpWorker(cmd *exec.Cmd, out *bytes.Buffer) string {
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	_ = cmd.Process.Signal(syscall.SIGQUIT)
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		err = <-exited
	}
	b := out.Bytes() // the process has ended: nothing writes to out any more
	const most = 64 << 10
	if len(b) > most {
		b = b[len(b)-most:]
	}
	return fmt.Sprintf("the worker (%v), the end of its output:\n%s", err, b)
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

// readAdapterRun reads the logs and the database a run left.
func readAdapterRun(t *testing.T, dir string, srv *telegramtest.Server, n int) adapterResult {
	t.Helper()
	r := adapterResult{chats: map[string][]string{}}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range allOutbox(t, db) {
		if m.Status != store.OutboxSent {
			t.Errorf("outbox %d to %s is %s, want sent", m.ID, m.To, m.Status)
		}
	}
	ts, err := db.ListTickets(ctx, store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != n {
		t.Errorf("%d tickets, want one per customer", len(ts))
	}
	for _, tk := range ts {
		if tk.Status != store.TicketClosed || tk.FirstResponseAt.IsZero() {
			t.Errorf("ticket %d is %s (answered %v), want answered and closed", tk.ID, tk.Status, !tk.FirstResponseAt.IsZero())
		}
		ms, err := db.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		staff := 0
		for _, m := range ms {
			if m.Direction == store.FromStaff {
				staff++
			}
		}
		// The description came with a screenshot: kept whole with the ticket.
		user := ""
		if len(ms) > 0 {
			user = cardUser(ms[0].Text, n)
		}
		switch i := slices.Index(adapterUsers(n), user); {
		case i < 0 || ms[0].File == nil:
			t.Errorf("ticket %d's first message %+v: want a customer's description with its screenshot", tk.ID, ms)
		default:
			if b, err := os.ReadFile(ms[0].File.Path); err != nil || !bytes.Equal(b, adapterShot(i)) {
				t.Errorf("ticket %d's file (%d bytes, %v) is not the screenshot customer %d sent", tk.ID, len(b), err, i+1)
			}
		}
		if staff != 1 {
			t.Errorf("ticket %d has %d staff answers, want the one reply", tk.ID, staff)
		}
	}

	// WhatsApp: what each phone shows, each id once.
	seen := map[string]bool{}
	names := map[string]string{}
	for i := range n {
		names[adapterUser(i)] = adapterNames[i]
	}
	for _, line := range readLines(t, filepath.Join(dir, "wa-sent.log")) {
		var s struct{ To, ID, Text string }
		if json.Unmarshal([]byte(line), &s) != nil {
			continue // torn by a kill: not answered, so sent again
		}
		s.Text = strings.ReplaceAll(s.Text, names[s.To], "NAME") // the one difference between customers
		if seen[s.To+"/"+s.ID] {
			continue
		}
		seen[s.To+"/"+s.ID] = true
		r.chats[s.To] = append(r.chats[s.To], sameText(s.Text))
	}
	r.lost = readLines(t, filepath.Join(dir, "wa-lost.log"))
	delivered := map[string]int{}
	for _, line := range readLines(t, filepath.Join(dir, "wa-delivered.log")) {
		if delivered[line]++; delivered[line] > 1 {
			r.waAgain++
		}
	}
	r.repeated = len(readLines(t, filepath.Join(dir, "wa-repeated.log")))

	// Telegram: one card per customer; updates handed out again.
	cards := map[string]int{}
	for _, m := range srv.SentTo(e2eStaffChat) {
		if d := closeButton(m.Markup); d != "" && (m.Method == "sendMessage" || m.Method == "sendPhoto") {
			cards[d]++
		}
	}
	r.cards = len(cards)
	for _, m := range srv.SentTo(e2eStaffChat) {
		if strings.Contains(m.Text, unknownReplyMark) {
			r.refused++
		}
	}
	for _, c := range cards {
		r.tgAgain += c - 1
	}
	r.updatesAgain = srv.HandedAgain()
	return r
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// TestCrashAdaptersWorker is the child process of TestCrashAdapters.
func TestCrashAdaptersWorker(t *testing.T) {
	dir := os.Getenv(envAdaptersDir)
	if dir == "" {
		t.Skip("only as the adapters' crash test's worker process")
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer cancel()
	b, err := os.ReadFile(filepath.Join(dir, "customers"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(string(b))
	wa, err := newCrashWhatsApp(dir, n)
	if err != nil {
		t.Fatal(err)
	}
	defer wa.close()
	logf, err := os.OpenFile(filepath.Join(dir, "run.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	runPace = outbox.DispatcherConfig{GroupInterval: -1, ChatInterval: -1, Overall: -1, PollInterval: 20 * time.Millisecond}
	env := &Env{Stdin: strings.NewReader(""), Stdout: logf, Stderr: logf, WhatsApp: wa.dial,
		Getenv: func(k string) string {
			if k == EnvTelegramToken {
				return e2eToken
			}
			return ""
		}}
	if err := runRun(ctx, env, []string{"-config", filepath.Join(dir, "config.yaml"), "-db", filepath.Join(dir, "bot.db")}); err != nil {
		t.Fatal(err)
	}
	wa.stop()
}

// crashWhatsApp is WhatsApp's side in the worker: a real whatsmeow client
// on the session file behind a Wire for what customers send, and a fake
// client that logs what the bot sends.
type crashWhatsApp struct {
	dir  string
	n    int
	wire *whatsapptest.Wire
	cli  *sentLog

	closeSession func() error
	deliver      sync.Mutex // one delivery at a time, as whatsmeow's receive loop
	mu           sync.Mutex
	handler      func(any) bool
	cancel       context.CancelFunc
	done         sync.WaitGroup
	logs         map[string]*os.File
}

func newCrashWhatsApp(dir string, n int) (*crashWhatsApp, error) {
	w := &crashWhatsApp{dir: dir, n: n, logs: map[string]*os.File{}}
	for _, name := range []string{"wa-acks.log", "wa-sent.log", "wa-lost.log", "wa-delivered.log", "wa-repeated.log"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		w.logs[name] = f
	}
	w.cli = &sentLog{Client: whatsapptest.NewClient(), f: w.logs["wa-sent.log"]}
	for i := range n {
		w.cli.AddMedia("/m/"+adapterUser(i), adapterShot(i))
	}
	return w, nil
}

// write appends one line to a log in one write call, so a kill cannot
// tear it.
func (w *crashWhatsApp) write(name, line string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.logs[name].WriteString(line + "\n"); err != nil {
		panic(err)
	}
}

func (w *crashWhatsApp) close() {
	for _, f := range w.logs {
		f.Close()
	}
}

// dial opens the session file with whatsapp.Dial (SynchronousAck and the
// decrypted-event buffer on), pairs it once as `supportbot pair` leaves
// it, and hands the bot a link whose events come through the wire.
func (w *crashWhatsApp) dial(ctx context.Context, sessionDB string, log *slog.Logger) (whatsapp.Link, func() error, error) {
	link, closeSession, err := whatsapp.Dial(ctx, sessionDB, log)
	if err != nil {
		return whatsapp.Link{}, nil, err
	}
	cli := link.Client.(*whatsmeow.Client)
	if cli.Store.ID == nil {
		id := types.NewADJID("989120000000", 0, 7)
		cli.Store.ID = &id
		cli.Store.PushName = "Company"
		cli.Store.Account = &waAdv.ADVSignedDeviceIdentity{
			Details: []byte{1}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
		if err := cli.Store.Save(ctx); err != nil {
			closeSession()
			return whatsapp.Link{}, nil, err
		}
	}
	w.wire = whatsapptest.NewWire(cli)
	w.closeSession = closeSession
	return whatsapp.Link{
		Client: w.cli,
		LIDs:   whatsapptest.LIDs{},
		Paired: true,
		Connect: func() error {
			w.cli.SetConnected(true)
			w.start()
			return nil
		},
		Disconnect: func() { w.cli.SetConnected(false) },
		Subscribe: func(h func(any) bool) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.handler = h
		},
	}, func() error { w.stop(); return closeSession() }, nil
}

// start plays WhatsApp's server: every customer's unreceipted messages,
// in order, each once the one before it was receipted.
func (w *crashWhatsApp) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	acked, err := readAcks(filepath.Join(w.dir, "wa-acks.log"))
	if err != nil {
		panic(err)
	}
	for i := range w.n {
		user := adapterUser(i)
		from := 0
		if a, ok := acked[user]; ok {
			from = a + 1
		}
		w.done.Go(func() { w.deliverFrom(ctx, i, from) })
	}
	go func() { w.handlerOf()(&events.Connected{}) }()
}

func (w *crashWhatsApp) handlerOf() func(any) bool {
	for {
		w.mu.Lock()
		h := w.handler
		w.mu.Unlock()
		if h != nil {
			return h
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *crashWhatsApp) stop() {
	w.mu.Lock()
	cancel := w.cancel
	w.mu.Unlock()
	if cancel != nil {
		cancel()
		w.done.Wait()
	}
}

func (w *crashWhatsApp) deliverFrom(ctx context.Context, i, from int) {
	h := w.handlerOf()
	rng := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
	user := adapterUser(i)
	for s := from; s < len(adapterScript); s++ {
		m := whatsapptest.Text(adapterText(i, s))
		if adapterScript[s] == "DESC" {
			m = whatsapptest.Image(adapterText(i, s), "image/png", "/m/"+user, len(adapterShot(i)))
		}
		evt := whatsapptest.Message(fmt.Sprintf("CR%02d%02d", i, s), whatsapptest.PN(user), time.Now(), m)
		for {
			if ctx.Err() != nil {
				return
			}
			w.write("wa-delivered.log", fmt.Sprintf("%s %d", user, s))
			w.deliver.Lock()
			out, err := w.wire.Deliver(ctx, evt, h)
			w.deliver.Unlock()
			if err == nil && out == whatsapptest.Repeated {
				w.write("wa-repeated.log", fmt.Sprintf("%s %d", user, s))
			}
			if err == nil && (out == whatsapptest.Handled || out == whatsapptest.Repeated) {
				w.write("wa-acks.log", fmt.Sprintf("%s %d", user, s)) // the receipt
				break
			}
			if err == nil && out == whatsapptest.Lost {
				w.write("wa-lost.log", fmt.Sprintf("%s %d", user, s))
				break
			}
			// Failed, or the session file busy: not receipted, so the
			// server delivers it again.
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
	}
}

// sentLog is the fake WhatsApp client whose sends are written to a log,
// one line each, before WhatsApp's answer: a line stands for a message
// the recipient's phone has.
type sentLog struct {
	*whatsapptest.Client
	mu sync.Mutex
	f  *os.File
}

func (c *sentLog) SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	resp, err := c.Client.SendMessage(ctx, to, m, extra...)
	if err != nil {
		return resp, err
	}
	line, _ := json.Marshal(struct{ To, ID, Text string }{to.User, resp.ID, m.GetConversation() + m.GetExtendedTextMessage().GetText()})
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.f.Write(append(line, '\n')); err != nil {
		return whatsmeow.SendResponse{}, err
	}
	return resp, nil
}
