package jobs

import (
	"context"
	"fmt"
	"time"

	"supportbot/store"
)

// pruneSpec is when the ids of old inbound messages are forgotten: every
// night at 04:30 office time, when nobody writes.
const pruneSpec = "30 4 * * *"

// pruneStretch is how many ids one transaction of the sweep looks at: a
// millisecond or two of the writer's time, so messages arriving meanwhile
// barely wait.
const pruneStretch = 2000

// RunInboundPrune forgets the ids of inbound messages sent more than the
// configured number of days before now (Config.InboundIDDays), in
// short transactions over the whole table. Without it the table that
// recognises redeliveries grows by every message ever received. Running
// it twice forgets nothing more. Messages held without being acted on
// (flood, cut texts, refused files) are forgotten with the same retention.
func (j *Work) RunInboundPrune(ctx context.Context, now time.Time) error {
	before := now.AddDate(0, 0, -j.cfg.InboundIDDays)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := j.st.PruneHeld(ctx, before, pruneStretch)
		if err != nil {
			return fmt.Errorf("forget held messages before %s: %w", before.Format(time.RFC3339), err)
		}
		if n < pruneStretch {
			break
		}
	}
	var key store.InboundKey
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		next, _, done, err := j.st.PruneInbound(ctx, before, key, pruneStretch)
		if err != nil {
			return fmt.Errorf("forget inbound ids before %s: %w", before.Format(time.RFC3339), err)
		}
		if done {
			return nil
		}
		key = next
	}
}
