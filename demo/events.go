package demo

import (
	"context"
	"sync"

	"supportbot/store"
)

// Event kinds.
const (
	KindIn    = "in"    // typed on the page
	KindOut   = "out"   // sent by the bot
	KindClock = "clock" // the clock moved
)

// Event is one thing the panes show, in the order it happened. The page
// picks the pane by Chat: whatsapp:… is the customer pane, telegram:staff
// (and staff members' private chats) the staff pane, telegram:managers
// (and managers' private chats) the manager pane.
type Event struct {
	Seq     int64     `json:"seq"`
	Kind    string    `json:"kind"`
	ID      string    `json:"id,omitempty"`     // "m12" for bot messages, as replay names them
	Outbox  int64     `json:"outbox,omitempty"` // the bot message's outbox id, to reply to it
	Chat    string    `json:"chat,omitempty"`   // the outbox address
	From    string    `json:"from,omitempty"`   // who typed it, for staff input
	At      string    `json:"at,omitempty"`     // clock time, in the bot's digits
	Ticket  int64     `json:"ticket,omitempty"`
	Text    string    `json:"text,omitempty"`
	Buttons []Button  `json:"buttons,omitempty"`
	Button  string    `json:"button,omitempty"`   // the label of a pressed button
	ReplyTo int64     `json:"reply_to,omitempty"` // outbox id this replies to or threads under
	File    *FileView `json:"file,omitempty"`
	Clock   *Clock    `json:"clock,omitempty"`
	// Message is the outbox row as the bot stored it, every field, so
	// what the desk adds later (card edits, topics) reaches the page,
	// which shows such fields generically.
	Message any `json:"message,omitempty"`
}

// Button is an inline button: its label and the callback data a press sends.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// FileView is a file as the page shows it.
type FileView struct {
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Size  string `json:"size"`
	MIME  string `json:"mime,omitempty"`
	URL   string `json:"url,omitempty"` // empty when only described
	Bytes int64  `json:"bytes"`
}

// Clock is the demo clock as the page shows it.
type Clock struct {
	Time  string `json:"time"`  // RFC 3339
	Label string `json:"label"` // weekday, Jalali date and time, in the bot's language
	Open  bool   `json:"open"`  // the office is open (the SLA clock runs)
}

func (d *Demo) clockView() *Clock {
	return &Clock{
		Time:  d.now.In(d.cfg.Calendar.Loc).Format("2006-01-02T15:04:05Z07:00"),
		Label: d.cfg.Printer.DateTime(d.now),
		Open:  d.cfg.Calendar.IsOfficeOpen(d.now),
	}
}

// fileView describes f and, when its content is kept, makes it reachable
// under /api/file/KEY.
func (d *Demo) fileView(f *store.File, key string) *FileView {
	if f == nil {
		return nil
	}
	v := &FileView{Kind: string(f.Kind), Name: f.Name, MIME: f.MIME, Bytes: f.Bytes,
		Size: d.cfg.Printer.T("demo.file_size", map[string]any{"kb": (f.Bytes + 1023) / 1024})}
	if f.Path != "" {
		d.fmu.Lock()
		d.files[key] = f.Path
		d.fmu.Unlock()
		v.URL = "/api/file/" + key
	}
	return v
}

func (d *Demo) filePath(key string) (string, bool) {
	d.fmu.Lock()
	defer d.fmu.Unlock()
	p, ok := d.files[key]
	return p, ok
}

// hub keeps every event and wakes the page's streams when one is added.
type hub struct {
	mu      sync.Mutex
	events  []Event
	changed chan struct{} // closed and replaced on each add
}

func newHub() *hub { return &hub{changed: make(chan struct{})} }

func (h *hub) add(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev.Seq = int64(len(h.events)) + 1
	h.events = append(h.events, ev)
	close(h.changed)
	h.changed = make(chan struct{})
}

// since returns the events after seq and a channel closed at the next add.
func (h *hub) since(seq int64) ([]Event, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq < 0 || seq > int64(len(h.events)) {
		seq = 0 // a page from before a restart of the demo: everything again
	}
	return append([]Event(nil), h.events[seq:]...), h.changed
}

// Events returns every event after seq.
func (d *Demo) Events(seq int64) []Event {
	evs, _ := d.hub.since(seq)
	return evs
}

// Wait returns the events after seq, waiting for one when there are none
// yet, until ctx ends.
func (d *Demo) Wait(ctx context.Context, seq int64) []Event {
	for {
		evs, changed := d.hub.since(seq)
		if len(evs) > 0 {
			return evs
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}
