package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/bot"
	"supportbot/locales"
	"supportbot/store"
)

// Settings the adapter keeps in the store.
const (
	// SettingBanUntil is the end of a temporary ban (RFC 3339), "" when none.
	SettingBanUntil = "whatsapp_ban_until"
	// SettingNotice is the last connection problem staff were told of
	// ("logged_out", "banned"), "" after the connection came back, so a
	// restart does not tell them twice.
	SettingNotice = "whatsapp_notice"
)

// banRecheck is how long a ban of unknown length holds sending back
// before the bot tries to connect again.
const banRecheck = 6 * time.Hour

// Run connects (unless the session needs pairing or a ban still holds),
// reconnects when a ban ends, and tells staff about messages that were
// never delivered, until ctx is done. Then it finishes the message in hand
// and stops taking new ones (they are not acknowledged, so WhatsApp
// delivers them again), but stays connected so the outbox can still be
// flushed: call Disconnect after. It returns nil.
func (a *Adapter) Run(ctx context.Context) error {
	if a.link.Subscribe != nil {
		a.link.Subscribe(a.HandleEvent)
	}
	a.loadBan(ctx)
	if !a.link.Paired {
		a.cfg.Log.Error("WhatsApp is not paired: customers get no answers until it is", "fix", a.cfg.PairCommand+", then restart supportbot")
		a.notice(ctx, "logged_out", []string{bot.StaffGroup}, "whatsapp.not_paired", map[string]any{"command": a.cfg.PairCommand})
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
		if err := a.CheckUndelivered(ctx); err != nil && ctx.Err() == nil {
			a.cfg.Log.Error("check undelivered messages", "err", err)
		}
		a.mu.Lock()
		retry := a.retryConnect
		a.mu.Unlock()
		if retry && a.State() == StateDisconnected && !a.link.Client.IsConnected() {
			a.connect() // after a ban, or a failed connect; whatsmeow itself reconnects after network trouble
		}
	}
}

// Disconnect closes the connection, after Run has returned and the outbox
// was flushed.
func (a *Adapter) Disconnect() {
	if a.link.Disconnect != nil {
		a.link.Disconnect()
	}
}

// connect opens the connection unless a ban holds; whatsmeow reconnects by
// itself after network trouble, Run after a ban.
func (a *Adapter) connect() {
	a.mu.Lock()
	until, state := a.banUntil, a.state
	a.mu.Unlock()
	if state == StateLoggedOut || (!until.IsZero() && a.cfg.Now().Before(until)) || a.link.Connect == nil {
		return
	}
	err := a.link.Connect()
	a.mu.Lock()
	a.retryConnect = err != nil
	a.mu.Unlock()
	if err != nil {
		a.cfg.Log.Warn("connect to WhatsApp; will retry", "err", err, "retry_in", a.cfg.Tick)
	}
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
	a.retryConnect = true
	a.mu.Unlock()
	a.setState(StateBanned)
	a.cfg.Log.Warn("temporarily banned; sending waits", "until", until)
}

func (a *Adapter) connected() {
	a.mu.Lock()
	a.banUntil = time.Time{}
	a.retryConnect = false
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
	// Back after a logout or a ban: say so once.
	prev, err := a.st.Setting(ctx, SettingNotice)
	if err == nil && prev != "" {
		a.notice(ctx, "", []string{bot.StaffGroup}, "whatsapp.back", nil)
	}
	a.cfg.Handled() // held messages can go now
}

func (a *Adapter) disconnected(why string) {
	a.mu.Lock()
	keep := a.state == StateLoggedOut || a.state == StateBanned
	a.mu.Unlock()
	if !keep {
		a.setState(StateDisconnected)
	}
	a.cfg.Log.Warn("connection lost", "why", why)
}

// loggedOut stops everything until the account is paired again, and tells
// the log and the staff group how.
func (a *Adapter) loggedOut(e *events.LoggedOut) {
	a.setState(StateLoggedOut)
	a.cfg.Log.Error("WhatsApp logged this session out: customers get no answers until it is paired again",
		"reason", e.Reason.String(), "on_connect", e.OnConnect, "fix", a.cfg.PairCommand+", then restart supportbot")
	if !a.begin() {
		return
	}
	defer a.end()
	a.notice(a.base, "logged_out", []string{bot.StaffGroup}, "whatsapp.logged_out", map[string]any{"command": a.cfg.PairCommand})
}

// banned stops sending until the ban ends and tells staff and managers.
func (a *Adapter) banned(e *events.TemporaryBan) {
	now := a.cfg.Now()
	wait := e.Expire
	if wait <= 0 {
		wait = banRecheck
	}
	until := now.Add(wait)
	a.mu.Lock()
	a.banUntil = until
	a.retryConnect = true // whatsmeow does not reconnect after a ban
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
	reasonKey := fmt.Sprintf("whatsapp.ban_reason.%d", int(e.Code))
	reason := a.cfg.Say(reasonKey, nil)
	if strings.HasPrefix(reason, "[") || reason == reasonKey {
		reason = a.cfg.Say("whatsapp.ban_reason.other", map[string]any{"code": int(e.Code)})
	}
	args := map[string]any{"reason": locales.Raw(reason), "until": until}
	key := "whatsapp.banned"
	if e.Expire <= 0 {
		key = "whatsapp.banned_unknown"
	}
	to := append([]string{bot.StaffGroup}, a.cfg.Managers...)
	a.notice(ctx, "banned:"+until.UTC().Format(time.RFC3339), to, key, args)
}

