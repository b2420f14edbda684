package whatsapp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// MaxCaption is the longest text sent as a file's caption; a longer text
// goes as its own message before the file.
const MaxCaption = 1024

// uploadTimeout bounds the upload of one file part, and the send of one
// part until WhatsApp acknowledges it (a retry reuses the part's id).
var uploadTimeout = 2 * time.Minute // a variable for tests

// ErrNeverWrote refuses a message to an address that never wrote to the
// company: WhatsApp bans accounts that message strangers, so the bot only
// answers people who wrote first.
var ErrNeverWrote = errors.New("never wrote to the company's WhatsApp")

// ErrLoggedOut is a send while the account is not paired.
var ErrLoggedOut = errors.New("the WhatsApp session is logged out: pair again with `supportbot pair`")

// ErrNotConnected is a send while the connection is down.
var ErrNotConnected = errors.New("not connected to WhatsApp")

// bannedError is a send during a temporary ban: the dispatcher waits for
// the ban's end.
type bannedError struct{ wait time.Duration }

func (e *bannedError) Error() string {
	return fmt.Sprintf("the WhatsApp account is temporarily banned; sending resumes in %s", e.wait.Round(time.Second))
}

// RetryAfter is how long the ban still lasts.
func (e *bannedError) RetryAfter() time.Duration { return e.wait }

var _ outbox.RetryAfter = (*bannedError)(nil)

// Send delivers an outbox message addressed "whatsapp:ADDRESS" to the chat
// that address wrote from, after a small random pause, and returns the
// WhatsApp id of its first message. It refuses (permanently, so staff are
// told) an address that never wrote; it holds everything back while the
// account is banned, logged out or disconnected.
func (a *Adapter) Send(ctx context.Context, m store.OutboxMessage) (string, error) {
	dest, err := outbox.ParseAddress(m.To)
	if err != nil || dest.Transport != outbox.TransportWhatsApp {
		return "", outbox.Permanent(fmt.Errorf("%q is not a WhatsApp address", m.To))
	}
	addr := dest.Contact
	if err := a.ready(); err != nil {
		return "", err
	}
	c, err := a.st.WhatsAppContact(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		// The refusal as data (notice.NeverWrote): the core words it in
		// the dispatcher's report to staff.
		return "", outbox.Permanent(fmt.Errorf("%w: %w", ErrNeverWrote, &notice.NeverWrote{Address: addr}))
	}
	if err != nil {
		return "", err
	}
	jid, err := types.ParseJID(c.JID)
	if err != nil {
		return "", outbox.Permanent(fmt.Errorf("stored chat of %s: %w", addr, err))
	}
	parts, err := a.parts(m)
	if err != nil {
		return "", err
	}
	done, err := a.sentParts(ctx, m.ID)
	if err != nil {
		return "", err
	}
	rec := context.WithoutCancel(ctx) // what was sent is recorded even when ctx ends
	for i := len(done); i < len(parts); i++ {
		// The upload of a part has a deadline of its own: whatsmeow's
		// media client has none, and a stalled upload would hold the lane.
		uctx, cancel := context.WithTimeout(ctx, uploadTimeout)
		msg, err := parts[i](uctx)
		cancel()
		if err != nil {
			return "", err
		}
		if err := a.pace(ctx, jid); err != nil {
			return "", err
		}
		id, err := a.messageID(ctx, m.ID, i)
		if err != nil {
			return "", err
		}
		// Recorded before it is sent: WhatsApp may echo it to this device
		// as "from me" (IsFromMe), which must never pass for an answer
		// typed on the company phone, and its receipts must be followed,
		// whatever becomes of the send. A record that fails sends nothing;
		// the retry reuses the id and the record.
		sending := store.WhatsAppSent{MessageID: id, OutboxID: m.ID, Address: addr, TicketID: m.TicketID, SentAt: a.cfg.Now()}
		if id != "" {
			if err := a.st.SendingWhatsApp(rec, sending); err != nil {
				return "", fmt.Errorf("record the send before sending: %w", err)
			}
		}
		sctx, cancel := context.WithTimeout(ctx, uploadTimeout)
		resp, err := a.link.Client.SendMessage(sctx, jid, msg, whatsmeow.SendRequestExtra{ID: id})
		cancel()
		a.mu.Lock()
		a.lastSend = a.cfg.Now()
		a.mu.Unlock()
		if err != nil {
			err = a.classify(err)
			if id != "" && outbox.IsPermanent(err) {
				a.refused(rec, id) // the dispatcher tells staff
			}
			return "", err
		}
		if resp.ID == "" {
			resp.ID = id
		}
		a.cfg.Worked()
		done = append(done, resp.ID)
		if resp.ID != id {
			// Not an outbox row's id (whatsmeow picked it): recorded after.
			sending.MessageID, sending.SentAt = resp.ID, a.cfg.Now()
			if err := a.st.AddWhatsAppSent(rec, sending); err != nil && !errors.Is(err, store.ErrConflict) {
				a.cfg.Log.Warn("sent message not followed for receipts", "outbox_id", m.ID, "err", err)
			}
		}
		if len(parts) > 1 {
			// A retry sends only the rest (store.OutboxLinks); WhatsApp's
			// ids name their chat.
			if err := a.st.SetOutboxParts(rec, m.ID, "", done); err != nil {
				return "", err
			}
		}
	}
	if a.cfg.MarkRead == MarkReadAfterAnswer && a.staffAnswer(rec, m) {
		a.readHeld(rec, addr)
	}
	return done[0], nil
}

