package telegram

import "testing"

func TestMentionsBecomeLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"پشتیبان اختصاصی: tg://user?id=1001", `پشتیبان اختصاصی: <a href="tg://user?id=1001">Sara &lt;S&gt;</a>`},
		{"a <b> & tg://user?id=7", `a &lt;b&gt; &amp; <a href="tg://user?id=7">Ali</a>`},
		// Not known staff (customer text, a mistyped id): no mention.
		{"call tg://user?id=555 now", "call 555 now"},
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
