package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"supportbot/outbox"
	"supportbot/store"
)

func TestHeldCommand(t *testing.T) {
	f := newDeskFixture(t)
	ctx := context.Background()
	for _, h := range []store.HeldMessage{
		{At: f.at, Phone: phoneSilver, Reason: store.HeldFlood, Text: "پیام پنجاهم"},
		{At: f.at, Phone: phoneSilver, Reason: store.HeldFileTooLarge, File: &store.File{Kind: "document", Name: "backup.zip", Bytes: 90 << 20}},
		{At: f.at, Phone: "+989120000000", Reason: store.HeldTooLong, Text: "پیام مشتری دیگر"},
	} {
		if err := f.db.Hold(ctx, &h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, text string
		want       []string
		not        []string
	}{
		{"persian digits", "/held ۰۹۱۲۱۲۳۰۰۰۱", []string{"پیام پنجاهم", "backup.zip", "ارسال پی‌درپی", "فایل بزرگ‌تر"}, []string{"پیام مشتری دیگر"}},
		{"alias", "/نگه‌داشته +98 912 123 0001", []string{"پیام پنجاهم"}, nil},
		{"nothing held", "/held 09350000000", []string{"نگه‌داشته‌شده‌ای نیست"}, nil},
		{"no phone", "/held", []string{"/held"}, nil},
		{"bad phone", "/held abc", []string{"abc"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			out := f.handle(t, f.staff(tt.text))
			if len(out) != 1 || out[0].To != string(outbox.StaffGroup) {
				t.Fatalf("sent %+v, want one answer to the staff group", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out[0].Text, w) {
					t.Errorf("answer %q does not contain %q", out[0].Text, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out[0].Text, n) {
					t.Errorf("answer %q shows another customer's %q", out[0].Text, n)
				}
			}
			if f.snapshot(t) != before {
				t.Error("/held changed the database")
			}
		})
	}
	refused := f.handle(t, StaffInput{At: f.at, Chat: ChatPrivate, UserID: 5555, Text: "/held 09121230001"})
	if len(refused) != 1 || strings.Contains(refused[0].Text, "پیام پنجاهم") {
		t.Errorf("a stranger's /held answered %+v", refused)
	}
}

// TestHeldPages: /held shows one page of 20, newest page first, and says how
// to ask for the older ones; a page past the last is a clear error that
// changes nothing; a phone written with spaces is not taken for a page.
func TestHeldPages(t *testing.T) {
	f := newDeskFixture(t)
	ctx := context.Background()
	for i := range 45 {
		h := store.HeldMessage{At: f.at, Phone: phoneSilver, Reason: store.HeldFlood, Text: fmt.Sprintf("msg-%02d", i)}
		if err := f.db.Hold(ctx, &h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, text  string
		first, last string // the first and last message listed
		want        []string
	}{
		{"newest page", "/held 09121230001", "msg-25", "msg-44", []string{"/held", "۲"}},
		{"spaces in the phone", "/held +98 912 123 0001", "msg-25", "msg-44", nil},
		{"second page", "/held 09121230001 2", "msg-05", "msg-24", []string{"۳"}},
		{"last page, persian digit", "/held 09121230001 ۳", "msg-00", "msg-04", []string{"قدیمی‌ترین"}},
		{"past the last", "/held 09121230001 4", "", "", []string{"۴", "۳"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.snapshot(t)
			out := f.handle(t, f.staff(tt.text))
			if len(out) != 1 {
				t.Fatalf("sent %+v, want one answer", out)
			}
			text := out[0].Text
			listed := regexp.MustCompile(`msg-\d\d`).FindAllString(text, -1)
			switch {
			case tt.first == "" && len(listed) > 0:
				t.Errorf("a page past the last listed %v", listed)
			case tt.first != "" && (len(listed) == 0 || listed[0] != tt.first || listed[len(listed)-1] != tt.last):
				t.Errorf("listed %v, want %s … %s", listed, tt.first, tt.last)
			case tt.first != "" && len(listed) > heldPageLines:
				t.Errorf("listed %d messages, more than a page", len(listed))
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("answer %q does not contain %q", text, w)
				}
			}
			if f.snapshot(t) != before {
				t.Error("/held changed the database")
			}
		})
	}
}
