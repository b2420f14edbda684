// Package replay runs the bot from a script instead of the network
// (docs/interface.md, `supportbot replay` and `supportbot demo`): Parse
// reads a JSON Lines script, and a Player moves a scripted clock, fires the
// scheduled jobs due on the way, hands each event to the real engine and
// prints what the bot sends.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"supportbot/bot"
	"supportbot/jobs"
	"supportbot/outbox"
	"supportbot/store"
)

// settingReplayClock keeps where the scripted clock stopped, so the next
// replay phase on the same database fires the jobs that fell due in between.
const settingReplayClock = "replay_clock"

// Format selects how replay prints what the bot sends.
type Format int

// Replay output formats: JSON Lines (docs/interface.md) or a readable transcript.
const (
	JSON Format = iota
	Text
)

// Player drives the real engine with a scripted clock and scripted chats, and
// delivers the outbox to Out instead of the network.
type Player struct {
	Engine    *bot.Engine
	Scheduler *jobs.Scheduler
	Out       io.Writer
	Format    Format
	Loc       *time.Location
	// Deliver, when set, delivers the due outbox instead of printing it:
	// `supportbot demo` hands it to a Dispatcher with the page as transport.
	Deliver func(ctx context.Context, now time.Time) error
}

// Line is one message the bot sent, as replay prints it.
type Line struct {
	ID      string   `json:"id"`
	At      string   `json:"at"`
	To      string   `json:"to"`
	Ticket  int64    `json:"ticket,omitempty"`
	Text    string   `json:"text"`
	Buttons []string `json:"buttons,omitempty"`
	ReplyTo string   `json:"reply_to,omitempty"`
	File    *File    `json:"file,omitempty"`
	// Edit is the id of the earlier message this one replaces in place (a
	// card edited at a status change); Thread the ticket whose forum topic
	// the message is posted in (topics mode).
	Edit   string `json:"edit,omitempty"`
	Thread int64  `json:"thread,omitempty"`
}

// File describes a file the bot sent.
type File struct {
	Kind  store.FileKind `json:"kind"`
	Name  string         `json:"name"`
	Bytes int64          `json:"bytes"`
}

// Run plays events in order. Before each event the clock moves to its time
// and every scheduled job due on the way runs; after it, the outbox is
// delivered.
func (r *Player) Run(ctx context.Context, events []Event) error {
	st := r.Engine.Store()
	clock, err := r.clock(ctx)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if clock.IsZero() || ev.At.Before(clock) {
			// A fresh database, or a script that starts before the last
			// phase stopped: nothing is due before the first event.
			clock = ev.At
		}
		if err := r.Scheduler.RunDue(ctx, clock, ev.At); err != nil {
			return fmt.Errorf("line %d: %w", ev.Line, err)
		}
		if err := r.deliver(ctx, ev.At); err != nil {
			return err
		}
		clock = ev.At
		r.echo(ev)
		if err := r.handle(ctx, ev); err != nil {
			return fmt.Errorf("line %d: %w", ev.Line, err)
		}
		if err := r.deliver(ctx, ev.At); err != nil {
			return err
		}
		if err := st.SetSetting(ctx, settingReplayClock, clock.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Player) clock(ctx context.Context) (time.Time, error) {
	v, err := r.Engine.Store().Setting(ctx, settingReplayClock)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("replay clock %q: %w", v, err)
	}
	return t, nil
}

func (r *Player) handle(ctx context.Context, ev Event) error {
	switch {
	case ev.Reveals != "":
		_, err := r.Engine.Reveal(ctx, ev.Phone, ev.Reveals, ev.At)
		return err
	case ev.FromMe:
		return r.Engine.HandleCompanyPhone(ctx, bot.CompanyMessage{ID: ev.ID, Phone: ev.Phone, At: ev.At, Text: ev.Text, File: ev.File})
	case ev.Phone != "":
		return r.Engine.HandleCustomer(ctx, bot.CustomerMessage{ID: ev.ID, Phone: ev.Phone, At: ev.At, Text: ev.Text, File: ev.File})
	case ev.Telegram != nil:
		in := bot.StaffInput{
			At:            ev.At,
			Chat:          ev.Telegram.Chat,
			UserID:        ev.Telegram.User,
			UserName:      ev.Telegram.Name,
			IsBot:         ev.Telegram.IsBot,
			Text:          ev.Text,
			ReplyTo:       ev.ReplyTo,
			ReplyToTicket: ev.ReplyToTicket,
			Thread:        ev.Thread,
			File:          ev.File,
			Callback:      ev.Callback,
		}
		return r.Engine.HandleStaff(ctx, ev.ID, in)
	}
	return nil
}

