package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Replay output in topics mode (docs/interface.md): a message posted in a
// ticket's topic carries "thread" (the ticket), a card edit carries "edit"
// (the card's id); what is not about a ticket, or goes to WhatsApp, carries
// neither. The script's "thread" input is a message written in the topic.
func TestReplayTopicsJSON(t *testing.T) {
	extra, err := os.ReadFile("testdata/conversations/09_topics.config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, "config.yaml", conversationConfig+string(extra))
	out := mustRun(t, "replay", "-config", cfg, "-db", t.TempDir()+"/t.db", "-contracts", "../../examples/contracts.csv",
		"-script", "testdata/conversations/09_topics.jsonl")
	type line struct {
		ID     string `json:"id"`
		To     string `json:"to"`
		Ticket int64  `json:"ticket"`
		Text   string `json:"text"`
		Edit   string `json:"edit"`
		Thread int64  `json:"thread"`
	}
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var ln line
		if err := json.Unmarshal([]byte(l), &ln); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		lines = append(lines, ln)
	}
	card, edits, general := "", 0, 0
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l.To, "whatsapp:"):
			if l.Thread != 0 || l.Edit != "" {
				t.Errorf("%s to WhatsApp with thread %d, edit %q", l.ID, l.Thread, l.Edit)
			}
		case l.Ticket == 0:
			general++
			if l.Thread != 0 {
				t.Errorf("%s about no ticket in thread %d", l.ID, l.Thread)
			}
		case l.Edit != "":
			edits++
			if l.Edit != card || l.Thread != 1 {
				t.Errorf("%s edits %q in thread %d, want the card %q in thread 1", l.ID, l.Edit, l.Thread, card)
			}
		default:
			if card == "" {
				card = l.ID
			}
			if l.Thread != 1 {
				t.Errorf("%s about ticket 1 in thread %d: %q", l.ID, l.Thread, l.Text)
			}
		}
	}
	// Claimed, answered, time logged, closed: four edits; /tickets in the
	// main chat.
	if edits != 4 || general != 1 || card == "" {
		t.Errorf("%d edits, %d main-chat messages, card %q; want 4, 1 and a card", edits, general, card)
	}
}
