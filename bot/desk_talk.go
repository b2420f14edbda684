package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"supportbot/store"
)

// staffTalk keeps a forward or a reply to a colleague's message about
// ticket id as an internal note: a forward is someone else's words and a
// reply to a colleague is staff talking among themselves, so neither is an
// answer to the customer (docs/telegram.md, "What reaches the customer").
// How to reach the customer is said the first time each person does it;
// after that the note is kept without a word, so a conversation among
// staff in a topic is not interrupted at every line.
func (d *Desk) staffTalk(ctx context.Context, tx store.Store, in staffIn, id int64, text string) error {
	if _, err := tx.Ticket(ctx, id); errors.Is(err, store.ErrNotFound) {
		return fail("desk.err.ticket_not_found", map[string]any{"id": id})
	} else if err != nil {
		return fmt.Errorf("desk: staff talk on ticket %d: %w", id, err)
	}
	in.audit.note("note", id, text)
	m := store.Message{TicketID: id, At: in.At, Direction: store.StaffNote, Author: d.staffName(in), UserID: in.UserID, Text: text, File: in.File}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return fmt.Errorf("desk: note on ticket %d: %w", id, err)
	}
	key := "desk.talk.colleague"
	switch {
	case in.Forwarded && in.Thread != 0:
		key = "desk.talk.forward_topic"
	case in.Forwarded:
		key = "desk.talk.forward"
	}
	first, err := tx.RecordNotice(ctx, "hint:"+key+":"+strconv.FormatInt(in.UserID, 10), in.At)
	if err != nil {
		return fmt.Errorf("desk: staff talk hint: %w", err)
	}
	if !first {
		return nil
	}
	return d.answer(ctx, tx, in, id, d.printer.T(key, map[string]any{"id": id}))
}
