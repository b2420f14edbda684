// Package demo serves `supportbot demo`: the real bot on a temporary
// database, with a web page in place of WhatsApp and Telegram. The page is
// one more transport: what the bot sends reaches it through the outbox
// dispatcher like any other Sender, and what is typed on it enters through
// the engine's own entry points, driven by the replay machinery with a
// clock the page moves (docs/demo.md).
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"supportbot/bot"
	"supportbot/bot/replay"
	"supportbot/jobs"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Person is a Telegram user the page can act as.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Config is what the demo runs on. Engine and Scheduler are wired as for
// `run` and `replay`; the store behind Engine already holds the contracts.
type Config struct {
	Engine    *bot.Engine
	Scheduler *jobs.Scheduler
	Printer   *locales.Printer // UI text, times and digits, in the bot's language
	Calendar  *rules.Calendar  // office hours, for the clock buttons
	Staff     []Person         // members of the staff group
	Managers  []Person         // managers (their ids must be the desk's managers)
	MediaDir  string           // where files sent from the page are kept
	// Start is where the clock starts; zero means the next office opening
	// after the wall clock.
	Start time.Time
	Log   *slog.Logger
}

// UnknownPhone is the number the page writes from as "an unknown number":
// it belongs to no shipped customer.
const UnknownPhone = "+989300000000"

// Demo is a running demo: the bot, its clock and what the page has seen.
type Demo struct {
	cfg    Config
	replay *replay.Player
	disp   *outbox.Dispatcher
	hub    *hub

	mu  sync.Mutex // one step (clock move, inbound message) at a time
	now time.Time  // the demo clock; the dispatcher's Now
	seq int        // inbound message ids

	fmu   sync.Mutex
	files map[string]string // file key ("in/demo-3", "out/12") to its path
}

// New wires the page transport to the bot and sets the clock at its start,
// firing nothing before it.
func New(ctx context.Context, cfg Config) (*Demo, error) {
	if cfg.Engine == nil || cfg.Scheduler == nil || cfg.Printer == nil || cfg.Calendar == nil {
		return nil, errors.New("demo: engine, scheduler, printer and calendar are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := os.MkdirAll(cfg.MediaDir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: media folder: %w", err)
	}
	d := &Demo{cfg: cfg, hub: newHub(), files: map[string]string{}}
	d.disp = outbox.NewDispatcher(cfg.Engine.Store(), outbox.DispatcherConfig{
		// The page takes everything at once: no pacing, and time is the
		// demo clock, so a message is due exactly when replay says it is.
		GroupInterval: -1,
		ChatInterval:  -1,
		Overall:       -1,
		Now:           d.clock,
		Log:           cfg.Log,
	})
	page := &pageSender{d: d}
	d.disp.Register(bot.TransportWhatsApp, page)
	d.disp.Register(bot.TransportTelegram, page)
	d.replay = &replay.Player{
		Engine:    cfg.Engine,
		Scheduler: cfg.Scheduler,
		Loc:       cfg.Printer.Location(),
		Deliver:   func(ctx context.Context, _ time.Time) error { return d.disp.Flush(ctx) },
	}
	start := cfg.Start
	if start.IsZero() {
		start = nextOpening(cfg.Calendar, time.Now())
	}
	if start.IsZero() {
		return nil, errors.New("demo: the calendar has no office opening within three years")
	}
	if err := d.step(ctx, replay.Event{At: start}); err != nil {
		return nil, err
	}
	return d, nil
}

// clock is the demo's time.
func (d *Demo) clock() time.Time { return d.now }

// Now is the demo clock.
func (d *Demo) Now() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

// step plays one event exactly as replay does: the clock moves to its
// time, firing every job due on the way, then the event is handled, and
// the outbox is delivered to the page after each.
func (d *Demo) step(ctx context.Context, ev replay.Event) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stepLocked(ctx, ev)
}

func (d *Demo) stepLocked(ctx context.Context, ev replay.Event) error {
	if ev.At.Before(d.now) {
		ev.At = d.now
	}
	d.now = ev.At
	if err := d.replay.Run(ctx, []replay.Event{ev}); err != nil {
		return err
	}
	if ev.ClockOnly() {
		d.hub.add(Event{Kind: KindClock, Clock: d.clockView()})
	}
	return nil
}

