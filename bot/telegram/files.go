package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// tgFile is a file on a Telegram message: its Bot API id and size, and how
// the store describes it.
type tgFile struct {
	id   string
	size int
	file store.File
}

// fileOf is the file on m, nil when it carries none the desk relays.
func fileOf(m *tgbotapi.Message) *tgFile {
	switch {
	case m.Document != nil:
		d := m.Document
		return &tgFile{d.FileID, d.FileSize, store.File{Kind: "document", Name: or(d.FileName, "document"), MIME: d.MimeType}}
	case len(m.Photo) > 0:
		p := m.Photo[len(m.Photo)-1] // the largest size
		return &tgFile{p.FileID, p.FileSize, store.File{Kind: "image", Name: "photo.jpg", MIME: "image/jpeg"}}
	case m.Voice != nil:
		v := m.Voice
		return &tgFile{v.FileID, v.FileSize, store.File{Kind: "voice", Name: "voice.ogg", MIME: or(v.MimeType, "audio/ogg")}}
	case m.Audio != nil:
		au := m.Audio
		return &tgFile{au.FileID, au.FileSize, store.File{Kind: "audio", Name: or(au.FileName, "audio"), MIME: au.MimeType}}
	case m.Video != nil:
		v := m.Video
		return &tgFile{v.FileID, v.FileSize, store.File{Kind: "video", Name: or(v.FileName, "video.mp4"), MIME: or(v.MimeType, "video/mp4")}}
	case m.VideoNote != nil:
		v := m.VideoNote
		return &tgFile{v.FileID, v.FileSize, store.File{Kind: "video", Name: "video.mp4", MIME: "video/mp4"}}
	}
	return nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// errTooBig is a file over the Bot API's download limit.
var errTooBig = errors.New("file over Telegram's 20 MB download limit")

// file describes a staff file for the desk. A file the desk may relay to a
// customer (mayRelay) is downloaded into FileDir; a file over Telegram's 20 MB limit cannot be,
// and the staff are told so in the chat (the file is then left out).
func (a *Adapter) file(ctx context.Context, updateID int, c chat, in inbound.StaffInput, parent store.OutboxMessage, tf *tgFile) (*store.File, error) {
	f := tf.file
	f.Bytes = int64(tf.size)
	if c.kind != inbound.ChatStaff || !mayRelay(in) || a.cfg.FileDir == "" {
		return &f, nil // not relayed: the description is enough
	}
	var err error
	if tf.size <= MaxDownload {
		f.Path, f.Bytes, err = a.download(ctx, updateID, tf)
	}
	if tf.size > MaxDownload || errors.Is(err, errTooBig) {
		a.cfg.Log.Info("staff file over 20 MB not relayed", "update_id", updateID, "bytes", tf.size)
		return nil, a.noteTooBig(ctx, updateID, c, parent, f)
	}
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// mayRelay reports a staff message the desk may send on to a customer: a
// reply to one of the bot's messages, or a message written in a ticket's
// topic. A forward or a reply to a person's message never is.
func mayRelay(in inbound.StaffInput) bool {
	return (in.ReplyTo != 0 || in.Thread != 0) && !in.Forwarded && !in.ReplyToOther && !in.ReplyToUnknown
}

// download fetches a file into FileDir and returns its path and size.
func (a *Adapter) download(ctx context.Context, updateID int, tf *tgFile) (string, int64, error) {
	info, err := a.with(ctx, a.cfg.SendTimeout).GetFile(tgbotapi.FileConfig{FileID: tf.id})
	if err != nil {
		var te *tgbotapi.Error
		if errors.As(err, &te) && strings.Contains(strings.ToLower(te.Message), "too big") {
			return "", 0, errTooBig
		}
		return "", 0, fmt.Errorf("getFile: %w", a.redact(err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(a.cfg.FileEndpoint, a.api.Token, info.FilePath), nil)
	if err != nil {
		return "", 0, fmt.Errorf("download: %w", a.redact(err))
	}
	// Sized by the file: a slow but moving download is not a stall.
	resp, err := boundClient{ctx: ctx, timeout: a.transferTimeout(int64(max(tf.size, info.FileSize))), c: a.api.Client}.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("download: %w", a.redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	if err := os.MkdirAll(a.cfg.FileDir, 0o700); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(a.cfg.FileDir, ".part-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	n, err := io.Copy(tmp, io.LimitReader(resp.Body, MaxDownload+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("download: %w", a.redact(err))
	}
	if n > MaxDownload {
		return "", 0, errTooBig
	}
	path := filepath.Join(a.cfg.FileDir, fmt.Sprintf("tg-%d-%s", updateID, outbox.SafeFileName(tf.file.Name)))
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, err
	}
	return path, n, nil
}

// noteTooBig has the chat told, once per update, that a file was not
// relayed.
func (a *Adapter) noteTooBig(ctx context.Context, updateID int, c chat, parent store.OutboxMessage, f store.File) error {
	now := a.cfg.Now()
	return a.st.InTx(ctx, func(tx store.Store) error {
		fresh, err := tx.RecordInbound(ctx, inbound.TransportTelegram, a.updateKey(updateID)+":file-too-big", now)
		if err != nil || !fresh {
			return err
		}
		return a.cfg.Notify.Notify(ctx, tx, now, notice.TelegramFileTooBig{Chat: c.addr, Ticket: parent.TicketID, Name: f.Name, Bytes: f.Bytes})
	})
}
