package whatsapp

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/store"
)

// describe is the text form of a message that carries neither text nor a
// file the bot keeps: a location as a map link, a contact card as name
// and number, a poll, a sticker, a list or button choice. "" when m is
// none of these.
func (a *Adapter) describe(m *waE2E.Message) string {
	say := a.cfg.Say
	switch {
	case m.GetLocationMessage() != nil:
		l := m.GetLocationMessage()
		return say("whatsapp.kind.location", map[string]any{"link": mapLink(l.GetDegreesLatitude(), l.GetDegreesLongitude()),
			"name": strings.TrimSpace(l.GetName() + " " + l.GetAddress())})
	case m.GetLiveLocationMessage() != nil:
		l := m.GetLiveLocationMessage()
		return say("whatsapp.kind.location", map[string]any{"link": mapLink(l.GetDegreesLatitude(), l.GetDegreesLongitude()), "name": l.GetCaption()})
	case m.GetContactMessage() != nil:
		c := m.GetContactMessage()
		return say("whatsapp.kind.contact", map[string]any{"name": c.GetDisplayName(), "phone": vcardPhones(c.GetVcard())})
	case m.GetContactsArrayMessage() != nil:
		var lines []string
		for _, c := range m.GetContactsArrayMessage().GetContacts() {
			lines = append(lines, say("whatsapp.kind.contact", map[string]any{"name": c.GetDisplayName(), "phone": vcardPhones(c.GetVcard())}))
		}
		return strings.Join(lines, "\n")
	case poll(m) != nil:
		p := poll(m)
		var opts []string
		for _, o := range p.GetOptions() {
			opts = append(opts, "• "+o.GetOptionName())
		}
		return say("whatsapp.kind.poll", map[string]any{"question": p.GetName(), "options": strings.Join(opts, "\n")})
	case m.GetStickerMessage() != nil:
		return say("whatsapp.kind.sticker", nil)
	case m.GetListResponseMessage() != nil:
		l := m.GetListResponseMessage()
		return or(l.GetTitle(), l.GetSingleSelectReply().GetSelectedRowID())
	case m.GetButtonsResponseMessage() != nil:
		return m.GetButtonsResponseMessage().GetSelectedDisplayText()
	case m.GetTemplateButtonReplyMessage() != nil:
		return m.GetTemplateButtonReplyMessage().GetSelectedDisplayText()
	case m.GetInteractiveResponseMessage() != nil:
		return m.GetInteractiveResponseMessage().GetBody().GetText()
	}
	return ""
}

func poll(m *waE2E.Message) *waE2E.PollCreationMessage {
	for _, p := range []*waE2E.PollCreationMessage{m.GetPollCreationMessage(), m.GetPollCreationMessageV2(), m.GetPollCreationMessageV3()} {
		if p != nil {
			return p
		}
	}
	return nil
}

// mapLink opens a point on a map in any browser.
func mapLink(lat, lon float64) string {
	return fmt.Sprintf("https://maps.google.com/?q=%.6f,%.6f", lat, lon)
}

// vcardPhones lists the TEL values of a vCard.
func vcardPhones(vcard string) string {
	var out []string
	for _, line := range strings.Split(vcard, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(strings.ToUpper(line), "TEL") {
			continue
		}
		if _, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(v) != "" {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return strings.Join(out, "، ")
}

// protocol handles an edit or a revoke of a customer's earlier message:
// staff see it beside that message's address. It reports whether m was one.
func (a *Adapter) protocol(ctx context.Context, e *events.Message, c contact) (bool, error) {
	p := e.Message.GetProtocolMessage()
	if p == nil && !e.IsEdit {
		return false, nil
	}
	ed, isEditor := a.h.(Editor)
	switch {
	case p.GetType() == waE2E.ProtocolMessage_REVOKE:
		if isEditor {
			return true, a.edited(ctx, ed, inbound.CustomerEdit{ID: e.Info.ID, Chat: e.Info.Chat.ToNonAD().String(),
				Original: p.GetKey().GetID(), Phone: c.addr, At: a.cfg.Now(), Revoked: true})
		}
		return true, a.tellOnce(ctx, "revoke:"+e.Info.ID, notice.WhatsAppRevoked{Address: c.addr})
	case p.GetType() == waE2E.ProtocolMessage_MESSAGE_EDIT || e.IsEdit:
		edited := p.GetEditedMessage()
		if edited == nil {
			edited = e.Message
		}
		text, _ := content(edited)
		if text == "" {
			return true, nil
		}
		if isEditor {
			return true, a.edited(ctx, ed, inbound.CustomerEdit{ID: e.Info.ID, Chat: e.Info.Chat.ToNonAD().String(),
				Original: p.GetKey().GetID(), Phone: c.addr, At: a.cfg.Now(), Text: text})
		}
		return true, a.tellOnce(ctx, "edit:"+e.Info.ID, notice.WhatsAppEdited{Address: c.addr, Text: text})
	}
	return true, nil // other protocol messages (keys, history, ephemeral settings) are whatsmeow's
}

// Editor shows staff a customer's edit or deletion of an earlier message
// beside that message; *bot.Engine is one (cmd/supportbot checks it). Without it staff get a note
// with the customer's address.
type Editor interface {
	HandleEdit(ctx context.Context, ed inbound.CustomerEdit) error
}

func (a *Adapter) edited(ctx context.Context, ed Editor, e inbound.CustomerEdit) error {
	if err := ed.HandleEdit(ctx, e); err != nil {
		return err
	}
	a.cfg.Handled()
	return nil
}

// call answers a WhatsApp call the bot cannot take: a short reply to the
// caller, who wrote before, and a missed-call note to staff.
func (a *Adapter) call(e *events.CallOffer) bool {
	if !e.GroupJID.IsEmpty() {
		return true
	}
	if !a.begin() {
		return false
	}
	defer a.end()
	ctx := a.base
	c, ok := a.address(ctx, types.MessageInfo{MessageSource: types.MessageSource{Chat: e.From.ToNonAD(), Sender: e.From.ToNonAD(), SenderAlt: e.CallCreatorAlt.ToNonAD()}})
	if !ok {
		return true
	}
	if err := a.st.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: c.addr, JID: c.jid.String(), LastAt: a.cfg.Now()}); err != nil {
		a.cfg.Log.Error("call", "err", err)
		return false
	}
	if err := a.tellOnce(ctx, "call:"+e.CallID, notice.WhatsAppMissedCall{Address: c.addr, At: e.Timestamp}); err != nil {
		a.cfg.Log.Error("call", "err", err)
		return false
	}
	return true
}

