package bot

import (
	"context"
	"fmt"
	"time"

	"supportbot/outbox"
	"supportbot/store"
)

// TellManagersPrivately words the catalog text key with args and enqueues
// it to each configured manager's private chat — never a group, since a
// group may be what the notice is about (the bot removed from it). The
// transports report such events; the core words and sends them.
func (e *Engine) TellManagersPrivately(ctx context.Context, at time.Time, key string, args map[string]any) error {
	text := e.printer.T(key, args)
	return e.store.InTx(ctx, func(tx store.Store) error {
		for _, id := range e.desk.cfg.Managers {
			if _, err := outbox.Enqueue(ctx, tx, at, outbox.Post{To: outbox.TelegramUser(id), Text: text}); err != nil {
				return fmt.Errorf("tell managers: %w", err)
			}
		}
		return nil
	})
}
