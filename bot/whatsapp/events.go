package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/notice"
	"supportbot/store"
)

// Settings the adapter keeps in the store.
const (
	// SettingBanUntil is the end of a temporary ban (RFC 3339), "" when none.
	SettingBanUntil = "whatsapp_ban_until"
	// SettingPhoneSeen is when the company phone was last heard from
	// (RFC 3339).
	SettingPhoneSeen = "whatsapp_phone_seen"
)

// banRecheck is how long a ban of unknown length holds sending back
// before the bot tries to connect again.
const banRecheck = 6 * time.Hour

// Waits before Run connects again where whatsmeow does not: the first
// wait after a failure, doubled each time up to the last.
const (
	firstReconnectWait = time.Minute
	maxReconnectWait   = time.Hour
	// outdatedRecheck: a refused version stays refused until supportbot is
	// updated, but trying now and then costs nothing.
	outdatedRecheck = 6 * time.Hour
	// phoneSeenEvery bounds how often a sign of the phone is stored.
	phoneSeenEvery = time.Hour
)

// Run connects (unless the session needs pairing or a ban still holds),
// reconnects where whatsmeow does not, watches for a long disconnection
// and a silent company phone, and tells staff about messages that were
// never delivered, until ctx is done. Then it finishes the message in hand
// and stops taking new ones (they are not acknowledged, so WhatsApp
// delivers them again), but stays connected so the outbox can still be
// flushed: call Disconnect after. It returns nil.
func (a *Adapter) Run(ctx context.Context) error {
	if a.link.Subscribe != nil {
		a.link.Subscribe(a.HandleEvent)
	}
	a.loadBan(ctx)
	a.loadPhoneSeen(ctx)
	a.resume(ctx)
	if !a.link.Paired {
		a.cfg.Log.Error("WhatsApp is not paired: customers get no answers until it is", "fix", a.cfg.PairCommand+", then restart supportbot")
		a.notify(ctx, notice.WhatsAppNotPaired{Command: a.cfg.PairCommand})
	} else {
		a.connect()
	}
	tick := time.NewTicker(a.cfg.Tick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			a.Close()
			a.cfg.Log.Info("stopped taking messages")
			return nil
		case <-tick.C:
		}
		a.Check(ctx)
	}
}

// Check is one round of Run's watch: undelivered messages, a long
// disconnection, a silent phone, a stuck queue (whose failed chats are
// tried again), a reconnection that is due.
func (a *Adapter) Check(ctx context.Context) {
	if err := a.CheckUndelivered(ctx); err != nil && ctx.Err() == nil {
		a.cfg.Log.Error("check undelivered messages", "err", err)
	}
	now := a.cfg.Now()
	a.checkDown(now)
	a.mu.Lock()
	state, at := a.state, a.reconnectAt
	a.mu.Unlock()
	a.checkPhone(ctx, now)
	a.checkUndecrypted(ctx, now, false)
	a.checkQueue(ctx, now)
	a.q.retry()
	if state == StateLoggedOut || at.IsZero() || now.Before(at) || a.link.Client.IsConnected() {
		return
	}
	a.connect()
}

// checkDown turns a reconnection that has lasted DownAfter into
// StateDisconnected, and reports it.
func (a *Adapter) checkDown(now time.Time) {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.mu.Lock()
	state, since := a.state, a.downSince
	a.mu.Unlock()
	a.mu.Lock()
	stale := a.staleLink
	a.mu.Unlock()
	if state != StateReconnecting || since.IsZero() || now.Sub(since) < a.cfg.DownAfter || (a.link.Client.IsConnected() && !stale) {
		return
	}
	a.setState(StateDisconnected)
	a.cfg.Log.Error("WhatsApp has been disconnected for a while: customers are not heard", "since", since)
	a.tell(notice.WhatsAppDown{Since: since, For: now.Sub(since)})
}

// Disconnect closes the connection, after Run has returned and the outbox
// was flushed.
func (a *Adapter) Disconnect() {
	if a.link.Disconnect != nil {
		a.link.Disconnect()
	}
}

