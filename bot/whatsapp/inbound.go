package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/inbound"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// HandleEvent takes every whatsmeow event (register it with
// AddEventHandlerWithSuccessStatus). It returns false when a message could
// not be stored, so whatsmeow does not acknowledge it and WhatsApp delivers
// it again.
func (a *Adapter) HandleEvent(evt any) bool {
	switch e := evt.(type) {
	case *events.Message:
		a.arrived(e.Info)
		return a.handleMessage(e)
	case *events.Receipt:
		return a.handleReceipt(e)
	case *events.CallOffer:
		return a.call(e)
	case *events.UndecryptableMessage:
		return a.undecryptable(e)
	case *events.Connected:
		a.connected()
	case *events.Disconnected:
		a.disconnected("disconnected")
	case *events.KeepAliveTimeout:
		a.keepaliveFailed(e)
	case *events.KeepAliveRestored:
		a.keepaliveRestored()
	case *events.StreamReplaced:
		a.replaced()
	case *events.LoggedOut:
		a.loggedOut(e)
	case *events.TemporaryBan:
		a.banned(e)
	case *events.ClientOutdated:
		a.outdated()
	case *events.ConnectFailure:
		a.connectFailure(fmt.Sprintf("refused: %d %s", int(e.Reason), e.Message))
	case *events.StreamError:
		a.stale("stream error "+e.Code, time.Time{})
	case *events.OfflineSyncPreview:
		a.cfg.Log.Info("messages held while offline", "total", e.Total, "messages", e.Messages,
			"notifications", e.Notifications, "receipts", e.Receipts, "app_data", e.AppDataChanges)
	case *events.OfflineSyncCompleted:
		a.cfg.Log.Info("messages held while offline delivered", "count", e.Count)
	case events.PermanentDisconnect:
		// Any other end whatsmeow does not reconnect after (a failed CAT
		// refresh, one added in a later version): Run reconnects.
		a.connectFailure(e.PermanentDisconnectDescription())
	}
	return true
}

// handleMessage handles one message, retrying a failed store a few times.
func (a *Adapter) handleMessage(e *events.Message) bool {
	if !a.begin() {
		a.cfg.Log.Info("message left for redelivery: stopping", "message_id", e.Info.ID)
		return false
	}
	defer a.end()
	log := a.cfg.Log.With("message_id", e.Info.ID)
	for attempt := 1; ; attempt++ {
		// One try is bounded: a hanging engine or store must not hold
		// whatsmeow's event loop, nor a stop, for ever.
		ctx, cancel := context.WithTimeout(a.base, a.cfg.HandleTimeout)
		err := a.message(ctx, e)
		cancel()
		if err == nil {
			return true
		}
		if attempt >= a.cfg.HandleAttempts {
			log.Error("message not stored; WhatsApp will deliver it again", "attempts", attempt, "err", err)
			return false
		}
		wait := time.Duration(attempt) * time.Second
		log.Warn("handling message failed; will retry", "attempt", attempt, "retry_in", wait, "err", err)
		if a.cfg.Sleep(a.base, wait) != nil {
			return false
		}
	}
}

// ignored says why a message is not a customer writing to us ("" when it is).
func ignored(info types.MessageInfo) string {
	chat := info.Chat
	switch {
	case info.IsGroup || chat.Server == types.GroupServer:
		return "group chat"
	case chat.Server == types.BroadcastServer:
		return "status or broadcast list"
	case chat.Server == types.NewsletterServer:
		return "newsletter"
	case chat.Server != types.DefaultUserServer && chat.Server != types.HiddenUserServer:
		return "not a person (" + chat.Server + ")"
	case chat.IsBot() || info.Sender.IsBot():
		return "bot"
	case chat.User == types.PSAJID.User && chat.Server == types.DefaultUserServer:
		return "WhatsApp's announcements (PSA)"
	}
	return ""
}

