package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	snapshot "supportbot/export"
	"supportbot/store/sqlite/sqlitetest"
)

var updateConversations = flag.Bool("update-conversations", false, "rewrite testdata/conversations/*.golden")

// conversationConfig names one staff member to customers (desk.staff_names);
// the others stay «کارشناس پشتیبانی».
const conversationConfig = "desk:\n  staff_names: {1002: \"رضا کریمی\"}\n"

// TestConversationTranscripts replays testdata/conversations/*.jsonl, real
// customers' conversations (docs/conversation.md), through the binary with
// the example contracts, and compares what the bot said and what
// `export -messages` lists with the .golden file beside each script
// (go test -run ConversationTranscripts -update-conversations, then review
// the diff). Every script line from a customer must be in the export:
// nothing a customer writes is dropped.
func TestConversationTranscripts(t *testing.T) {
	scripts, err := filepath.Glob("testdata/conversations/*.jsonl")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".jsonl")
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "c.db")
			sqlitetest.Create(t, db) // what replay's first open makes, without migrating again
			// A script may carry config of its own beside it (NAME.config.yaml).
			extra, err := os.ReadFile(strings.TrimSuffix(script, ".jsonl") + ".config.yaml")
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			cfg := writeFile(t, "config.yaml", conversationConfig+string(extra))
			transcript := mustRun(t, "replay", "-config", cfg, "-db", db, "-contracts", "../../examples/contracts.csv",
				"-script", script, "-format", "text")
			msgs := exportMessages(t, cfg, db)
			checkNothingDropped(t, script, msgs)
			var b strings.Builder
			b.WriteString(transcript)
			b.WriteString("== export -messages\n")
			for _, m := range msgs {
				b.WriteString(messageLine(m) + "\n")
			}
			golden := strings.TrimSuffix(script, ".jsonl") + ".golden"
			if *updateConversations {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run ConversationTranscripts -update-conversations)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs (go test -run ConversationTranscripts -update-conversations, then review the diff):\n%s", golden, got)
			}
		})
	}
}

// exportMessages runs `export -messages` on db.
func exportMessages(t *testing.T, cfg, db string) []snapshot.Message {
	t.Helper()
	var snap struct {
		Messages *[]snapshot.Message `json:"messages"`
	}
	out := mustRun(t, "export", "-config", cfg, "-db", db, "-messages", "-at", "2027-01-01T00:00:00+03:30")
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if snap.Messages == nil {
		t.Fatal("export -messages has no messages list")
	}
	return *snap.Messages
}

// checkNothingDropped fails unless every customer message of the script is
// in the export, in order, with where it went.
func checkNothingDropped(t *testing.T, script string, msgs []snapshot.Message) {
	t.Helper()
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	var customer []snapshot.Message
	for _, m := range msgs {
		if m.From == "customer" {
			customer = append(customer, m)
			if m.Route == nil || *m.Route == "" {
				t.Errorf("message %q at %v: no route", m.Text, m.At)
			}
		}
	}
	i := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ev struct {
			WhatsApp string `json:"whatsapp"`
			FromMe   bool   `json:"from_me"`
			Text     string `json:"text"`
			File     *struct {
				Name string `json:"name"`
			} `json:"file"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.WhatsApp == "" || ev.FromMe {
			continue // typed on the company phone: a staff answer
		}
		if i >= len(customer) {
			t.Fatalf("customer message %q is not in export -messages", ev.Text)
		}
		got := customer[i]
		if got.Text != ev.Text || (ev.File == nil) != (got.File == nil) || (ev.File != nil && got.File.Name != ev.File.Name) {
			t.Errorf("export message %d is %q %+v, want %q %+v", i, got.Text, got.File, ev.Text, ev.File)
		}
		i++
	}
	if i != len(customer) {
		t.Errorf("export lists %d customer messages, the script sent %d", len(customer), i)
	}
}

// messageLine is one export message as the golden file shows it.
func messageLine(m snapshot.Message) string {
	s := fmt.Sprintf("%s %s %s", deref(m.At), m.From, m.Phone)
	if m.User != nil {
		s += fmt.Sprintf(" user=%d", *m.User)
	}
	if m.Ticket != nil {
		s += fmt.Sprintf(" ticket=%d", *m.Ticket)
	}
	if m.Route != nil {
		s += " route=" + *m.Route
	}
	if m.Courtesy {
		s += " courtesy"
	}
	if m.Held != nil {
		s += " held=" + string(*m.Held)
	}
	if m.Internal {
		s += " internal"
	}
	if m.File != nil {
		s += fmt.Sprintf(" [%s %s]", m.File.Kind, m.File.Name)
	}
	return s + ": " + m.Text
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