// Move is a clock button.
type Move string

// The clock buttons.
const (
	MoveHour     Move = "hour"      // one hour later
	MoveOpening  Move = "opening"   // the next office opening
	MoveDay      Move = "day"       // one office day of SLA time later
	MoveMonthEnd Move = "month_end" // the start of the next Jalali month
)

// MoveClock moves the clock as the button says, firing every job due on
// the way in time order.
func (d *Demo) MoveClock(ctx context.Context, m Move) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	cal := d.cfg.Calendar
	now := d.now.In(cal.Loc)
	var to time.Time
	switch m {
	case MoveHour:
		to = now.Add(time.Hour)
	case MoveOpening:
		to = nextOpening(cal, now)
	case MoveDay:
		to = cal.AddOfficeTime(now, cal.OfficeDayLength())
	case MoveMonthEnd:
		to = rules.JalaliMonthEnd(now)
	default:
		return &InputError{Field: "move", Reason: fmt.Sprintf("%q is not hour, opening, day or month_end", m)}
	}
	if to.IsZero() || !to.After(now) {
		return &InputError{Field: "move", Reason: "the calendar has no office time ahead"}
	}
	return d.stepLocked(ctx, replay.Event{At: to})
}

// nextOpening is the first office opening strictly after t: when the office
// is open at t, the opening after it closes.
func nextOpening(cal *rules.Calendar, t time.Time) time.Time {
	const step = 5 * time.Minute
	t = t.In(cal.Loc).Truncate(time.Minute)
	for i := 0; cal.IsOfficeOpen(t) && i < 24*12; i++ {
		t = t.Add(step)
	}
	return cal.NextOfficeOpening(t)
}

// InputError is a bad request from the page: it names the field and
// changes nothing.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

// CustomerInput is what the customer pane sends.
type CustomerInput struct {
	Phone  string `json:"phone"`  // any spelling rules.ParsePhone takes
	Text   string `json:"text"`   // may be empty with a sample
	Sample string `json:"sample"` // "", "photo" or "voice"
}

