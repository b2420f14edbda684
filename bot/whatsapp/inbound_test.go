package whatsapp

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"supportbot/inbound"
	"supportbot/outbox"
	"supportbot/store"
)

func TestInboundContent(t *testing.T) {
	png := []byte("\x89PNG fake image")
	pdf := []byte("%PDF-1.4 fake")
	ogg := []byte("OggS fake voice")
	mp3 := []byte("ID3 fake song")
	tests := []struct {
		name     string
		msg      *waE2E.Message
		media    map[string][]byte
		wantText string
		wantFile *store.File // Path is checked to hold data
		data     []byte
	}{
		{name: "text", msg: text("سلام، نرم‌افزار باز نمی‌شود"), wantText: "سلام، نرم‌افزار باز نمی‌شود"},
		{name: "extended text", msg: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{
			Text: proto.String("لطفاً این را ببینید https://example.com/x"), MatchedText: proto.String("https://example.com/x")}},
			wantText: "لطفاً این را ببینید https://example.com/x"},
		{name: "image with caption", msg: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption: proto.String("این خطا را می‌دهد"), Mimetype: proto.String("image/png"),
			DirectPath: proto.String("/img/1"), FileLength: proto.Uint64(uint64(len(png))), MediaKey: []byte{1}}},
			media: map[string][]byte{"/img/1": png}, data: png, wantText: "این خطا را می‌دهد",
			wantFile: &store.File{Kind: "image", Name: "image.png", MIME: "image/png", Bytes: int64(len(png))}},
		{name: "document with caption", msg: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			Caption: proto.String("گزارش خطا"), Mimetype: proto.String("application/pdf"), FileName: proto.String("report.pdf"),
			DirectPath: proto.String("/doc/1"), FileLength: proto.Uint64(uint64(len(pdf))), MediaKey: []byte{1}}},
			media: map[string][]byte{"/doc/1": pdf}, data: pdf, wantText: "گزارش خطا",
			wantFile: &store.File{Kind: "document", Name: "report.pdf", MIME: "application/pdf", Bytes: int64(len(pdf))}},
		{name: "voice note", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			PTT: proto.Bool(true), Mimetype: proto.String("audio/ogg; codecs=opus"), Seconds: proto.Uint32(7),
			DirectPath: proto.String("/ptt/1"), FileLength: proto.Uint64(uint64(len(ogg))), MediaKey: []byte{1}}},
			media: map[string][]byte{"/ptt/1": ogg}, data: ogg,
			wantFile: &store.File{Kind: "voice", Name: "voice.ogg", MIME: "audio/ogg; codecs=opus", Bytes: int64(len(ogg))}},
		{name: "audio file", msg: &waE2E.Message{AudioMessage: &waE2E.AudioMessage{
			Mimetype:   proto.String("audio/mpeg"),
			DirectPath: proto.String("/aud/1"), FileLength: proto.Uint64(uint64(len(mp3))), MediaKey: []byte{1}}},
			media: map[string][]byte{"/aud/1": mp3}, data: mp3,
			wantFile: &store.File{Kind: "audio", Name: "audio.mp3", MIME: "audio/mpeg", Bytes: int64(len(mp3))}},
		{name: "file too big is described only", msg: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
			Mimetype: proto.String("application/zip"), FileName: proto.String("backup.zip"),
			DirectPath: proto.String("/doc/big"), FileLength: proto.Uint64(5 << 20), MediaKey: []byte{1}}},
			wantFile: &store.File{Kind: "document", Name: "backup.zip", MIME: "application/zip", Bytes: 5 << 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			for k, v := range tt.media {
				hs.cli.AddMedia(k, v)
			}
			if !hs.event(dm("MSG1", pnJID, tt.msg)) {
				t.Fatal("HandleEvent = false, want the message acknowledged")
			}
			got := hs.h.messages()
			if len(got) != 1 {
				t.Fatalf("engine got %d messages, want 1", len(got))
			}
			m := got[0]
			if m.ID != "MSG1" || m.Phone != "+989121234567" || !m.At.Equal(t0) || m.Text != tt.wantText {
				t.Errorf("engine got %+v", m)
			}
			switch {
			case tt.wantFile == nil && m.File != nil:
				t.Errorf("file %+v, want none", m.File)
			case tt.wantFile != nil:
				if m.File == nil {
					t.Fatal("no file")
				}
				f := *m.File
				path := f.Path
				f.Path = ""
				if f != *tt.wantFile {
					t.Errorf("file %+v, want %+v", f, *tt.wantFile)
				}
				if tt.data == nil {
					if path != "" || hs.cli.Downloads() != 0 {
						t.Errorf("a file over the limit was downloaded (%d) to %q", hs.cli.Downloads(), path)
					}
					break
				}
				if !strings.HasPrefix(path, hs.media) {
					t.Errorf("file kept at %q, not under the media dir %q", path, hs.media)
				}
				if data, err := os.ReadFile(path); err != nil || string(data) != string(tt.data) {
					t.Errorf("kept file %q holds %q (%v), want %q", path, data, err, tt.data)
				}
			}
			if r := hs.cli.Reads(); !slices.Equal(r, []types.MessageID{"MSG1"}) {
				t.Errorf("marked read %v, want [MSG1]", r)
			}
			if p := hs.cli.Presences(); !slices.Equal(p, []types.ChatPresence{types.ChatPresenceComposing, types.ChatPresencePaused}) {
				t.Errorf("presence %v, want typing then paused", p)
			}
			c, err := hs.db.WhatsAppContact(context.Background(), "+989121234567")
			if err != nil || c.JID != pnJID.String() {
				t.Errorf("contact %+v, %v: want the chat recorded as having written first", c, err)
			}
		})
	}
}