// notice enqueues one message to each address in to, unless kind is
// already what staff were last told ("" always sends and clears it).
func (a *Adapter) notice(ctx context.Context, kind string, to []string, key string, args map[string]any) {
	now := a.cfg.Now()
	err := a.st.InTx(ctx, func(tx store.Store) error {
		prev, err := tx.Setting(ctx, SettingNotice)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if kind != "" && prev == kind {
			return nil
		}
		text := a.cfg.Say(key, args)
		for _, addr := range to {
			m := store.OutboxMessage{CreatedAt: now, To: addr, Text: text, Status: store.OutboxPending, NextAttempt: now}
			if err := tx.Enqueue(ctx, &m); err != nil {
				return err
			}
		}
		return tx.SetSetting(ctx, SettingNotice, kind)
	})
	if err != nil {
		a.cfg.Log.Error("tell staff", "notice", key, "err", err)
		return
	}
	a.cfg.Handled()
}

// handleReceipt follows the receipts of messages the bot sent: delivered,
// read, or refused by WhatsApp (staff are told).
func (a *Adapter) handleReceipt(e *events.Receipt) bool {
	if e.IsFromMe || e.IsGroup {
		return true // our other devices, or a group
	}
	var failed bool
	switch e.Type {
	case types.ReceiptTypeDelivered, types.ReceiptTypeRead, types.ReceiptTypePlayed:
	case types.ReceiptTypeServerError:
		failed = true
	default:
		return true
	}
	if !a.begin() {
		return false
	}
	defer a.end()
	ctx := a.base
	at := e.Timestamp
	if at.IsZero() {
		at = a.cfg.Now()
	}
	for _, id := range e.MessageIDs {
		if err := a.receipt(ctx, id, e.Type, failed, at); err != nil {
			a.cfg.Log.Error("receipt", "message_id", id, "type", string(e.Type), "err", err)
			return false
		}
	}
	return true
}

func (a *Adapter) receipt(ctx context.Context, id string, typ types.ReceiptType, failed bool, at time.Time) error {
	told := false
	err := a.st.InTx(ctx, func(tx store.Store) error {
		s, err := tx.WhatsAppSent(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // not one of ours (or sent before tracking began)
		}
		if err != nil {
			return err
		}
		switch {
		case failed:
			if !s.FailedAt.IsZero() {
				return nil
			}
			s.FailedAt = at
			if s.DeliveredAt.IsZero() && !s.Reported {
				s.Reported = true
				if err := a.tellUndelivered(ctx, tx, s, a.cfg.Say("whatsapp.reason.refused", nil)); err != nil {
					return err
				}
				told = true
			}
		case typ == types.ReceiptTypeDelivered:
			if !s.DeliveredAt.IsZero() {
				return nil
			}
			s.DeliveredAt = at
		default: // read or played
			if !s.ReadAt.IsZero() {
				return nil
			}
			s.ReadAt = at
			if s.DeliveredAt.IsZero() {
				s.DeliveredAt = at
			}
		}
		return tx.UpdateWhatsAppSent(ctx, s)
	})
	if told {
		a.cfg.Handled()
	}
	return err
}

// CheckUndelivered tells staff about each message that has gone
// UndeliveredAfter without a delivery receipt, once.
func (a *Adapter) CheckUndelivered(ctx context.Context) error {
	if !a.begin() {
		return nil
	}
	defer a.end()
	list, err := a.st.UndeliveredWhatsApp(ctx, a.cfg.Now().Add(-a.cfg.UndeliveredAfter))
	if err != nil {
		return err
	}
	for _, s := range list {
		err := a.st.InTx(ctx, func(tx store.Store) error {
			s.Reported = true
			if err := tx.UpdateWhatsAppSent(ctx, s); err != nil {
				return err
			}
			return a.tellUndelivered(ctx, tx, s, a.cfg.Say("whatsapp.reason.no_receipt", map[string]any{"wait": a.cfg.UndeliveredAfter}))
		})
		if err != nil {
			return err
		}
	}
	if len(list) > 0 {
		a.cfg.Handled()
	}
	return nil
}

// tellUndelivered enqueues the staff group's notice that s did not arrive,
// quoting the start of its text so a person can pass it on by phone.
func (a *Adapter) tellUndelivered(ctx context.Context, tx store.Store, s store.WhatsAppSent, reason string) error {
	text := ""
	if m, err := tx.OutboxMessage(ctx, s.OutboxID); err == nil {
		text = clip(strings.TrimSpace(m.Text), 500)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	args := map[string]any{"ticket": s.TicketID, "address": s.Address, "reason": locales.Raw(reason), "text": locales.Raw(text)}
	key := "whatsapp.undelivered"
	if s.TicketID == 0 {
		key = "whatsapp.undelivered_no_ticket"
	}
	now := a.cfg.Now()
	m := store.OutboxMessage{CreatedAt: now, To: bot.StaffGroup, TicketID: s.TicketID, Text: a.cfg.Say(key, args),
		Status: store.OutboxPending, NextAttempt: now}
	return tx.Enqueue(ctx, &m)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