// connect opens the connection unless the session is logged out or a ban
// holds; a failed connect is tried again with a growing wait.
func (a *Adapter) connect() {
	a.mu.Lock()
	until, state := a.banUntil, a.state
	a.mu.Unlock()
	if state == StateLoggedOut || (!until.IsZero() && a.cfg.Now().Before(until)) || a.link.Connect == nil {
		return
	}
	a.mu.Lock()
	a.reconnectAt = time.Time{}
	a.mu.Unlock()
	err := a.link.Connect()
	if err != nil {
		wait := a.retryLater()
		a.cfg.Log.Warn("connect to WhatsApp; will retry", "err", err, "retry_in", wait)
	}
}

// retryLater has Run connect again after the next wait, and returns it.
func (a *Adapter) retryLater() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	wait := a.reconnectWait
	if wait <= 0 {
		wait = firstReconnectWait
	}
	a.reconnectAt = a.cfg.Now().Add(wait)
	a.reconnectWait = min(2*wait, maxReconnectWait)
	return wait
}

// loadBan restores a ban from an earlier run.
func (a *Adapter) loadBan(ctx context.Context) {
	v, err := a.st.Setting(ctx, SettingBanUntil)
	if err != nil || v == "" {
		return
	}
	until, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !a.cfg.Now().Before(until) {
		return
	}
	a.mu.Lock()
	a.banUntil = until
	a.reconnectAt = until
	a.mu.Unlock()
	a.setState(StateBanned)
	a.cfg.Log.Warn("temporarily banned; sending waits", "until", until)
}

func (a *Adapter) connected() {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.mu.Lock()
	a.staleLink = false
	a.connectedAt = a.cfg.Now()
	a.banUntil = time.Time{}
	a.reconnectAt = time.Time{}
	a.reconnectWait = 0
	a.downSince = time.Time{}
	a.mu.Unlock()
	a.setState(StateConnected)
	if !a.begin() {
		return
	}
	defer a.end()
	ctx := a.base
	if err := a.st.SetSetting(ctx, SettingBanUntil, ""); err != nil {
		a.cfg.Log.Warn("clear ban", "err", err)
	}
	a.sawPhone(ctx, time.Time{})         // a first connection starts the phone's clock
	a.notify(ctx, notice.WhatsAppBack{}) // said only after a problem staff were told of
	a.cfg.Available()                    // held messages can go now
}

// disconnected notes a lost link; whatsmeow reconnects by itself (or Run
// does, after reconnectLater). A state that needs more than a reconnection
// stays.
func (a *Adapter) disconnected(why string) {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.mu.Lock()
	state := a.state
	if state == StateConnected {
		a.downSince = a.cfg.Now()
	}
	a.staleLink = false // closed: IsConnected says so from now on
	a.mu.Unlock()
	if state == StateConnected {
		a.setState(StateReconnecting)
	}
	a.cfg.Log.Warn("connection lost", "why", why)
}

// keepaliveFailed: WhatsApp has stopped answering the link's keepalives
// (whatsmeow pings every 20-30 s). The socket stays open, so whatsmeow sends
// no Disconnected, and only after 3 minutes does it close and reopen it,
// still without an event: customers are not heard meanwhile. A timeout
// from a connection that has since been replaced (its last success before
// the current connection began) is ignored.
func (a *Adapter) keepaliveFailed(e *events.KeepAliveTimeout) {
	a.mu.Lock()
	since := a.connectedAt
	a.mu.Unlock()
	if !e.LastSuccess.IsZero() && !since.IsZero() && e.LastSuccess.Before(since.Add(-time.Minute)) {
		a.cfg.Log.Debug("keepalive timeout of an earlier connection ignored", "last_success", e.LastSuccess)
		return
	}
	a.stale("keepalive timeout", e.LastSuccess)
}