// message stores and answers one message; an error means it was not stored.
func (a *Adapter) message(ctx context.Context, e *events.Message) error {
	info := e.Info
	log := a.cfg.Log.With("message_id", info.ID)
	if why := ignored(info); why != "" {
		log.Debug("message ignored", "why", why, "chat", info.Chat.String())
		return nil
	}
	if info.IsFromMe {
		return a.fromMe(ctx, e)
	}
	if e.Message.GetProtocolMessage() != nil || e.IsEdit {
		c, ok := a.address(ctx, info)
		if !ok {
			return nil
		}
		if chat := info.Chat.ToNonAD().String(); a.q.queued(chat) {
			// The message edited may still be queued: the edit waits behind it.
			return a.deferMessage(ctx, e, c, a.cfg.Now())
		}
		_, err := a.protocol(ctx, e, c)
		return err
	}
	text, media := content(e.Message)
	if strings.TrimSpace(text) == "" && media == nil {
		text = a.describe(e.Message)
	}
	if strings.TrimSpace(text) == "" && media == nil {
		log.Debug("message without text or file ignored", "type", info.Type)
		return nil
	}
	if a.cfg.MaxAge > 0 && !info.Timestamp.IsZero() && info.Timestamp.Before(a.cfg.Now().Add(-a.cfg.MaxAge)) {
		// Older than the ids the store keeps: whether it was answered
		// cannot be known, and WhatsApp holds messages 30 days at most, so
		// it is a redelivery. Acknowledged, not answered a second time.
		log.Warn("message older than the inbound ids kept; taken as a redelivery and not handled", "sent", info.Timestamp)
		a.markRead(ctx, info, "")
		return nil
	}
	// Ids are unique within a chat (the engine records them so).
	chat := info.Chat.ToNonAD().String()
	seen, err := a.st.ChatInboundSeen(ctx, inbound.TransportWhatsApp, chat, info.ID)
	if err != nil {
		return err
	}
	if seen {
		log.Debug("redelivered message; handled before")
		a.markRead(ctx, info, "")
		return nil
	}
	c, ok := a.address(ctx, info)
	if !ok {
		log.Info("message from an address that is not a person's; ignored", "sender", info.Sender.String())
		return nil
	}
	at := a.handledAt(info, log)
	if a.needsQueue(chat, media) {
		return a.deferMessage(ctx, e, c, at)
	}
	a.presence(ctx, c.jid, types.ChatPresenceComposing)
	defer a.presence(ctx, c.jid, types.ChatPresencePaused)
	var file *store.File
	if media != nil {
		file = a.keep(ctx, info.ID, media, log)
	}
	if err := a.st.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: c.addr, JID: c.jid.String(), LastAt: at}); err != nil {
		return err
	}
	log.Debug("customer message", "lid", strings.HasPrefix(c.addr, lidPrefix), "text_len", len(text), "file", file != nil)
	if err := a.h.HandleCustomer(ctx, inbound.CustomerMessage{ID: info.ID, Chat: chat, Phone: c.addr, At: at, SentAt: info.Timestamp, Text: text, File: file}); err != nil {
		return err
	}
	// Stored and answered: only now is it read (and, when the handler
	// returns, acknowledged).
	a.markRead(ctx, info, c.addr)
	a.cfg.Worked()
	a.cfg.Handled()
	return nil
}

// handledAt is the time a message is handled at. The engine words its
// answer for the time it is handled: a message WhatsApp held during
// downtime (sent last night, delivered now) must not be told "we are
// closed" in the morning. WhatsApp's time is kept in the log when it
// disagrees with our clock by more than a minute.
func (a *Adapter) handledAt(info types.MessageInfo, log *slog.Logger) time.Time {
	at := a.cfg.Now()
	if ts := info.Timestamp; !ts.IsZero() && ts.Sub(at).Abs() > clockSkew {
		log.Info("message delivered late or with another clock; handled at our time", "sent", ts, "delay", at.Sub(ts).Round(time.Second))
	} else if !ts.IsZero() {
		at = ts
	}
	return at
}

func (a *Adapter) presence(ctx context.Context, jid types.JID, state types.ChatPresence) {
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	if err := a.link.Client.SendChatPresence(ctx, jid, state, types.ChatPresenceMediaText); err != nil {
		a.cfg.Log.Debug("chat presence", "state", state, "err", err)
	}
}

// presenceTimeout bounds a "typing" notice: it costs only the dots.
const presenceTimeout = 10 * time.Second

// lidPrefix starts the address of a sender whose phone number is unknown.
const lidPrefix = "lid:"

// contact is who wrote: the address the conversation keys them by and the
// chat replies go to.
type contact struct {
	addr string
	jid  types.JID
}

