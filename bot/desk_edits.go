package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"supportbot/outbox"
	"supportbot/store"
)

// staffEdit answers a staff member's edit of an earlier message in the
// staff group. What a message did stands: the customer keeps what was
// sent (a WhatsApp message the bot sent is not changed), and the edit does
// not send anything anew, since re-sending the whole text at every typo
// fix would flood the customer. So the editor is told, once per message,
// in reply: when the customer has the old text, to send the correction as
// a new message; when the message was kept as an internal note and the
// edit would now reach the customer, that nothing was sent. Edits of
// commands and of group chat are left alone (docs/telegram.md, "Edits").
func (d *Desk) staffEdit(ctx context.Context, tx store.Store, in staffIn) error {
	if in.Chat != ChatStaff || in.MessageID == 0 || strings.HasPrefix(dropMarks(strings.TrimSpace(in.Text)), "/") {
		return nil
	}
	id, toCustomer, err := d.repliedTicket(ctx, tx, in)
	if err != nil || id == 0 {
		return err
	}
	ms, err := tx.Messages(ctx, id)
	if err != nil {
		return fmt.Errorf("desk: messages of ticket %d: %w", id, err)
	}
	var sent, noted bool
	for _, m := range ms {
		if m.UserID != in.UserID || !m.At.Equal(in.Original) {
			continue
		}
		sent = sent || m.Direction == store.FromStaff
		noted = noted || m.Direction == store.StaffNote
	}
	bare := strings.TrimLeftFunc(strings.TrimSpace(in.Text), isMark)
	nowForCustomer := toCustomer && !strings.HasPrefix(bare, "!") && !in.Forwarded && !in.ReplyToOther
	var key string
	switch {
	case sent && in.Thread != 0:
		key = "desk.edit.customer_has_old_topic"
	case sent:
		key = "desk.edit.customer_has_old"
	case noted && nowForCustomer:
		key = "desk.edit.note_not_sent"
	default:
		return nil
	}
	first, err := tx.RecordNotice(ctx, "staff_edit:"+in.Chat+":"+strconv.FormatInt(in.MessageID, 10), in.At)
	if err != nil || !first {
		return err
	}
	_, err = d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), TicketID: id, Thread: answerThread(in.StaffInput),
		ReplyToMessage: in.MessageID, Text: d.printer.T(key, map[string]any{"id": id})})
	return err
}

// anonymousPost answers an administrator who posted as the group: the bot
// cannot tell who they are, so a command or an answer to a ticket from
// them is not acted on, and they are told so in reply with how to post as
// themselves. Group chat from them is left alone.
func (d *Desk) anonymousPost(ctx context.Context, tx store.Store, in staffIn) error {
	acts := strings.HasPrefix(dropMarks(strings.TrimSpace(in.Text)), "/")
	ticket := max(in.Thread, 0)
	if !acts && in.Chat == ChatStaff && !in.Forwarded && !in.ReplyToOther {
		id, _, err := d.repliedTicket(ctx, tx, in)
		if err != nil {
			return err
		}
		acts, ticket = id != 0 || in.ReplyToUnknown, id
	}
	if !acts {
		return nil
	}
	_, err := d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), TicketID: ticket, Thread: answerThread(in.StaffInput),
		ReplyToMessage: in.MessageID, Text: d.printer.T("desk.anonymous", nil)})
	return err
}
