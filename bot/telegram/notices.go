package telegram

import (
	"context"
	"time"

	"supportbot/notice"
	"supportbot/store"
)

// noticeTimeout bounds the transaction that stores a notice.
const noticeTimeout = 10 * time.Second

// notify hands ev to the core (Config.Notify) in a transaction of its own,
// with what the adapter records of it (also, when given), and wakes the
// dispatcher; a failure is logged, as the situation is.
func (a *Adapter) notify(ctx context.Context, ev notice.Event, also ...func(context.Context, store.Store) error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	err := a.st.InTx(ctx, func(tx store.Store) error {
		for _, f := range also {
			if err := f(ctx, tx); err != nil {
				return err
			}
		}
		return a.cfg.Notify.Notify(ctx, tx, a.cfg.Now(), ev)
	})
	if err != nil {
		a.cfg.Log.Error("tell staff and managers", "notice", ev.Kind(), "err", err)
		return
	}
	a.cfg.Handled()
}