// address finds who wrote. A phone-number sender is keyed by its number in
// E.164. A hidden-id (@lid) sender that staff linked to a customer
// (/link lid:…) is keyed "lid:NNN", which the store knows as that
// customer's contact, or by the customer's own number once WhatsApp
// revealed it (bot.Engine.Reveal joins them; a number that is someone
// else's is told to staff and merges nothing). Any other hidden sender is
// keyed by the phone number WhatsApp gives beside it (SenderAlt) or the
// account's LID map; when neither has one, by "lid:NNN", which the
// conversation treats as unknown: the bot never guesses a number. Replies
// go to the chat the message came from.
func (a *Adapter) address(ctx context.Context, info types.MessageInfo) (contact, bool) {
	sender := info.Sender.ToNonAD()
	if sender.IsEmpty() {
		sender = info.Chat.ToNonAD()
	}
	chat := info.Chat.ToNonAD()
	var pn types.JID
	switch sender.Server {
	case types.DefaultUserServer:
		pn = sender
	case types.HiddenUserServer:
		if !digitsOnly(sender.User) {
			return contact{}, false
		}
		hidden := lidPrefix + sender.User
		if alt := info.SenderAlt.ToNonAD(); alt.Server == types.DefaultUserServer {
			pn = alt
		} else if a.link.LIDs != nil {
			got, err := a.link.LIDs.GetPNForLID(ctx, sender)
			if err != nil {
				a.cfg.Log.Warn("LID map", "err", err)
			}
			pn = got.ToNonAD()
		}
		if key, linked := a.linked(ctx, hidden, pn, info.Timestamp); linked {
			return contact{addr: key, jid: chat}, true
		}
		if pn.User == "" || pn.Server != types.DefaultUserServer {
			return contact{addr: hidden, jid: chat}, true
		}
	default:
		return contact{}, false
	}
	if !digitsOnly(pn.User) {
		return contact{}, false
	}
	return contact{addr: e164(pn.User), jid: chat}, true
}

// e164 is a phone-number JID's user as the store keys it.
func e164(user string) string {
	phone, err := rules.ParsePhone("+" + user)
	if err != nil {
		// A number outside Iran: no customer has one, so it stays as WhatsApp
		// gives it (still E.164) and the conversation treats it as unknown.
		phone = "+" + user
	}
	return phone
}

// Revealer is told which number a linked hidden address belongs to and
// says what to key the sender by; *bot.Engine is one (cmd/supportbot checks it).
type Revealer interface {
	Reveal(ctx context.Context, address, phone string, at time.Time) (string, error)
}

// linked reports whether staff linked the hidden address to a customer,
// and the contact to key it by: its joined number, else the address.
func (a *Adapter) linked(ctx context.Context, hidden string, pn types.JID, at time.Time) (string, bool) {
	addr, err := a.st.Address(ctx, hidden)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.cfg.Log.Warn("hidden address", "err", err)
		}
		return "", false
	}
	if r, ok := a.h.(Revealer); ok && pn.Server == types.DefaultUserServer && digitsOnly(pn.User) {
		if at.IsZero() {
			at = a.cfg.Now()
		}
		key, err := r.Reveal(ctx, hidden, e164(pn.User), at)
		if err != nil {
			a.cfg.Log.Warn("reveal of a hidden address", "err", err)
			return hidden, true
		}
		return key, true
	}
	if addr.Phone != "" {
		return addr.Phone, true
	}
	return hidden, true
}