func TestInboundIgnoresWhatIsNotACustomer(t *testing.T) {
	group := types.NewJID("120363000000000001", types.GroupServer)
	tests := []struct {
		name string
		evt  *events.Message
	}{
		{"group message", func() *events.Message {
			e := dm("G1", pnJID, text("سلام به همه"))
			e.Info.Chat, e.Info.IsGroup = group, true
			return e
		}()},
		{"status broadcast", func() *events.Message {
			e := dm("S1", pnJID, text("وضعیت من"))
			e.Info.Chat = types.StatusBroadcastJID
			return e
		}()},
		{"broadcast list", func() *events.Message {
			e := dm("B1", pnJID, text("تخفیف ویژه"))
			e.Info.Chat = types.NewJID("1234567890", types.BroadcastServer)
			return e
		}()},
		{"newsletter", func() *events.Message {
			e := dm("N1", pnJID, text("خبرنامه"))
			e.Info.Chat = types.NewJID("120363000000000002", types.NewsletterServer)
			return e
		}()},
		{"own message", func() *events.Message {
			e := dm("O1", pnJID, text("پاسخ از گوشی شرکت"))
			e.Info.IsFromMe = true
			return e
		}()},
		{"reaction", dm("R1", pnJID, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			if !hs.event(tt.evt) {
				t.Error("HandleEvent = false; an ignored message must still be acknowledged")
			}
			if got := hs.h.messages(); len(got) != 0 {
				t.Errorf("engine got %+v", got)
			}
			if r := hs.cli.Reads(); len(r) != 0 {
				t.Errorf("marked read %v", r)
			}
		})
	}
}

func TestInboundLIDSenders(t *testing.T) {
	tests := []struct {
		name      string
		evt       *events.Message
		wantPhone string
	}{
		{"LID with the phone beside it", func() *events.Message {
			e := dm("L1", anonID, text("سلام"))
			e.Info.SenderAlt = types.NewJID("989123333333", types.DefaultUserServer)
			e.Info.AddressingMode = types.AddressingModeLID
			return e
		}(), "+989123333333"},
		{"LID found in the LID map", dm("L2", lidJID, text("سلام")), "+989127777777"},
		{"LID device id in the map", dm("L3", types.JID{User: "111222333", Server: types.HiddenUserServer, Device: 3}, text("سلام")), "+989127777777"},
		{"LID with no phone anywhere", dm("L4", anonID, text("سلام")), "lid:444555666"},
		{"phone number outside Iran", dm("F1", types.NewJID("447700900123", types.DefaultUserServer), text("hello")), "+447700900123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			if !hs.event(tt.evt) {
				t.Fatal("HandleEvent = false")
			}
			got := hs.h.messages()
			if len(got) != 1 || got[0].Phone != tt.wantPhone {
				t.Fatalf("engine got %+v, want phone %s", got, tt.wantPhone)
			}
			// Replies go back to the chat the message came from.
			id, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(tt.wantPhone)), Text: "پاسخ"})
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			s := hs.cli.Sent()
			if len(s) != 1 || s[0].To != tt.evt.Info.Chat.ToNonAD() || id != s[0].ID {
				t.Errorf("reply sent %+v (id %s), want to %s", s, id, tt.evt.Info.Chat.ToNonAD())
			}
		})
	}
}

func TestInboundDuplicateIsHandledOnce(t *testing.T) {
	hs := newHarness(t)
	png := []byte("\x89PNG once")
	hs.cli.AddMedia("/img/d", png)
	evt := dm("DUP1", pnJID, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Caption: proto.String("عکس"), Mimetype: proto.String("image/png"), DirectPath: proto.String("/img/d"),
		FileLength: proto.Uint64(uint64(len(png))), MediaKey: []byte{1}}})
	for range 3 { // delivered, then again after two reconnects
		if !hs.event(evt) {
			t.Fatal("HandleEvent = false")
		}
	}
	if got := hs.h.messages(); len(got) != 1 {
		t.Errorf("engine got %d messages, want 1", len(got))
	}
	if hs.cli.Downloads() != 1 {
		t.Errorf("%d downloads, want 1", hs.cli.Downloads())
	}
	if r := hs.cli.Reads(); len(r) != 3 {
		t.Errorf("marked read %v; each delivery is acknowledged", r)
	}
}