// Customer hands a message from the customer pane to the engine, as the
// WhatsApp transport would, at the demo clock.
func (d *Demo) Customer(ctx context.Context, in CustomerInput) error {
	phone, err := rules.ParsePhone(in.Phone)
	if err != nil {
		return &InputError{Field: "phone", Reason: err.Error()}
	}
	if strings.TrimSpace(in.Text) == "" && in.Sample == "" {
		return &InputError{Field: "text", Reason: "a message needs text or a sample file"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	id := "demo-" + strconv.Itoa(d.seq)
	var file *store.File
	if in.Sample != "" {
		if file, err = d.sampleFile(in.Sample, id); err != nil {
			return err
		}
	}
	d.hub.add(Event{Kind: KindIn, ID: id, Chat: string(outbox.WhatsApp(phone)), At: d.cfg.Printer.Time(d.now),
		Text: in.Text, File: d.fileView(file, "in/"+id)})
	return d.stepLocked(ctx, replay.Event{At: d.now, ID: id, Phone: phone, Text: in.Text, File: file})
}

// StaffInput is what the staff and manager panes send: a message, a reply
// to a bot message, a command or a button press.
type StaffInput struct {
	Chat     string `json:"chat"` // staff, managers or private
	User     int64  `json:"user"`
	Text     string `json:"text"`
	ReplyTo  int64  `json:"reply_to"` // outbox id of the bot message replied to
	Callback string `json:"callback"` // a button's data
}

// Staff hands a Telegram message or button press from the page to the
// engine, as the Telegram transport would, at the demo clock.
func (d *Demo) Staff(ctx context.Context, in StaffInput) error {
	switch in.Chat {
	case bot.ChatStaff, bot.ChatManagers, bot.ChatPrivate:
	default:
		return &InputError{Field: "chat", Reason: fmt.Sprintf("%q is not staff, managers or private", in.Chat)}
	}
	who, ok := d.person(in.User)
	if !ok {
		return &InputError{Field: "user", Reason: fmt.Sprintf("%d is not a demo staff member or manager", in.User)}
	}
	if strings.TrimSpace(in.Text) == "" && in.Callback == "" {
		return &InputError{Field: "text", Reason: "a message needs text or a button"}
	}
	if len(in.Callback) > 64 {
		return &InputError{Field: "callback", Reason: "must be at most 64 bytes"}
	}
	if in.ReplyTo < 0 {
		return &InputError{Field: "reply_to", Reason: "must be an outbox id"}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	id := "demo-" + strconv.Itoa(d.seq)
	chat := outbox.StaffGroup
	switch in.Chat {
	case bot.ChatManagers:
		chat = outbox.ManagersGroup
	case bot.ChatPrivate:
		chat = outbox.TelegramUser(in.User)
	}
	ev := Event{Kind: KindIn, ID: id, Chat: string(chat), From: who.Name, At: d.cfg.Printer.Time(d.now), Text: in.Text, ReplyTo: in.ReplyTo}
	if in.Callback != "" {
		ev.Button = bot.ButtonLabel(d.cfg.Printer, in.Callback)
	}
	d.hub.add(ev)
	return d.stepLocked(ctx, replay.Event{
		At: d.now, ID: id, Text: in.Text, ReplyTo: in.ReplyTo, Callback: in.Callback,
		Telegram: &replay.Telegram{Chat: in.Chat, User: in.User, Name: who.Name},
	})
}

func (d *Demo) person(id int64) (Person, bool) {
	for _, p := range append(append([]Person{}, d.cfg.Staff...), d.cfg.Managers...) {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}

// sampleFile copies a shipped sample into the media folder, as the
// WhatsApp transport keeps a customer's download, and describes it.
func (d *Demo) sampleFile(name, msgID string) (*store.File, error) {
	s, ok := samples[name]
	if !ok {
		return nil, &InputError{Field: "sample", Reason: fmt.Sprintf("%q is not photo or voice", name)}
	}
	data, err := webFS.ReadFile("web/" + s.asset)
	if err != nil {
		return nil, fmt.Errorf("demo: sample %s: %w", name, err)
	}
	path := filepath.Join(d.cfg.MediaDir, msgID+"-"+outbox.SafeFileName(s.name))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("demo: keep sample: %w", err)
	}
	return &store.File{Kind: store.FileKind(s.kind), Name: s.name, MIME: s.mime, Bytes: int64(len(data)), Path: path}, nil
}

type sample struct{ asset, kind, name, mime string }

// samples are the files the customer pane can send.
var samples = map[string]sample{
	"photo": {"samples/login-error.png", "image", "login-error.png", "image/png"},
	"voice": {"samples/voice-note.wav", "voice", "voice-note.wav", "audio/wav"},
}

// pageSender is the page as a transport: it takes each outbox message the
// dispatcher hands it, shows it in the pane of its address, and returns an
// id as a transport would ("m" and the outbox id, as replay names them).
type pageSender struct{ d *Demo }

func (s *pageSender) Send(_ context.Context, m store.OutboxMessage) (string, error) {
	d := s.d
	ev := Event{
		Kind:    KindOut,
		ID:      "m" + strconv.FormatInt(m.ID, 10),
		Outbox:  m.ID,
		Chat:    m.To,
		At:      d.cfg.Printer.Time(m.CreatedAt),
		Ticket:  m.TicketID,
		Text:    outbox.PlainMentions(m.Text), // the desk's mention tokens show as names
		ReplyTo: m.ReplyTo,
		File:    d.fileView(m.File, "out/"+strconv.FormatInt(m.ID, 10)),
		Message: m,
	}
	m.Text = ev.Text
	ev.Message = m
	for _, b := range m.Buttons {
		ev.Buttons = append(ev.Buttons, Button{Label: bot.ButtonLabel(d.cfg.Printer, b), Data: outbox.CallbackData(b, m.TicketID)})
	}
	d.hub.add(ev)
	return ev.ID, nil
}
