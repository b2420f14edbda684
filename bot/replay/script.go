package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"supportbot/rules"
	"supportbot/store"
)

// Event is one line of a replay script (docs/interface.md): a customer
// message, a Telegram message, or only a clock move.
type Event struct {
	Line  int
	At    time.Time
	ID    string // optional transport id, for testing deduplication
	Phone string // E.164 or a hidden address (lid:DIGITS), set for customer messages
	// Reveals is the number WhatsApp says the hidden address Phone is
	// ({"whatsapp":"lid:…","reveals":"+98…"}); such an event has no message.
	Reveals string
	// FromMe: typed on the company phone into Phone's chat
	// ({"whatsapp":"+98…","from_me":true,"text":…}), not by the customer.
	FromMe        bool
	Telegram      *Telegram
	Text          string
	File          *store.File
	ReplyTo       int64 // outbox id named by reply_to ("m12")
	ReplyToTicket int64
	Thread        int64 // written in that ticket's forum topic (topics mode)
	Callback      string
}

// Telegram says who wrote a Telegram message and where.
type Telegram struct {
	Chat  string // staff, managers, private
	User  int64
	Name  string
	IsBot bool
}

// ClockOnly reports whether the event only moves the clock.
func (e Event) ClockOnly() bool { return e.Phone == "" && e.Telegram == nil }

type rawEvent struct {
	At            *string          `json:"at"`
	ID            *string          `json:"id"`
	WhatsApp      *string          `json:"whatsapp"`
	Reveals       *string          `json:"reveals"`
	FromMe        *bool            `json:"from_me"`
	Telegram      *json.RawMessage `json:"telegram"`
	Text          *string          `json:"text"`
	File          *json.RawMessage `json:"file"`
	ReplyTo       *string          `json:"reply_to"`
	ReplyToTicket *int64           `json:"reply_to_ticket"`
	Thread        *int64           `json:"thread"`
	Callback      *string          `json:"callback"`
}

type rawTelegram struct {
	Chat  string `json:"chat"`
	User  int64  `json:"user"`
	Name  string `json:"name"`
	IsBot bool   `json:"is_bot"`
}

type rawFile struct {
	Kind  store.FileKind `json:"kind"`
	Name  string         `json:"name"`
	Bytes int64          `json:"bytes"`
	MIME  string         `json:"mime"`
}

// MaxLine is the longest script line accepted (1 MiB).
const MaxLine = 1 << 20

var fileKinds = map[store.FileKind]bool{store.FileImage: true, store.FileDocument: true, store.FileAudio: true, store.FileVoice: true, store.FileVideo: true}

// looksUTF16 is true for a line with a UTF-16 byte-order mark, or with a
// zero byte in every other place (UTF-16 without a mark).
func looksUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return true
	}
	n := min(len(b), 64) &^ 1
	zeros := 0
	for i := 0; i < n; i++ {
		if b[i] == 0 {
			zeros++
		}
	}
	return n >= 4 && zeros*4 > n
}

// Parse reads a whole JSON Lines script and checks every event before
// anything runs, so a bad script changes nothing. Errors read NAME:LINE: reason.
func Parse(name string, r io.Reader) ([]Event, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), MaxLine)
	var events []Event
	var last time.Time
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if line == 1 {
			// Windows editors save "UTF-8" with a byte-order mark.
			text = bytes.TrimPrefix(text, []byte("\uFEFF"))
			if looksUTF16(text) {
				return nil, fmt.Errorf("%s:1: the file is UTF-16 (\"Unicode\" in Windows editors); save it as UTF-8", name)
			}
		}
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		ev, err := parseEvent(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if ev.At.Before(last) {
			return nil, fmt.Errorf("%s:%d: at %s is before the previous event (%s): events must be in time order",
				name, line, ev.At.Format(time.RFC3339), last.Format(time.RFC3339))
		}
		last = ev.At
		ev.Line = line
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, MaxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return events, nil
}