// A message that cannot be stored is retried a few times, then left
// unacknowledged and unread (TestRedeliveryAfterHandlerFailureLosesNothing
// shows the redelivery is handled).
func TestInboundNotStoredIsNotAcknowledged(t *testing.T) {
	hs := newHarness(t)
	fails := 0
	hs.h.fail = func(inbound.CustomerMessage) error {
		fails++
		return errBoom
	}
	if hs.event(dm("F1", pnJID, text("سلام"))) {
		t.Error("HandleEvent = true for a message that was not stored; whatsmeow would acknowledge it")
	}
	if fails != 3 {
		t.Errorf("%d tries, want 3", fails)
	}
	if r := hs.cli.Reads(); len(r) != 0 {
		t.Errorf("marked read %v before it was stored", r)
	}
}

// TestInboundOlderThanKeptIDs: a message sent longer ago than the store
// keeps message ids (Config.MaxAge) may be a redelivery of one whose id was
// forgotten: it is acknowledged and not handled. One just inside the limit
// is handled; without a limit any age is.
func TestInboundOlderThanKeptIDs(t *testing.T) {
	const maxAge = 90 * 24 * time.Hour
	tests := []struct {
		name    string
		maxAge  time.Duration
		age     time.Duration
		handled bool
	}{
		{"recent", maxAge, time.Hour, true},
		{"just inside the limit", maxAge, maxAge - time.Minute, true},
		{"older than the ids kept", maxAge, maxAge + time.Minute, false},
		{"no limit", 0, 400 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *Config, _ *Link) { c.MaxAge = tt.maxAge })
			evt := dm("OLD1", pnJID, text("سلام"))
			evt.Info.Timestamp = t0.Add(-tt.age)
			if !hs.event(evt) {
				t.Fatal("HandleEvent = false, want the message acknowledged")
			}
			want := 0
			if tt.handled {
				want = 1
			}
			if got := len(hs.h.messages()); got != want {
				t.Errorf("engine got %d messages, want %d", got, want)
			}
			if r := hs.cli.Reads(); len(r) != 1 {
				t.Errorf("marked read %v, want the message acknowledged once", r)
			}
		})
	}
}

// A file that declares 10 bytes but is 3 MB long (the limit is 1 MB) is
// stopped at the limit while streaming: nothing is kept, the size the
// engine judges is over the limit, and no partial file stays behind.
func TestInboundFileLargerThanDeclaredIsStoppedAtTheLimit(t *testing.T) {
	hs := newHarness(t)
	big := make([]byte, 3<<20)
	hs.cli.AddMedia("/doc/liar", big)
	evt := dm("BIG1", pnJID, &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		Mimetype: proto.String("application/zip"), FileName: proto.String("backup.zip"),
		DirectPath: proto.String("/doc/liar"), FileLength: proto.Uint64(10), MediaKey: []byte{1}}})
	if !hs.event(evt) {
		t.Fatal("not acknowledged")
	}
	got := hs.h.messages()
	if len(got) != 1 || got[0].File == nil {
		t.Fatalf("engine got %+v", got)
	}
	if f := got[0].File; f.Path != "" || f.Bytes <= hs.a.cfg.MaxFileBytes {
		t.Errorf("file %+v: want no path and a size over the %d-byte limit", f, hs.a.cfg.MaxFileBytes)
	}
	var left []string
	filepath.WalkDir(hs.media, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("files left in the media dir: %v", left)
	}
}

// A backlog after downtime is handled at our time: a message sent 8 hours
// ago reaches the engine with the time it is handled, so the answer is
// worded for now; within a minute WhatsApp's time stands.
func TestInboundBacklogIsHandledAtOurTime(t *testing.T) {
	for _, tt := range []struct {
		name string
		age  time.Duration
		want time.Time
	}{
		{"sent overnight", 8 * time.Hour, t0},
		{"ahead of our clock", -5 * time.Minute, t0},
		{"within a minute", 40 * time.Second, t0.Add(-40 * time.Second)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			e := dm("B1", pnJID, text("سلام"))
			e.Info.Timestamp = t0.Add(-tt.age)
			hs.event(e)
			if got := hs.h.messages(); len(got) != 1 || !got[0].At.Equal(tt.want) || !got[0].SentAt.Equal(e.Info.Timestamp) {
				t.Errorf("engine got %+v, want at %s, sent at %s", got, tt.want, e.Info.Timestamp)
			}
		})
	}
}