// undecryptableWait is how long a message that could not be decrypted is
// given to arrive after all: whatsmeow asks the sender (and the company
// phone) for it again at once, and most come within seconds. Staff are
// asked to chase only one that did not.
const undecryptableWait = 2 * time.Minute

// undecrypted is a message that could not be decrypted and has not
// arrived yet: who wrote it and when it was seen.
type undecrypted struct {
	id, addr string
	at       time.Time
}

// undecryptable notes a message that could not be opened; staff are told
// once if it has not arrived within undecryptableWait (checkUndecrypted).
func (a *Adapter) undecryptable(e *events.UndecryptableMessage) bool {
	if ignored(e.Info) != "" {
		return true
	}
	if e.DecryptFailMode == events.DecryptFailHide {
		// WhatsApp marks what a phone would not show either when it fails
		// (a reaction, a poll vote, an edit's companion): nothing to ask
		// the customer for.
		a.cfg.Log.Debug("a hidden message could not be decrypted; ignored", "message_id", e.Info.ID)
		return true
	}
	if !a.begin() {
		return false
	}
	defer a.end()
	c, ok := a.address(a.base, e.Info)
	if !ok {
		return true
	}
	a.cfg.Log.Warn("a message could not be decrypted; asked for again", "message_id", e.Info.ID, "unavailable", e.IsUnavailable, "fail_mode", string(e.DecryptFailMode))
	key := undecryptedKey(e.Info)
	a.mu.Lock()
	if _, ok := a.undecrypted[key]; !ok {
		a.undecrypted[key] = undecrypted{id: e.Info.ID, addr: c.addr, at: a.cfg.Now()}
	}
	a.mu.Unlock()
	return true
}

func undecryptedKey(info types.MessageInfo) string {
	return info.Chat.ToNonAD().String() + " " + info.ID
}

// arrived forgets a message that could not be decrypted once it comes
// after all (whatsmeow's retry worked).
func (a *Adapter) arrived(info types.MessageInfo) {
	key := undecryptedKey(info)
	a.mu.Lock()
	_, was := a.undecrypted[key]
	delete(a.undecrypted, key)
	a.mu.Unlock()
	if was {
		a.cfg.Log.Info("a message that could not be decrypted arrived after all", "message_id", info.ID)
	}
}

// checkUndecrypted tells staff, once each, of the messages that could not
// be decrypted and have not arrived within undecryptableWait; all of them
// when the adapter is closing, so a stop loses none.
func (a *Adapter) checkUndecrypted(ctx context.Context, now time.Time, all bool) {
	a.mu.Lock()
	var due []undecrypted
	for _, u := range a.undecrypted {
		if all || now.Sub(u.at) >= undecryptableWait {
			due = append(due, u)
		}
	}
	a.mu.Unlock()
	if len(due) == 0 || !a.begin() {
		return
	}
	defer a.end()
	for _, u := range due {
		if err := a.tellOnce(ctx, "undecryptable:"+u.id, notice.WhatsAppUndecryptable{Address: u.addr}); err != nil {
			a.cfg.Log.Error("undecryptable message: tell staff; tried again in a minute", "message_id", u.id, "err", err)
			continue
		}
		a.mu.Lock()
		for k, v := range a.undecrypted {
			if v == u {
				delete(a.undecrypted, k)
			}
		}
		a.mu.Unlock()
	}
}

// tellOnce reports ev once per key (a WhatsApp event's id), so a
// redelivery of the event tells nobody twice.
func (a *Adapter) tellOnce(ctx context.Context, key string, ev notice.Event) error {
	now := a.cfg.Now()
	err := a.once(ctx, key, func(tx store.Store) error { return a.cfg.Notify.Notify(ctx, tx, now, ev) })
	if err == nil {
		a.cfg.Handled()
	}
	return err
}

// once runs f in a transaction unless key was done before: the notice
// "whatsapp_told:KEY" marks a WhatsApp event already told, so a
// redelivery or a retry of it tells nobody twice.
func (a *Adapter) once(ctx context.Context, key string, f func(tx store.Store) error) error {
	return a.st.InTx(ctx, func(tx store.Store) error {
		fresh, err := tx.RecordNotice(ctx, "whatsapp_told:"+key, a.cfg.Now())
		if err != nil || !fresh {
			return err
		}
		return f(tx)
	})
}