func parseEvent(text []byte) (Event, error) {
	var ev Event
	if !utf8.Valid(text) {
		return ev, errors.New("not valid UTF-8")
	}
	var raw rawEvent
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return ev, fmt.Errorf("not a JSON object of a script event: %w", err)
	}
	if dec.More() {
		return ev, errors.New("more than one JSON value on the line")
	}
	if raw.At == nil {
		return ev, errors.New(`"at" is missing`)
	}
	at, err := time.Parse(time.RFC3339, *raw.At)
	if err != nil {
		return ev, fmt.Errorf(`"at": %q is not an RFC 3339 time like 2026-11-28T09:00:00+03:30`, *raw.At)
	}
	ev.At = at
	if raw.ID != nil {
		ev.ID = *raw.ID
	}
	if raw.WhatsApp != nil && raw.Telegram != nil {
		return ev, errors.New(`an event has "whatsapp" or "telegram", not both`)
	}
	if raw.Text != nil {
		ev.Text = *raw.Text
	}
	if raw.File != nil {
		f, err := parseFile(*raw.File)
		if err != nil {
			return ev, err
		}
		ev.File = f
	}
	switch {
	case raw.WhatsApp != nil:
		if addr, ok := rules.ParseHidden(*raw.WhatsApp); ok {
			ev.Phone = addr
		} else {
			phone, err := rules.ParsePhone(*raw.WhatsApp)
			if err != nil {
				return ev, fmt.Errorf(`"whatsapp": %w (or a hidden address like "lid:123456789")`, err)
			}
			ev.Phone = phone
		}
		if raw.Reveals != nil {
			if !rules.IsHidden(ev.Phone) {
				return ev, errors.New(`"reveals" belongs to an event whose "whatsapp" is a hidden address (lid:DIGITS)`)
			}
			phone, err := rules.ParsePhone(*raw.Reveals)
			if err != nil {
				return ev, fmt.Errorf(`"reveals": %w`, err)
			}
			if raw.Text != nil || raw.File != nil || raw.FromMe != nil {
				return ev, errors.New(`a "reveals" event carries no "text", "file" or "from_me"`)
			}
			ev.Reveals = phone
			break
		}
		if raw.Text == nil && raw.File == nil {
			return ev, errors.New(`a whatsapp event needs "text" or "file"`)
		}
		if raw.FromMe != nil {
			ev.FromMe = *raw.FromMe
		}
		if raw.ReplyTo != nil || raw.ReplyToTicket != nil || raw.Callback != nil || raw.Thread != nil {
			return ev, errors.New(`"reply_to", "reply_to_ticket", "thread" and "callback" belong to telegram events`)
		}
	case raw.FromMe != nil:
		return ev, errors.New(`"from_me" belongs to a whatsapp event with "text" or "file"`)
	case raw.Telegram != nil:
		tg, err := parseTelegram(*raw.Telegram)
		if err != nil {
			return ev, err
		}
		ev.Telegram = tg
		if raw.ReplyTo != nil {
			id, ok := strings.CutPrefix(*raw.ReplyTo, "m")
			n, err := strconv.ParseInt(id, 10, 64)
			if !ok || err != nil || n <= 0 {
				return ev, fmt.Errorf(`"reply_to": %q is not an output id like "m12"`, *raw.ReplyTo)
			}
			ev.ReplyTo = n
		}
		if raw.ReplyToTicket != nil {
			if *raw.ReplyToTicket <= 0 {
				return ev, fmt.Errorf(`"reply_to_ticket": %d is not a ticket number`, *raw.ReplyToTicket)
			}
			ev.ReplyToTicket = *raw.ReplyToTicket
		}
		if raw.Thread != nil {
			if *raw.Thread <= 0 {
				return ev, fmt.Errorf(`"thread": %d is not a ticket number`, *raw.Thread)
			}
			if tg.Chat != "staff" {
				return ev, fmt.Errorf(`"thread": topics are in the staff group, not %q`, tg.Chat)
			}
			ev.Thread = *raw.Thread
		}
		if raw.Callback != nil {
			if len(*raw.Callback) == 0 || len(*raw.Callback) > 64 {
				return ev, errors.New(`"callback": must be 1 to 64 bytes`)
			}
			ev.Callback = *raw.Callback
		}
		if raw.Text == nil && raw.File == nil && raw.Callback == nil {
			return ev, errors.New(`a telegram event needs "text", "file" or "callback"`)
		}
	default:
		if raw.Reveals != nil {
			return ev, errors.New(`"reveals" needs "whatsapp" with the hidden address`)
		}
		if raw.Text != nil || raw.File != nil || raw.ReplyTo != nil || raw.ReplyToTicket != nil || raw.Callback != nil || raw.Thread != nil {
			return ev, errors.New(`a message needs "whatsapp" or "telegram" to say who sent it`)
		}
	}
	return ev, nil
}

func parseTelegram(data []byte) (*Telegram, error) {
	var raw rawTelegram
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf(`"telegram": %w`, err)
	}
	switch raw.Chat {
	case "staff", "managers", "private":
	default:
		return nil, fmt.Errorf(`"telegram.chat": %q is not staff, managers or private`, raw.Chat)
	}
	if raw.User <= 0 {
		return nil, errors.New(`"telegram.user": must be a positive user id`)
	}
	return &Telegram{Chat: raw.Chat, User: raw.User, Name: raw.Name, IsBot: raw.IsBot}, nil
}

func parseFile(data []byte) (*store.File, error) {
	var raw rawFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf(`"file": %w`, err)
	}
	if !fileKinds[raw.Kind] {
		return nil, fmt.Errorf(`"file.kind": %q is not image, document, audio, voice or video`, raw.Kind)
	}
	if raw.Bytes < 0 {
		return nil, errors.New(`"file.bytes": must not be negative`)
	}
	return &store.File{Kind: raw.Kind, Name: raw.Name, MIME: raw.MIME, Bytes: raw.Bytes}, nil
}
