package telegram

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// part is one Telegram message of an outbox message: a text, or a file with
// an optional caption.
type part struct {
	text string
	file *store.File
}

// Send delivers an outbox message addressed "telegram:…" and returns
// "chat:message" of its first Telegram message. Long texts go as several
// messages; buttons sit under the last; a file goes as a photo or document
// with the text as caption when it fits. A retry after a partial failure
// sends only the parts not yet sent. Each request ends with ctx or its
// deadline (SendTimeout, more for a file). A message Telegram refuses for
// its markup goes again as plain text; a group that became a supergroup is
// followed; a group that refuses the bot (403) holds its messages.
func (a *Adapter) Send(ctx context.Context, m store.OutboxMessage) (string, error) {
	chatID, err := a.chatID(ctx, m.To)
	if err != nil {
		return "", err
	}
	if m.Edit != 0 {
		return a.edit(ctx, m, chatID)
	}
	parts, err := a.parts(m)
	if err != nil {
		return "", err
	}
	thread := 0
	if a.inTopic(m) {
		if m.Kind != store.OutboxCard {
			// A card posted again in a re-made topic that could not go
			// at once still goes before the rest of its ticket.
			if err := a.sendCardFirst(ctx, m.Thread); err != nil {
				return "", err
			}
		}
		if thread, err = a.topic(ctx, m, chatID); err != nil {
			return "", err
		}
	}
	send := func(base tgbotapi.BaseChat, p part, bold, plain bool) (tgbotapi.Message, error) {
		if thread == 0 {
			return a.sendPart(ctx, base, p, bold, plain)
		}
		sent, err := a.sendThreaded(ctx, base, p, bold, plain, thread)
		if topicClosed(err) && ctx.Err() == nil {
			// Someone closed the topic: the ticket has news, so it is
			// reopened (the bot made it, so it may) and the message goes
			// there; a new topic would split the ticket's history.
			if rerr := a.reopenTopic(ctx, m, chatID, thread); rerr != nil {
				return sent, rerr
			}
			sent, err = a.sendThreaded(ctx, base, p, bold, plain, thread)
		}
		if threadGone(err) && ctx.Err() == nil {
			// Someone deleted the topic: it is made again, and the
			// message goes there.
			a.cfg.Log.Warn("the ticket's forum topic is gone; making it again", "ticket", m.Thread, "thread", thread, "err", a.redact(err))
			_, had, ferr := a.topicOf(ctx, m.Thread, chatID)
			if ferr == nil {
				ferr = a.forgetTopic(ctx, m.Thread, chatID, had)
			}
			if ferr != nil {
				return sent, ferr
			}
			base.ReplyToMessageID = 0 // what it replied to was in the old topic
			if m.Kind != store.OutboxCard {
				// The card went with the old topic: the desk posts it
				// again now (a card or its edit being sent is the card),
				// and it goes first, making the new topic.
				var card int64
				a.notify(ctx, notice.TelegramTopicRemade{Ticket: m.Thread, Card: &card})
				a.cardFirst(m.Thread, card)
				if err := a.sendCardFirst(ctx, m.Thread); err != nil {
					return sent, err
				}
			}
			if thread, _, err = a.topicOf(ctx, m.Thread, chatID); err != nil {
				return sent, err
			}
			if thread == 0 {
				if thread, err = a.createTopic(ctx, m, chatID, topicTitle(m.Topic, had, m.Thread)); err != nil {
					return sent, err
				}
			}
			sent, err = a.sendThreaded(ctx, base, p, bold, plain, thread)
		}
		return sent, err
	}
	done, err := a.sentParts(ctx, m.ID, chatID)
	if err != nil {
		return "", err
	}
	markup := a.keyboard(m)
	for i := len(done); i < len(parts); i++ {
		base := tgbotapi.BaseChat{ChatID: chatID, AllowSendingWithoutReply: true}
		if i == 0 {
			base.ReplyToMessageID = a.replyTarget(ctx, m, chatID)
		}
		if i == len(parts)-1 && markup != nil {
			base.ReplyMarkup = *markup
		}
		bold := len(m.Buttons) > 0 && i == 0
		sent, err := send(base, parts[i], bold, false)
		if err != nil && refusedMarkup(err) {
			a.cfg.Log.Warn("Telegram refused the message's formatting; sending it as plain text", "outbox_id", m.ID, "err", a.redact(err))
			sent, err = send(base, parts[i], bold, true)
		}
		if err != nil {
			if to, ok := migratedTo(err); ok && to != chatID && ctx.Err() == nil {
				a.followMigration(ctx, m.To, chatID, to)
				return a.Send(ctx, m) // to the supergroup, from the start
			}
			return "", a.classify(m.To, chatID, err)
		}
		a.reachable(m.To, chatID)
		done = append(done, sent.MessageID)
		if len(parts) > 1 {
			// Recorded even when ctx ends meanwhile, or a retry repeats the part.
			if err := a.rememberParts(context.WithoutCancel(ctx), m.ID, chatID, done); err != nil {
				return "", err
			}
		}
	}
	return externalID(chatID, done[0]), nil
}