// stale notes a link that is open but not working (keepalives unanswered,
// a stream error): the state is reconnecting, sends wait, and if it lasts
// DownAfter it is down and reported, whatever the socket says, until the
// link works again (KeepAliveRestored) or is made anew (Connected).
func (a *Adapter) stale(why string, lastSuccess time.Time) {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.mu.Lock()
	state := a.state
	if state == StateConnected || state == StateReconnecting || state == StateDisconnected {
		a.staleLink = true
	}
	if state == StateConnected {
		a.downSince = a.cfg.Now()
	}
	a.mu.Unlock()
	if state == StateConnected {
		a.setState(StateReconnecting)
	}
	a.cfg.Log.Warn("the WhatsApp link is open but not working; customers are not heard until it is", "why", why, "last_success", lastSuccess)
}

// keepaliveRestored: the keepalives are answered again on the same link,
// which counts as a reconnection (whatsmeow sends no Connected).
func (a *Adapter) keepaliveRestored() {
	a.mu.Lock()
	stale := a.staleLink
	a.mu.Unlock()
	a.cfg.Log.Info("keepalive restored")
	if stale {
		a.connected()
	}
}

// replaced: another process connected with this session. whatsmeow does
// not reconnect; Run does, with a growing wait, so an overlapping restart
// heals and two copies running do not fight every second.
func (a *Adapter) replaced() {
	a.transition.Lock()
	defer a.transition.Unlock()
	wait := a.retryLater()
	a.setState(StateReplaced)
	a.cfg.Log.Error("another process connected with this WhatsApp session; this one was disconnected: run only one supportbot per session file",
		"retry_in", wait)
	a.tell(notice.WhatsAppReplaced{})
}

// outdated: WhatsApp refuses this whatsmeow version until supportbot is
// updated.
func (a *Adapter) outdated() {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.mu.Lock()
	a.reconnectAt = a.cfg.Now().Add(outdatedRecheck)
	a.mu.Unlock()
	a.setState(StateOutdated)
	a.cfg.Log.Error("WhatsApp refuses this client as outdated (405): customers are not heard until supportbot is updated",
		"whatsmeow", WhatsmeowVersion(), "fix", "update go.mau.fi/whatsmeow (README: Keeping whatsmeow current), rebuild, restart")
	a.tell(notice.WhatsAppOutdated{Version: WhatsmeowVersion()})
}

// connectFailure: WhatsApp refused the connection for a reason whatsmeow
// does not know, or the link ended in a way whatsmeow does not reconnect
// after (why); Run reconnects, and a long spell is reported as down.
func (a *Adapter) connectFailure(why string) {
	a.transition.Lock()
	defer a.transition.Unlock()
	wait := a.retryLater()
	a.mu.Lock()
	if a.state == StateConnected || a.downSince.IsZero() {
		a.downSince = a.cfg.Now()
	}
	state := a.state
	a.mu.Unlock()
	if state != StateDisconnected {
		a.setState(StateReconnecting)
	}
	a.cfg.Log.Error("WhatsApp ended the connection and does not reconnect by itself; the bot does", "why", why, "retry_in", wait)
}

// tell is notify from an event handler: it counts as work in hand.
func (a *Adapter) tell(ev notice.Event) {
	if !a.begin() {
		return
	}
	defer a.end()
	a.notify(a.base, ev)
}

// loggedOut stops everything until the account is paired again, and tells
// the log and the staff group how.
func (a *Adapter) loggedOut(e *events.LoggedOut) {
	a.transition.Lock()
	defer a.transition.Unlock()
	a.setState(StateLoggedOut)
	a.cfg.Log.Error("WhatsApp logged this session out: customers get no answers until it is paired again",
		"reason", e.Reason.String(), "on_connect", e.OnConnect, "fix", a.cfg.PairCommand+", then restart supportbot")
	a.tell(notice.WhatsAppLoggedOut{Command: a.cfg.PairCommand})
}

