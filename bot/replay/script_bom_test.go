package replay

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func TestParseScriptByteOrderMarkAndUTF16(t *testing.T) {
	line := `{"at":"2026-11-28T09:00:00+03:30","whatsapp":"+989121234567","text":"سلام"}` + "\n"
	events, err := Parse("s.jsonl", strings.NewReader("\uFEFF"+line))
	if err != nil || len(events) != 1 || events[0].Text != "سلام" {
		t.Fatalf("a script with a byte-order mark: %v %+v", err, events)
	}
	var b []byte
	for _, u := range utf16.Encode([]rune("\uFEFF" + line)) {
		b = append(b, byte(u), byte(u>>8))
	}
	if _, err := Parse("s.jsonl", strings.NewReader(string(b))); err == nil || !strings.Contains(err.Error(), "s.jsonl:1: the file is UTF-16") {
		t.Errorf("UTF-16 script: %v", err)
	}
	// A mark anywhere but the start is still an error, with its line.
	if _, err := Parse("s.jsonl", strings.NewReader(line+"\uFEFF"+line)); err == nil || !strings.HasPrefix(err.Error(), "s.jsonl:2:") {
		t.Errorf("a mark on line 2: %v", err)
	}
}