// refused marks the record of a send WhatsApp refused for good as
// reported: the dispatcher tells staff of the refusal, and the undelivered
// check must not tell them again.
func (a *Adapter) refused(ctx context.Context, id types.MessageID) {
	err := a.st.InTx(ctx, func(tx store.Store) error {
		s, err := tx.WhatsAppSent(ctx, id)
		if err != nil || s.Reported {
			return err
		}
		s.Reported = true
		return tx.UpdateWhatsAppSent(ctx, s)
	})
	if err != nil {
		a.cfg.Log.Warn("mark a refused send", "message_id", id, "err", err)
	}
}

// ready says whether sending is possible now.
func (a *Adapter) ready() error {
	a.mu.Lock()
	state, until, stale := a.state, a.banUntil, a.staleLink
	a.mu.Unlock()
	switch {
	case !until.IsZero() && a.cfg.Now().Before(until):
		return &bannedError{wait: until.Sub(a.cfg.Now())}
	case state == StateLoggedOut:
		return outbox.Unavailable(ErrLoggedOut)
	case state == StateReplaced || state == StateOutdated:
		return outbox.Unavailable(fmt.Errorf("%w (%s)", ErrNotConnected, state))
	case !a.link.Client.IsConnected() || stale:
		return outbox.Unavailable(ErrNotConnected)
	}
	return nil
}

// permanentCodes are the server's refusals of one message that no retry
// changes, reported as notice.WhatsAppRefused (the core words each code).
// 463: WhatsApp does not let the account start or continue this chat now
// (the customer must write first); 479: the address is refused (a hidden
// address the account may not write to).
var permanentCodes = map[int]bool{400: true, 403: true, 404: true, 406: true, 463: true, 479: true}

// classify maps a send error: a lost connection holds the transport's
// messages (no attempt counted), a refusal no retry changes is permanent
// and told to staff with its reason, server trouble and anything unknown
// are retried.
func (a *Adapter) classify(err error) error {
	switch {
	case errors.Is(err, whatsmeow.ErrNotLoggedIn):
		return outbox.Unavailable(fmt.Errorf("%w: %w", ErrLoggedOut, err))
	case errors.Is(err, whatsmeow.ErrNotConnected):
		return outbox.Unavailable(fmt.Errorf("%w: %w", ErrNotConnected, err))
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		var code int
		msg := err.Error()
		if i := strings.LastIndexByte(msg, ' '); i >= 0 {
			code, _ = strconv.Atoi(msg[i+1:])
		}
		if !permanentCodes[code] {
			return err
		}
		a.cfg.Log.Warn("WhatsApp refused the message", "code", code)
		return outbox.Permanent(&notice.WhatsAppRefused{Code: code, Err: err})
	}
	return err
}

// settingIDSecret is this install's secret for message ids.
const settingIDSecret = "whatsapp_id_secret"

// messageID is the WhatsApp id of part of outbox message outboxID: the
// same for every try, so a send that WhatsApp took but whose answer was
// lost (a timeout) and is tried again reaches the customer's phone under
// the same id and is shown once. It is derived from the row, the part and
// a secret kept in the store (ids stay unguessable, and differ between
// installs), in the form whatsmeow's own ids take.
func (a *Adapter) messageID(ctx context.Context, outboxID int64, part int) (types.MessageID, error) {
	if outboxID == 0 {
		return "", nil // not an outbox row: whatsmeow picks one
	}
	secret, err := a.idSecret(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, secret)
	fmt.Fprintf(mac, "outbox:%d:%d", outboxID, part)
	return whatsmeow.WebMessageIDPrefix + strings.ToUpper(hex.EncodeToString(mac.Sum(nil)[:9])), nil
}

// idSecret reads the install's id secret, making it on first use.
func (a *Adapter) idSecret(ctx context.Context) ([]byte, error) {
	a.mu.Lock()
	secret := a.secret
	a.mu.Unlock()
	if secret != nil {
		return secret, nil
	}
	err := a.st.InTx(ctx, func(tx store.Store) error {
		v, err := tx.Setting(ctx, settingIDSecret)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if v != "" {
			secret, err = hex.DecodeString(v)
			return err
		}
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		return tx.SetSetting(ctx, settingIDSecret, hex.EncodeToString(secret))
	})
	if err != nil {
		return nil, fmt.Errorf("message id secret: %w", err)
	}
	a.mu.Lock()
	a.secret = secret
	a.mu.Unlock()
	return secret, nil
}