// banned stops sending until the ban ends and tells staff and managers.
func (a *Adapter) banned(e *events.TemporaryBan) {
	a.transition.Lock()
	defer a.transition.Unlock()
	now := a.cfg.Now()
	wait := e.Expire
	if wait <= 0 {
		wait = banRecheck
	}
	until := now.Add(wait)
	a.mu.Lock()
	a.banUntil = until
	a.reconnectAt = until // whatsmeow does not reconnect after a ban
	a.mu.Unlock()
	a.setState(StateBanned)
	a.cfg.Log.Error("WhatsApp temporarily banned the account; sending stops", "reason", e.Code.String(), "expire", e.Expire, "until", until)
	if !a.begin() {
		return
	}
	defer a.end()
	ctx := a.base
	if err := a.st.SetSetting(ctx, SettingBanUntil, until.UTC().Format(time.RFC3339Nano)); err != nil {
		a.cfg.Log.Error("store ban", "err", err)
	}
	a.notify(ctx, notice.WhatsAppBanned{Code: int(e.Code), Until: until, LengthKnown: e.Expire > 0})
}

// fromPhone notes an event the company phone itself caused (its receipts
// and messages come from device 0 of our own account).
func (a *Adapter) fromPhone(sender types.JID, at time.Time) {
	if sender.Device != 0 {
		return
	}
	if !a.begin() {
		return
	}
	defer a.end()
	a.sawPhone(a.base, at)
}

// sawPhone stores a sign of the company phone at (zero: only when none is
// stored yet), at most once per phoneSeenEvery.
func (a *Adapter) sawPhone(ctx context.Context, at time.Time) {
	now := a.cfg.Now()
	if at.IsZero() || at.After(now) {
		a.mu.Lock()
		first := a.phoneSeen.IsZero()
		a.mu.Unlock()
		if !first && at.IsZero() {
			return
		}
		at = now
	}
	a.mu.Lock()
	skip := !a.phoneSeen.IsZero() && at.Sub(a.phoneSeen) < phoneSeenEvery
	if !skip {
		a.phoneSeen = at
	}
	a.mu.Unlock()
	if skip {
		return
	}
	if err := a.st.SetSetting(ctx, SettingPhoneSeen, at.UTC().Format(time.RFC3339)); err != nil {
		a.cfg.Log.Warn("store when the phone was seen", "err", err)
	}
}

func (a *Adapter) loadPhoneSeen(ctx context.Context) {
	v, err := a.st.Setting(ctx, SettingPhoneSeen)
	if err != nil || v == "" {
		return
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		a.mu.Lock()
		a.phoneSeen = t
		a.mu.Unlock()
	}
}

// checkPhone warns staff and managers once per silence when the company
// phone has not been seen for PhoneWarnAfter: WhatsApp unlinks companion
// devices after about 14 days without the phone.
func (a *Adapter) checkPhone(ctx context.Context, now time.Time) {
	a.mu.Lock()
	seen, state, reported := a.phoneSeen, a.state, a.phoneReported
	a.mu.Unlock()
	if seen.IsZero() || state != StateConnected || now.Sub(seen) < a.cfg.PhoneWarnAfter || reported.Equal(seen) {
		return
	}
	days := int(now.Sub(seen) / (24 * time.Hour))
	a.cfg.Log.Error("the company phone has not been online for days; WhatsApp unlinks the bot after about 14", "days", days, "last_seen", seen)
	if a.notify(ctx, notice.WhatsAppPhoneSilent{Seen: seen, Days: days}) {
		a.mu.Lock()
		a.phoneReported = seen
		a.mu.Unlock()
	}
}

// notify reports ev to the core (Config.Notify) in a transaction of its
// own, which words it and decides whether it was already told, and has the
// dispatcher deliver it. It reports whether the notice is stored.
func (a *Adapter) notify(ctx context.Context, ev notice.Event) bool {
	now := a.cfg.Now()
	err := a.st.InTx(ctx, func(tx store.Store) error { return a.cfg.Notify.Notify(ctx, tx, now, ev) })
	if err != nil {
		a.cfg.Log.Error("tell staff", "notice", ev.Kind(), "err", err)
		return false
	}
	a.cfg.Handled()
	return true
}