// inTopic says whether m goes to its ticket's forum topic.
func (a *Adapter) inTopic(m store.OutboxMessage) bool {
	return a.cfg.Topics && m.Thread > 0 && m.To == string(outbox.StaffGroup)
}

// sendPart sends one part under its deadline; plain sends the text as
// it is, with no HTML (and so no mention).
func (a *Adapter) sendPart(ctx context.Context, base tgbotapi.BaseChat, p part, bold, plain bool) (tgbotapi.Message, error) {
	if p.file != nil {
		c, size, closeFile, err := a.fileMessage(base, p, bold, plain)
		if err != nil {
			return tgbotapi.Message{}, err
		}
		defer closeFile()
		return a.with(ctx, a.transferTimeout(size)).Send(c)
	}
	c := tgbotapi.MessageConfig{BaseChat: base, Text: a.html(p.text, bold), ParseMode: tgbotapi.ModeHTML, DisableWebPagePreview: true}
	if plain {
		c.Text, c.ParseMode = outbox.PlainMentions(p.text), ""
	}
	return a.with(ctx, a.cfg.SendTimeout).Send(c)
}

// refusedMarkup reports a 400 about the message's formatting or a mention
// in it, which the same text without HTML avoids.
func refusedMarkup(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || apiCode(te) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(te.Message)
	for _, s := range []string{"parse entities", "entity", "tag", "user_id_invalid", "mention", "user_privacy"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// parts cuts m into Telegram messages.
func (a *Adapter) parts(m store.OutboxMessage) ([]part, error) {
	text := strings.TrimSpace(m.Text)
	if m.File != nil && m.File.Path != "" {
		if units(text) <= MaxCaption {
			return []part{{text: text, file: m.File}}, nil
		}
		var ps []part
		for _, t := range Split(text, MaxText) {
			ps = append(ps, part{text: t})
		}
		return append(ps, part{file: m.File}), nil
	}
	if m.File != nil && text == "" {
		text = "📎 " + m.File.Name
	}
	var ps []part
	for _, t := range Split(text, MaxText) {
		ps = append(ps, part{text: t})
	}
	if len(ps) == 0 {
		return nil, outbox.Permanent(errors.New("empty message"))
	}
	return ps, nil
}

// html escapes text for parse mode HTML; bold sets the first line in bold,
// the title of a card. The desk's mentions of known staff become links.
func (a *Adapter) html(text string, bold bool) string {
	return html(text, bold, a.staffName)
}

// html is Adapter.html with the staff names given by name ("" for an id
// that is not known staff).
func html(text string, bold bool, name func(int64) string) string {
	if !bold {
		return mentions(tgbotapi.EscapeText(tgbotapi.ModeHTML, text), name)
	}
	head, rest, cut := strings.Cut(text, "\n")
	s := "<b>" + tgbotapi.EscapeText(tgbotapi.ModeHTML, head) + "</b>"
	if cut {
		s += "\n" + tgbotapi.EscapeText(tgbotapi.ModeHTML, rest)
	}
	return mentions(s, name)
}

// literalMention finds a tg://user link written as text.
var literalMention = regexp.MustCompile(`(?i)(tg:)(//user)`)

// mentions turns the desk's mention tokens (outbox.MentionToken) into
// Telegram mentions showing the name, when the id is someone the bot has
// seen writing in a staff chat, so the dedicated person or the assignee is
// notified; any other token shows the name alone. A tg://user link written
// as text (by a customer, in a name, in a mistyped id) is never a link, even
// to known staff: a word joiner keeps Telegram from reading it as one.
// Mentions are only ever the desk's, so a mention Telegram refuses cannot
// come from outside and sink a message.
func mentions(escaped string, name func(int64) string) string {
	escaped = literalMention.ReplaceAllString(escaped, "${1}\u2060$2")
	ms := outbox.Mentions(escaped)
	if len(ms) == 0 {
		return outbox.PlainMentions(escaped)
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(escaped[last:m.Start])
		if name(m.UserID) != "" {
			b.WriteString(`<a href="tg://user?id=` + strconv.FormatInt(m.UserID, 10) + `">` + m.Name + `</a>`)
		} else {
			b.WriteString(m.Name)
		}
		last = m.End
	}
	b.WriteString(escaped[last:])
	return outbox.PlainMentions(b.String()) // stray marks
}

// fileMessage builds a sendPhoto or sendDocument of size bytes; closeFile
// releases the open file once the request is done.
func (a *Adapter) fileMessage(base tgbotapi.BaseChat, p part, bold, plain bool) (c tgbotapi.Chattable, size int64, closeFile func(), err error) {
	f, err := os.Open(p.file.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil, outbox.Permanent(fmt.Errorf("file %s is gone: %w", p.file.Name, err))
	}
	if err != nil {
		return nil, 0, nil, fmt.Errorf("file %s: %w", p.file.Name, err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, nil, fmt.Errorf("file %s: %w", p.file.Name, err)
	}
	if info.Size() > MaxUpload {
		f.Close()
		return nil, 0, nil, outbox.Permanent(fmt.Errorf("file %s is %d bytes, over Telegram's 50 MB limit for bots", p.file.Name, info.Size()))
	}
	name := p.file.Name
	if name == "" {
		name = filepath.Base(p.file.Path)
	}
	data := tgbotapi.FileReader{Name: name, Reader: f}
	caption, mode := "", tgbotapi.ModeHTML
	if p.text != "" {
		caption = a.html(p.text, bold)
	}
	if plain {
		caption, mode = outbox.PlainMentions(p.text), ""
	}
	bf := tgbotapi.BaseFile{BaseChat: base, File: data}
	if isPhoto(p.file, info.Size()) {
		c = tgbotapi.PhotoConfig{BaseFile: bf, Caption: caption, ParseMode: mode}
	} else {
		c = tgbotapi.DocumentConfig{BaseFile: bf, Caption: caption, ParseMode: mode}
	}
	return c, info.Size(), func() { f.Close() }, nil
}

// isPhoto says whether a file goes as a photo (shown inline) rather than a
// document: pictures in the formats and size sendPhoto takes.
func isPhoto(f *store.File, size int64) bool {
	if f.Kind != "image" || size > MaxPhotoUpload {
		return false
	}
	switch strings.ToLower(f.MIME) {
	case "image/jpeg", "image/png", "image/webp":
		return true
	}
	switch strings.ToLower(filepath.Ext(f.Name)) {
	case ".jpg", ".jpeg", ".png", ".webp":
		return true
	}
	return false
}

// keyboard is the inline keyboard for m's buttons, nil when it has none.
// Each button's callback data is outbox.CallbackData, short ASCII that
// Telegram accepts (64 bytes at most); a button whose data would not fit is
// left out and logged.
func (a *Adapter) keyboard(m store.OutboxMessage) *tgbotapi.InlineKeyboardMarkup {
	var buttons []tgbotapi.InlineKeyboardButton
	for _, b := range m.Buttons {
		data := outbox.CallbackData(b, m.TicketID)
		if !validCallback(data) || (!strings.Contains(b, ":") && m.TicketID == 0) {
			a.cfg.Log.Warn("button left out: no valid callback data (1-64 ASCII bytes with a ticket)", "outbox_id", m.ID, "button", shortButton(b))
			continue
		}
		buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(a.cfg.Label(b), data))
	}
	if len(buttons) == 0 {
		return nil
	}
	perRow := len(buttons)
	if perRow > 4 {
		perRow = 2
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for len(buttons) > 0 {
		n := min(perRow, len(buttons))
		rows = append(rows, buttons[:n])
		buttons = buttons[n:]
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// validCallback reports whether data is 1–64 bytes of printable ASCII.
func validCallback(data string) bool {
	if data == "" || len(data) > 64 {
		return false
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x21 || data[i] > 0x7e {
			return false
		}
	}
	return true
}

func shortButton(b string) string {
	if len(b) > 80 {
		return b[:80]
	}
	return b
}

// replyTarget is the Telegram message m threads under: the one its ReplyTo
// outbox message became, when that was sent to the same chat; else the
// person's message it answers (ReplyToMessage); 0 otherwise.
func (a *Adapter) replyTarget(ctx context.Context, m store.OutboxMessage, chatID int64) int {
	if m.ReplyTo == 0 {
		return int(m.ReplyToMessage)
	}
	parent, err := a.st.OutboxMessage(ctx, m.ReplyTo)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			a.cfg.Log.Warn("reply target", "outbox_id", m.ID, "err", err)
		}
		return 0
	}
	c, msg, ok := parseExternalID(parent.ExternalID)
	if !ok || c != chatID || parent.Status != store.OutboxSent {
		return 0
	}
	return msg
}

// sentParts lists the Telegram messages of outbox message id already sent
// to chatID by an earlier, partly failed try.
func (a *Adapter) sentParts(ctx context.Context, id, chatID int64) ([]int, error) {
	list, err := a.st.OutboxParts(ctx, id, strconv.FormatInt(chatID, 10))
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, s := range list {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, nil // not ours: start over
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// rememberParts records the parts sent so far (store.OutboxLinks): a retry
// sends the rest, and a reply to any part reaches the ticket.
func (a *Adapter) rememberParts(ctx context.Context, id, chatID int64, done []int) error {
	list := make([]string, len(done))
	for i, n := range done {
		list[i] = strconv.Itoa(n)
	}
	return a.st.SetOutboxParts(ctx, id, strconv.FormatInt(chatID, 10), list)
}