// pace waits a random gap between MinGap and MaxGap after the last send,
// showing "typing" to the recipient meanwhile.
func (a *Adapter) pace(ctx context.Context, jid types.JID) error {
	gap := a.cfg.MinGap
	if spread := a.cfg.MaxGap - a.cfg.MinGap; spread > 0 {
		gap += time.Duration(a.cfg.Rand(int64(spread)))
	}
	a.mu.Lock()
	last := a.lastSend
	a.mu.Unlock()
	wait := gap
	if !last.IsZero() {
		wait = last.Add(gap).Sub(a.cfg.Now())
	}
	if wait <= 0 {
		return nil
	}
	a.presence(ctx, jid, types.ChatPresenceComposing)
	return a.cfg.Sleep(ctx, wait)
}

// part builds one WhatsApp message; files are uploaded only when built.
type part func(ctx context.Context) (*waE2E.Message, error)

// parts cuts m into WhatsApp messages: a text, a file with the text as its
// caption, or a long text and then the file.
func (a *Adapter) parts(m store.OutboxMessage) ([]part, error) {
	text := strings.TrimSpace(m.Text)
	textPart := func(context.Context) (*waE2E.Message, error) {
		return &waE2E.Message{Conversation: proto.String(text)}, nil
	}
	f := m.File
	if f == nil || f.Path == "" {
		if text == "" && f != nil {
			text = "📎 " + f.Name
		}
		if text == "" {
			return nil, outbox.Permanent(errors.New("empty message"))
		}
		return []part{textPart}, nil
	}
	captioned := f.Kind != "voice" && f.Kind != "audio" && len([]rune(text)) <= MaxCaption
	if captioned || text == "" {
		return []part{func(ctx context.Context) (*waE2E.Message, error) { return a.media(ctx, f, text) }}, nil
	}
	return []part{textPart, func(ctx context.Context) (*waE2E.Message, error) { return a.media(ctx, f, "") }}, nil
}

// media uploads a file and builds its message: a photo, a voice note or
// audio, a video, or else a document.
func (a *Adapter) media(ctx context.Context, f *store.File, caption string) (*waE2E.Message, error) {
	info, err := os.Stat(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, outbox.Permanent(fmt.Errorf("file %s is gone: %w", f.Name, err))
	}
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", f.Name, err)
	}
	if info.Size() > a.cfg.MaxFileBytes {
		return nil, outbox.Permanent(fmt.Errorf("file %s is %d bytes, over the %d-byte limit (whatsapp.max_file_mb)", f.Name, info.Size(), a.cfg.MaxFileBytes))
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", f.Name, err)
	}
	mime := f.MIME
	if mime == "" {
		mime = http.DetectContentType(data)
	}
	base, _, _ := strings.Cut(mime, ";")
	kind := f.Kind
	switch {
	case kind == "image" && (base == "image/jpeg" || base == "image/png"):
	case kind == "voice" || kind == "audio":
		if !strings.HasPrefix(base, "audio/") {
			kind = "document"
		}
	case kind == "video" && base == "video/mp4":
	default:
		kind = "document"
	}
	mediaType := map[store.FileKind]whatsmeow.MediaType{
		"image": whatsmeow.MediaImage, "voice": whatsmeow.MediaAudio, "audio": whatsmeow.MediaAudio,
		"video": whatsmeow.MediaVideo, "document": whatsmeow.MediaDocument,
	}[kind]
	up, err := a.link.Client.Upload(ctx, data, mediaType)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", f.Name, a.classify(err))
	}
	var capt *string
	if caption != "" {
		capt = proto.String(caption)
	}
	switch kind {
	case "image":
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption: capt, Mimetype: proto.String(mime),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	case "voice", "audio":
		if kind == "voice" && base == "audio/ogg" {
			mime = "audio/ogg; codecs=opus"
		}
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			Mimetype: proto.String(mime), PTT: proto.Bool(kind == "voice"),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	case "video":
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{
			Caption: capt, Mimetype: proto.String(mime),
			URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
			FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
		}}, nil
	}
	name := or(f.Name, "file")
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		Caption: capt, Mimetype: proto.String(mime), FileName: proto.String(name), Title: proto.String(name),
		URL: proto.String(up.URL), DirectPath: proto.String(up.DirectPath), MediaKey: up.MediaKey,
		FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256, FileLength: proto.Uint64(up.FileLength),
	}}, nil
}

// sentParts lists the WhatsApp ids of the parts of outbox message id that
// an earlier, partly failed try sent.
func (a *Adapter) sentParts(ctx context.Context, id int64) ([]string, error) {
	return a.st.OutboxParts(ctx, id, "")
}