func digitsOnly(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// media is a file on a message: the part to download, its declared size
// and how the store describes it.
type media struct {
	part whatsmeow.DownloadableMessage
	size int64
	file store.File
}

// content is the text of m (a text, an extended text, or a file's caption)
// and the file it carries, if any.
func content(m *waE2E.Message) (string, *media) {
	if m == nil {
		return "", nil
	}
	switch {
	case m.ImageMessage != nil:
		im := m.ImageMessage
		return im.GetCaption(), &media{im, int64(im.GetFileLength()), store.File{Kind: "image", Name: "image" + ext(im.GetMimetype(), ".jpg"), MIME: or(im.GetMimetype(), "image/jpeg")}}
	case m.DocumentMessage != nil:
		d := m.DocumentMessage
		name := or(d.GetFileName(), or(d.GetTitle(), "document"))
		return d.GetCaption(), &media{d, int64(d.GetFileLength()), store.File{Kind: "document", Name: name, MIME: or(d.GetMimetype(), "application/octet-stream")}}
	case m.AudioMessage != nil:
		au := m.AudioMessage
		kind, name := store.FileAudio, "audio"+ext(au.GetMimetype(), ".ogg")
		if au.GetPTT() {
			kind, name = store.FileVoice, "voice.ogg"
		}
		return "", &media{au, int64(au.GetFileLength()), store.File{Kind: kind, Name: name, MIME: or(au.GetMimetype(), "audio/ogg")}}
	case m.VideoMessage != nil || m.PtvMessage != nil:
		v := m.VideoMessage
		if v == nil {
			v = m.PtvMessage // a round video note
		}
		return v.GetCaption(), &media{v, int64(v.GetFileLength()), store.File{Kind: "video", Name: "video.mp4", MIME: or(v.GetMimetype(), "video/mp4")}}
	case m.ExtendedTextMessage != nil:
		return m.ExtendedTextMessage.GetText(), nil
	}
	return m.GetConversation(), nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ext is the file extension for a MIME type, def when unknown.
func ext(mime, def string) string {
	base, _, _ := strings.Cut(mime, ";")
	switch strings.TrimSpace(base) {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "audio/mp4", "audio/aac":
		return ".m4a"
	}
	return def
}

// keep downloads a message's file into MediaDir and describes it. A file
// declared or found to be over MaxFileBytes is not kept (its size tells the
// engine to refuse and hold it); one that cannot be downloaded is kept as a
// description only (staff see its name and size), and logged.
func (a *Adapter) keep(ctx context.Context, id string, m *media, log *slog.Logger) *store.File {
	f := m.file
	f.Bytes = max(m.size, 0)
	if a.cfg.MediaDir == "" {
		return &f
	}
	if m.size > a.cfg.MaxFileBytes {
		log.Info("file over the size limit not downloaded", "declared_bytes", m.size, "limit", a.cfg.MaxFileBytes)
		return &f
	}
	path, n, err := a.download(ctx, id, f.Name, m)
	switch {
	case errors.Is(err, errTooBig):
		// The sender declared less than it sent: the bytes read decide.
		log.Warn("file larger than declared and over the size limit; download stopped", "declared_bytes", m.size, "limit", a.cfg.MaxFileBytes)
		f.Bytes = max(n, a.cfg.MaxFileBytes+1)
		return &f
	case err != nil:
		log.Warn("file not downloaded; kept as a description only", "err", err)
		return &f
	}
	f.Path, f.Bytes = path, n
	return &f
}

// clockSkew is how far WhatsApp's time for a message may be from ours
// before ours decides.
const clockSkew = time.Minute

// errTooBig stops a download that passed MaxFileBytes.
var errTooBig = errors.New("file over the size limit")

// download streams a file to MediaDir/YYYY-MM/, named after the message id
// so a redelivered message overwrites rather than duplicates it, counting
// the bytes actually written: past MaxFileBytes it stops with errTooBig
// (the declared size is the sender's word only). It tries twice: media
// links expire and the CDN has bad moments.
func (a *Adapter) download(ctx context.Context, id, name string, m *media) (string, int64, error) {
	dir := filepath.Join(a.cfg.MediaDir, a.cfg.Now().UTC().Format("2006-01"))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", 0, err
	}
	var err error
	for range 2 {
		var tmp *os.File
		tmp, err = os.CreateTemp(dir, ".part-*")
		if err != nil {
			return "", 0, err
		}
		// Encrypted media carries up to 32 bytes of padding and MAC.
		lf := &limitedFile{File: tmp, limit: a.cfg.MaxFileBytes + 32}
		dctx, cancel := context.WithTimeout(ctx, a.cfg.DownloadTimeout)
		err = a.link.Client.DownloadToFile(dctx, m.part, lf)
		cancel()
		var size int64
		if info, serr := tmp.Stat(); serr == nil {
			size = info.Size()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if errors.Is(err, whatsmeow.ErrInvalidMediaSHA256) {
			err = nil // whatsmeow's warning: the data is there
		}
		if err == nil && size > a.cfg.MaxFileBytes {
			err = errTooBig
		}
		if err != nil {
			os.Remove(tmp.Name())
			if errors.Is(err, errTooBig) {
				return "", max(size, lf.written), err
			}
			continue
		}
		path := filepath.Join(dir, fmt.Sprintf("wa-%s-%s", outbox.SafeFileName(id), outbox.SafeFileName(name)))
		if err := os.Rename(tmp.Name(), path); err != nil {
			os.Remove(tmp.Name())
			return "", 0, err
		}
		return path, size, nil
	}
	return "", 0, err
}

// limitedFile is a file that refuses to grow past limit bytes, so a
// download stops at the limit whatever the sender declared. Not being an
// *os.File, it also keeps whatsmeow from preallocating the length the
// server announces.
type limitedFile struct {
	*os.File
	limit   int64
	written int64
}

func (f *limitedFile) Write(p []byte) (int, error) {
	pos, err := f.File.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if pos+int64(len(p)) > f.limit {
		f.written = pos + int64(len(p))
		return 0, errTooBig
	}
	return f.File.Write(p)
}

func (f *limitedFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.limit {
		f.written = off + int64(len(p))
		return 0, errTooBig
	}
	return f.File.WriteAt(p, off)
}

func (f *limitedFile) Truncate(size int64) error {
	if size > f.limit {
		return errTooBig
	}
	return f.File.Truncate(size)
}

var _ whatsmeow.File = (*limitedFile)(nil)
