package whatsapp

import (
	"context"
	"errors"
	"strings"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/inbound"
	"supportbot/store"
)

// CompanyPhone takes messages typed on the company phone itself into a
// customer's chat; *bot.Engine is one (cmd/supportbot checks it). A Handler that is not one has such
// messages logged and dropped.
type CompanyPhone interface {
	HandleCompanyPhone(ctx context.Context, m inbound.CompanyMessage) error
}

// fromMe hands on a message the company's own account sent in a
// customer's chat (IsFromMe: typed on the phone, which WhatsApp copies to
// every linked device). Chat is the customer; Sender is our own account.
// The bot never answers it. Our own sends, notes to self, edits and
// deletions from the phone are left alone.
func (a *Adapter) fromMe(ctx context.Context, e *events.Message) error {
	info := e.Info
	log := a.cfg.Log.With("message_id", info.ID)
	chat := info.Chat.ToNonAD()
	if own := info.Sender.ToNonAD(); own.User == chat.User && own.Server == chat.Server {
		log.Debug("note to self ignored")
		return nil
	}
	if info.DeviceSentMeta != nil && info.DeviceSentMeta.DestinationJID != "" {
		if dest, err := types.ParseJID(info.DeviceSentMeta.DestinationJID); err == nil && dest.ToNonAD() != chat {
			log.Debug("company-phone message for another chat ignored", "destination", dest.String())
			return nil
		}
	}
	if e.Message.GetProtocolMessage() != nil || e.IsEdit {
		log.Debug("company-phone edit or deletion ignored")
		return nil
	}
	h, ok := a.h.(CompanyPhone)
	if !ok {
		log.Info("company-phone message not recorded: the handler takes none")
		return nil
	}
	// A message this bot sent comes back only if WhatsApp echoes it; it is
	// already on the ticket.
	if _, err := a.st.WhatsAppSent(ctx, info.ID); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	text, media := content(e.Message)
	if strings.TrimSpace(text) == "" && media == nil {
		text = a.describe(e.Message)
	}
	if strings.TrimSpace(text) == "" && media == nil {
		log.Debug("company-phone message without text or file ignored", "type", info.Type)
		return nil
	}
	// The customer is the chat; WhatsApp may give their number beside a
	// hidden chat address (RecipientAlt).
	c, ok := a.address(ctx, types.MessageInfo{MessageSource: types.MessageSource{
		Chat: chat, Sender: chat, SenderAlt: info.RecipientAlt}, Timestamp: info.Timestamp})
	if !ok {
		log.Debug("company-phone message to an address that is not a person's ignored", "chat", chat.String())
		return nil
	}
	if info.Sender.Device == 0 {
		a.fromPhone(info.Sender, info.Timestamp) // typed on the phone, not on another linked device
	}
	if a.needsQueue(chat.String(), media) {
		return a.deferMessage(ctx, e, c, a.handledAt(info, log))
	}
	var file *store.File
	if media != nil {
		file = a.keep(ctx, info.ID, media, log)
	}
	log.Info("answer typed on the company phone", "lid", strings.HasPrefix(c.addr, lidPrefix), "text_len", len(text), "file", file != nil)
	if err := h.HandleCompanyPhone(ctx, inbound.CompanyMessage{ID: info.ID, Chat: chat.String(), Phone: c.addr,
		At: a.handledAt(info, log), Text: text, File: file}); err != nil {
		return err
	}
	a.answeredByPhone(ctx, c.addr)
	a.cfg.Worked()
	a.cfg.Handled()
	return nil
}