// deliver prints every pending outbox message and marks it sent, as a
// transport would after the network confirmed it.
func (r *Player) deliver(ctx context.Context, now time.Time) error {
	if r.Deliver != nil {
		return r.Deliver(ctx, now)
	}
	st := r.Engine.Store()
	for {
		due, err := st.DueOutbox(ctx, now, 100)
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		for _, m := range due {
			id := "m" + strconv.FormatInt(m.ID, 10)
			if err := r.print(m, id); err != nil {
				return err
			}
			if err := st.MarkSent(ctx, m.ID, now, id); err != nil {
				return err
			}
		}
	}
}

func (r *Player) print(m store.OutboxMessage, id string) error {
	line := Line{
		ID:      id,
		At:      m.CreatedAt.In(r.Loc).Format(time.RFC3339),
		To:      m.To,
		Ticket:  m.TicketID,
		Text:    outbox.PlainMentions(m.Text),
		Buttons: m.Buttons,
		Thread:  m.Thread,
	}
	if m.Edit != 0 {
		line.Edit = "m" + strconv.FormatInt(m.Edit, 10)
	}
	if m.ReplyTo != 0 {
		line.ReplyTo = "m" + strconv.FormatInt(m.ReplyTo, 10)
	}
	if m.File != nil {
		line.File = &File{Kind: m.File.Kind, Name: m.File.Name, Bytes: m.File.Bytes}
	}
	if r.Format == Text {
		head := fmt.Sprintf("%s  bot → %s", line.At, line.To)
		if line.Ticket != 0 {
			head += fmt.Sprintf("  (ticket %d)", line.Ticket)
		}
		if line.Thread != 0 {
			head += fmt.Sprintf("  [topic %d]", line.Thread)
		}
		if line.Edit != "" {
			head += "  edits " + line.Edit
		}
		body := indent(line.Text)
		if len(line.Buttons) > 0 {
			body += "\n    [" + strings.Join(line.Buttons, "] [") + "]"
		}
		_, err := fmt.Fprintf(r.Out, "%s  %s\n%s\n\n", id, head, body)
		return err
	}
	data, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(r.Out, "%s\n", data)
	return err
}

// echo shows inbound messages in the readable transcript; JSON output lists
// only what the bot sends.
func (r *Player) echo(ev Event) {
	if r.Format != Text || ev.ClockOnly() {
		return
	}
	at := ev.At.In(r.Loc).Format(time.RFC3339)
	who := "whatsapp:" + ev.Phone
	if ev.FromMe {
		who = "whatsapp:company phone to " + ev.Phone
	}
	if ev.Telegram != nil {
		who = fmt.Sprintf("telegram:%s %s (%d)", ev.Telegram.Chat, ev.Telegram.Name, ev.Telegram.User)
		if ev.ReplyToTicket != 0 {
			who += fmt.Sprintf(", replying to ticket %d", ev.ReplyToTicket)
		}
		if ev.ReplyTo != 0 {
			who += fmt.Sprintf(", replying to m%d", ev.ReplyTo)
		}
		if ev.Thread != 0 {
			who += fmt.Sprintf(", in the topic of ticket %d", ev.Thread)
		}
	}
	body := ev.Text
	if ev.Reveals != "" {
		body = "[reveals " + ev.Reveals + "]"
	}
	if ev.File != nil {
		body = strings.TrimSpace(fmt.Sprintf("[%s %s, %d bytes] %s", ev.File.Kind, ev.File.Name, ev.File.Bytes, body))
	}
	if ev.Callback != "" {
		body = strings.TrimSpace("[button " + ev.Callback + "] " + body)
	}
	fmt.Fprintf(r.Out, "%s  %s →\n%s\n\n", at, who, indent(body))
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
