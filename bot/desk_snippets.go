package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// maxSnippetKey bounds a saved reply's key; maxSnippetText its text.
const (
	maxSnippetKey  = 32
	maxSnippetText = 3000
)

// snippetKey reads a saved reply's key as staff type it: letters, digits,
// "_" and "-" in any script, folded so that digit scripts and letter
// variants match.
func snippetKey(s string) (string, bool) {
	k := rules.Fold(s)
	if k == "" || utf8.RuneCountInString(k) > maxSnippetKey {
		return "", false
	}
	for _, r := range k {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			return "", false
		}
	}
	return k, true
}

// cmdSnippet manages the saved replies: "/snippet add KEY TEXT" (sent with
// a file, or as a reply to a message carrying one, saves the file too) and
// "/snippet del KEY".
func (d *Desk) cmdSnippet(ctx context.Context, tx store.Store, in staffIn, args string) error {
	verb, rest := nextField(args)
	field, text := nextField(rest)
	switch verb := rules.Fold(verb); {
	case verb == "add" || isWord("words.snippet.add", verb):
		key, ok := snippetKey(field)
		if !ok {
			return fail("lifecycle.snippet.err_key", map[string]any{"arg": clip(field, 40), "usage": d.raw("lifecycle.syntax.snippet")})
		}
		file, err := d.snippetFile(ctx, tx, in)
		if err != nil {
			return err
		}
		if text == "" && file == nil {
			return fail("lifecycle.snippet.err_text", map[string]any{"usage": d.raw("lifecycle.syntax.snippet")})
		}
		s := store.Snippet{Key: key, Text: clip(text, maxSnippetText), File: file, UpdatedAt: in.At, UpdatedBy: in.UserID}
		if err := tx.SaveSnippet(ctx, s); err != nil {
			return fmt.Errorf("desk: save snippet %s: %w", key, err)
		}
		keyArg := "lifecycle.snippet.saved"
		if file != nil {
			keyArg = "lifecycle.snippet.saved_file"
		}
		return d.answer(ctx, tx, in, 0, d.printer.T(keyArg, map[string]any{"key": key}))
	case verb == "del" || verb == "delete" || verb == "rm" || isWord("words.snippet.del", verb):
		key, ok := snippetKey(field)
		if !ok {
			return fail("lifecycle.snippet.err_key", map[string]any{"arg": clip(field, 40), "usage": d.raw("lifecycle.syntax.snippet")})
		}
		err := tx.DeleteSnippet(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return fail("lifecycle.snippet.err_unknown", map[string]any{"key": key})
		}
		if err != nil {
			return fmt.Errorf("desk: delete snippet %s: %w", key, err)
		}
		return d.answer(ctx, tx, in, 0, d.printer.T("lifecycle.snippet.deleted", map[string]any{"key": key}))
	}
	return fail("lifecycle.snippet.err_verb", map[string]any{"arg": clip(verb, 32), "usage": d.raw("lifecycle.syntax.snippet")})
}

// snippetFile is the file a /snippet add saves: the one sent with the
// command, else the one of the bot message it replies to.
func (d *Desk) snippetFile(ctx context.Context, tx store.Store, in staffIn) (*store.File, error) {
	if in.File != nil {
		return in.File, nil
	}
	if in.ReplyTo == 0 {
		return nil, nil
	}
	m, err := tx.OutboxMessage(ctx, in.ReplyTo)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("desk: message replied to: %w", err)
	}
	return m.File, nil
}

// cmdSnippets lists the saved replies.
func (d *Desk) cmdSnippets(ctx context.Context, tx store.Store, in staffIn, _ string) error {
	ss, err := tx.Snippets(ctx)
	if err != nil {
		return fmt.Errorf("desk: snippets: %w", err)
	}
	if len(ss) == 0 {
		return d.answer(ctx, tx, in, 0, d.printer.T("lifecycle.snippets.empty", nil))
	}
	lines := []string{d.printer.T("lifecycle.snippets.title", map[string]any{"count": len(ss)})}
	for _, s := range ss {
		key := "lifecycle.snippets.line"
		if s.File != nil {
			key = "lifecycle.snippets.line_file"
		}
		lines = append(lines, d.printer.T(key, map[string]any{"key": s.Key, "text": locales.Raw(clip(strings.ReplaceAll(s.Text, "\n", " "), 60))}))
	}
	return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
}

// cmdSavedReply sends a saved reply to a ticket's customer: "/r N KEY", or
// "/r KEY" as a reply to the ticket's card or one of its messages. The
// variables are filled for the ticket, and the reply then goes out as if
// the staff member had written it (it stops the first-response clock).
func (d *Desk) cmdSavedReply(ctx context.Context, tx store.Store, in staffIn, args string) error {
	first, rest := nextField(args)
	var id int64
	if n, err := parseTicketID(first); err == nil {
		id = n
	} else {
		rest = args
		if id, _, err = d.repliedTicket(ctx, tx, in); err != nil {
			return err
		}
		if id == 0 {
			return fail("desk.err.missing_ticket", map[string]any{"usage": d.raw("lifecycle.syntax.r")})
		}
	}
	field, _ := nextField(rest)
	key, ok := snippetKey(field)
	if !ok {
		return fail("lifecycle.snippet.err_key", map[string]any{"arg": clip(field, 40), "usage": d.raw("lifecycle.syntax.r")})
	}
	s, err := tx.Snippet(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return fail("lifecycle.snippet.err_unknown", map[string]any{"key": key})
	}
	if err != nil {
		return fmt.Errorf("desk: snippet %s: %w", key, err)
	}
	t, err := d.ticket(ctx, tx, id)
	if err != nil {
		return err
	}
	in.audit.note("r", t.ID, key)
	text, err := d.fillSnippet(ctx, tx, s.Text, t, in)
	if err != nil {
		return err
	}
	out := in
	out.Text, out.File, out.ReplyTo, out.ReplyToTicket = text, s.File, 0, t.ID
	return d.relayReply(ctx, tx, out)
}

// fillSnippet fills a saved reply's variables for ticket t; an unknown
// {name} is left as written.
func (d *Desk) fillSnippet(ctx context.Context, tx store.Store, text string, t store.Ticket, in staffIn) (string, error) {
	if !strings.Contains(text, "{") {
		return text, nil
	}
	name := t.CustomerID
	if strings.Contains(text, "{customer}") {
		c, err := d.customer(ctx, tx, t.CustomerID)
		if err != nil {
			return "", err
		}
		name = c.Name
	}
	deadline := d.printer.T("lifecycle.snippet.no_deadline", nil)
	if !t.FirstResponseDue.IsZero() {
		deadline = d.printer.Format(t.FirstResponseDue)
	}
	return strings.NewReplacer(
		"{customer}", name,
		"{ticket}", d.printer.Format(t.ID),
		"{deadline}", deadline,
		"{staff}", d.staffName(in),
		"{support_phone}", d.printer.Format(d.cfg.SupportPhone),
	).Replace(text), nil
}
