package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/mdp/qrterminal/v3"
	"go.mau.fi/whatsmeow"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite" // the "sqlite" driver for the session file
)

// sessionParams open the session file with foreign keys on (whatsmeow
// refuses to run without them), WAL and a busy timeout, through the pure-Go
// modernc.org/sqlite driver; whatsmeow's sqlstore reads the dialect from
// the driver name "sqlite".
const sessionParams = "_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate"

// deviceName is how the linked device is listed on the company phone.
const deviceName = "supportbot"

var setDeviceName sync.Once

// session is the whatsmeow device store in its own SQLite file.
type session struct {
	db        *sql.DB
	container *sqlstore.Container
	device    *wastore.Device
}

// openSession opens (creating if needed) the session file at path.
func openSession(ctx context.Context, path string, log *slog.Logger) (*session, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("whatsapp session %q: want a plain file path", path)
	}
	setDeviceName.Do(func() { wastore.SetOSInfo(deviceName, [3]uint32{1, 0, 0}) })
	if err := privateFile(path); err != nil {
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", path+"?"+sessionParams)
	if err != nil {
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	container := sqlstore.NewWithDB(db, "sqlite", waLogger(log, "store"))
	if err := container.Upgrade(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("whatsapp session %s: %w", path, err)
	}
	return &session{db: db, container: container, device: device}, nil
}

// privateFile creates the session file readable by its owner only (it
// holds the account's keys), or makes an existing one so. SQLite gives its
// -wal and -shm files the main file's mode.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// Dial opens the session file at path and returns a link on it, not yet
// connected (Adapter.Run connects), and the function that closes the file.
//
// The client acknowledges a message only after the adapter's handler
// returns (SynchronousAck), and keeps each decrypted message in the session
// file until the handler took it (EnableDecryptedEventBuffer): the Signal
// session has moved on once a message is decrypted, so without the buffer
// WhatsApp's redelivery of a message the bot failed to store could not be
// decrypted again and would be lost. A message that cannot be decrypted at
// all is asked for again from the company phone
// (AutomaticMessageRerequestFromPhone), and recent sends are kept in the
// session file so a customer's phone that asks for one again after a
// restart still gets it (UseRetryMessageStore).
func Dial(ctx context.Context, path string, log *slog.Logger) (Link, func() error, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := openSession(ctx, path, log)
	if err != nil {
		return Link{}, nil, err
	}
	cli := whatsmeow.NewClient(s.device, waLogger(log, "client"))
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	cli.AutomaticMessageRerequestFromPhone = true
	cli.UseRetryMessageStore = true
	cli.EnableAutoReconnect = true
	cli.InitialAutoReconnect = true // a network that is down at start is retried like any other
	link := Link{
		Client:     cli,
		LIDs:       s.container.LIDMap,
		Paired:     s.device.ID != nil,
		Connect:    cli.Connect,
		Disconnect: cli.Disconnect,
		Subscribe:  func(h func(any) bool) { cli.AddEventHandlerWithSuccessStatus(h) },
	}
	return link, s.db.Close, nil
}

// PairOptions says how to pair.
type PairOptions struct {
	SessionDB string
	// Phone is the company number in international form without "+"
	// (989121234567) for a pairing code; "" shows QR codes instead.
	Phone string
	Out   io.Writer // where codes and instructions go
	Log   *slog.Logger
	Proxy *url.URL // whatsapp.proxy; nil goes direct
}

// ErrAlreadyPaired is returned by Pair when the session file already holds
// an account.
var ErrAlreadyPaired = errors.New("the WhatsApp session is already paired")

// Pair links the company's WhatsApp account to the session file: it shows
// QR codes in the terminal (or, with a phone number, a pairing code) until
// the phone accepts one, then waits for the first full connection so the
// session is complete. The session file is separate from the support
// database, so pairing again never touches tickets.
func Pair(ctx context.Context, o PairOptions) error {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := openSession(ctx, o.SessionDB, log)
	if err != nil {
		return err
	}
	defer s.db.Close()
	if s.device.ID != nil {
		return fmt.Errorf("%w as %s (%s): to pair another account, stop supportbot and delete %s first",
			ErrAlreadyPaired, s.device.ID.ToNonAD().User, s.device.PushName, o.SessionDB)
	}
	cli := whatsmeow.NewClient(s.device, waLogger(log, "pair"))
	if err := UseProxy(cli, o.Proxy); err != nil {
		return fmt.Errorf("pair: whatsapp.proxy: %w", err)
	}
	connected := make(chan struct{}, 1)
	cli.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	qr, err := cli.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("pair: %w", err)
	}
	if err := cli.Connect(); err != nil {
		return fmt.Errorf("pair: connect to WhatsApp: %w", err)
	}
	defer cli.Disconnect()
	codeShown := false
	for item := range qr {
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			if o.Phone == "" {
				fmt.Fprintln(o.Out, "On the company phone: WhatsApp → Settings → Linked devices → Link a device, then scan:")
				qrterminal.GenerateHalfBlock(item.Code, qrterminal.L, o.Out)
				fmt.Fprintf(o.Out, "(a new code follows in %s if this one is not scanned)\n\n", item.Timeout.Round(time.Second))
				continue
			}
			if codeShown {
				continue
			}
			code, err := cli.PairPhone(ctx, o.Phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
			if err != nil {
				return fmt.Errorf("pair: pairing code for %s: %w", o.Phone, err)
			}
			codeShown = true
			fmt.Fprintf(o.Out, "Pairing code: %s\nOn the phone with number +%s: WhatsApp → Settings → Linked devices → Link a device → Link with phone number instead, and type the code.\n", code, o.Phone)
		case whatsmeow.QRChannelSuccess.Event:
			fmt.Fprintln(o.Out, "Paired. Finishing the first connection…")
			select {
			case <-connected:
			case <-time.After(60 * time.Second):
			case <-ctx.Done():
				return ctx.Err()
			}
			who := "?"
			if cli.Store.ID != nil {
				who = "+" + cli.Store.ID.ToNonAD().User
			}
			fmt.Fprintf(o.Out, "WhatsApp %s is linked; the session is in %s. Start (or restart) `supportbot run`.\n", who, o.SessionDB)
			return nil
		case whatsmeow.QRChannelTimeout.Event:
			return errors.New("pair: no code was accepted in time; run `supportbot pair` again")
		case whatsmeow.QRChannelEventError:
			return fmt.Errorf("pair: %w", item.Error)
		default:
			return fmt.Errorf("pair: %s", item.Event)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errors.New("pair: the connection closed before pairing finished; run `supportbot pair` again")
}

// slogLogger passes whatsmeow's log to slog: errors and warnings as they
// are, its chatty info as debug, its debug only with whatsapp.debug
// (DebugLog), scrubbed of keys.
type slogLogger struct {
	l     *slog.Logger
	debug bool // whatsmeow's debug lines too
}

func waLogger(l *slog.Logger, module string) waLog.Logger {
	_, debug := l.Handler().(debugHandler)
	return slogLogger{l: l.With("module", "whatsmeow/"+module), debug: debug}
}

func (s slogLogger) Errorf(msg string, args ...any) { s.l.Error(scrub(fmt.Sprintf(msg, args...))) }
func (s slogLogger) Warnf(msg string, args ...any)  { s.l.Warn(scrub(fmt.Sprintf(msg, args...))) }
func (s slogLogger) Infof(msg string, args ...any)  { s.l.Debug(scrub(fmt.Sprintf(msg, args...))) }
func (s slogLogger) Debugf(msg string, args ...any) {
	if s.debug {
		s.l.Debug(scrub(fmt.Sprintf(msg, args...)))
	}
}

// Sub names a part of whatsmeow in the log. The raw protocol stanzas
// (Send, Recv) carry keys and message payloads: their debug lines never
// reach the log.
func (s slogLogger) Sub(module string) waLog.Logger {
	debug := s.debug && module != "Send" && module != "Recv"
	return slogLogger{l: s.l.With("sub", module), debug: debug}
}

// secretish is a run of hex or base64 long enough to be a key, a token
// or encrypted data.
var secretish = regexp.MustCompile(`[A-Za-z0-9+/_=-]{40,}`)

// scrub hides what could be a key in a whatsmeow log line.
func scrub(s string) string {
	return secretish.ReplaceAllString(s, "[redacted]")
}

// DebugLog is l with whatsmeow's own debug log passed into it at debug
// level (config whatsapp.debug), whatever l's level: for finding out why
// the WhatsApp link misbehaves. Protocol stanzas stay out and long
// key-like strings are redacted. Dial and Pair use it through their log.
func DebugLog(l *slog.Logger) *slog.Logger {
	return slog.New(debugHandler{l.Handler()})
}

// debugHandler lets debug records through to h.
type debugHandler struct{ h slog.Handler }

func (d debugHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelDebug || d.h.Enabled(ctx, level)
}
func (d debugHandler) Handle(ctx context.Context, r slog.Record) error { return d.h.Handle(ctx, r) }
func (d debugHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return debugHandler{d.h.WithAttrs(as)}
}
func (d debugHandler) WithGroup(name string) slog.Handler { return debugHandler{d.h.WithGroup(name)} }
