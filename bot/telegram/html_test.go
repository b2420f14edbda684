package telegram

import (
	"testing"

	"supportbot/outbox"
)

func TestMentionsBecomeLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"پشتیبان اختصاصی: " + outbox.MentionToken(1001, "Sara <S>"), `پشتیبان اختصاصی: <a href="tg://user?id=1001">Sara &lt;S&gt;</a>`},
		{"a <b> & " + outbox.MentionToken(7, "Ali"), `a &lt;b&gt; &amp; <a href="tg://user?id=7">Ali</a>`},
		// The desk's token for someone not seen in a staff chat: the name.
		{"by " + outbox.MentionToken(555, "Reza") + ".", "by Reza."},
		// Written as text (customer text, a name, a mistyped id), even of
		// known staff: never a link.
		{"call tg://user?id=555 now", "call tg:\u2060//user?id=555 now"},
		{"TG://user?id=1001", "TG:\u2060//user?id=1001"},
		{`<a href="tg://user?id=1001">x</a>`, `&lt;a href="tg:` + "\u2060" + `//user?id=1001"&gt;x&lt;/a&gt;`},
		// A token cut in half (a long message split) leaves no marks.
		{"x \x1e1001\x1fSa", "x 1001Sa"},
		{"no mention here", "no mention here"},
	}
	staff := map[int64]string{1001: "Sara <S>", 7: "Ali"}
	for _, tt := range tests {
		if got := html(tt.in, false, func(id int64) string { return staff[id] }); got != tt.want {
			t.Errorf("html(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommandFor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/tickets", ""},
		{"/tickets@support_desk_bot", "support_desk_bot"},
		{"/close@OtherBot 3", "OtherBot"},
		{"  /note@OtherBot\nمتن", "OtherBot"},
		{"سلام @OtherBot", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := commandFor(tt.in); got != tt.want {
			t.Errorf("commandFor(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
