// Package whatsapptest is a fake WhatsApp client for tests: it takes the
// place of *whatsmeow.Client behind whatsapp.Client, records what the bot
// sends, reads and types, serves media downloads, and builds real
// whatsmeow event structs for messages customers send.
package whatsapptest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// Client is the fake client. The zero value is disconnected and usable.
type Client struct {
	mu        sync.Mutex
	connected bool
	media     map[string][]byte
	sent      []Sent
	uploads   []whatsmeow.MediaType
	reads     []types.MessageID
	presences []types.ChatPresence
	downloads int
	sendErr   func(n int) error
	lose      func(n int) bool
	sends     int
	gate      func(ctx context.Context, directPath string) error
	upGate    func(ctx context.Context) error
	inFlight  int // downloads running now
	maxFlight int // the most that ran at once
}

// SetDownloadGate makes every download call gate first (with its context
// and direct path), which may block, as a slow CDN does, or fail.
func (c *Client) SetDownloadGate(gate func(ctx context.Context, directPath string) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gate = gate
}

// MaxConcurrentDownloads is the most downloads that ran at once.
func (c *Client) MaxConcurrentDownloads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxFlight
}

// Sent is one SendMessage call that succeeded.
type Sent struct {
	To  types.JID
	Msg *waE2E.Message
	ID  string
}

// NewClient returns a connected client.
func NewClient() *Client { return &Client{connected: true} }

// SendMessage records m and answers with the id the caller chose, or else
// the next of OUT001, OUT002, … It leaves the server timestamp out, so the
// adapter uses its own clock.
func (c *Client) SendMessage(_ context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sends++
	if !c.connected {
		return whatsmeow.SendResponse{}, whatsmeow.ErrNotConnected
	}
	if c.sendErr != nil {
		if err := c.sendErr(c.sends); err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	id := fmt.Sprintf("OUT%03d", len(c.sent)+1)
	if len(extra) > 0 && extra[0].ID != "" {
		id = extra[0].ID
	}
	c.sent = append(c.sent, Sent{To: to, Msg: m, ID: id})
	if c.lose != nil && c.lose(c.sends) {
		// WhatsApp took it, but its answer never came back.
		return whatsmeow.SendResponse{}, whatsmeow.ErrMessageTimedOut
	}
	return whatsmeow.SendResponse{ID: id}, nil
}

// SetLoseAnswer makes the n-th SendMessage call (from 1) deliver the
// message but time out waiting for the server's answer, when lose says so.
func (c *Client) SetLoseAnswer(lose func(n int) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lose = lose
}

// Shown lists what the recipients' phones show: the messages sent, each
// id once (a phone shows a message id once, however often it arrives).
func (c *Client) Shown() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	var out []Sent
	for _, s := range c.sent {
		if key := s.To.String() + "/" + s.ID; !seen[key] {
			seen[key] = true
			out = append(out, s)
		}
	}
	return out
}

// SetUploadGate makes every upload call gate first, which may block, as a
// stalled media server does, or fail.
func (c *Client) SetUploadGate(gate func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.upGate = gate
}

// Upload keeps data downloadable under the direct path it returns.
func (c *Client) Upload(ctx context.Context, data []byte, t whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	c.mu.Lock()
	gate := c.upGate
	c.mu.Unlock()
	if gate != nil {
		if err := gate(ctx); err != nil {
			return whatsmeow.UploadResponse{}, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uploads = append(c.uploads, t)
	path := fmt.Sprintf("/up/%d", len(c.uploads))
	if c.media == nil {
		c.media = map[string][]byte{}
	}
	c.media[path] = append([]byte(nil), data...)
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.test" + path, DirectPath: path, FileLength: uint64(len(data)),
		MediaKey: []byte{1}, FileSHA256: []byte{2}, FileEncSHA256: []byte{3}}, nil
}

// DownloadToFile writes what AddMedia or Upload stored under the part's
// direct path into file in chunks, as whatsmeow streams it (whatever size
// the message declares), or fails as WhatsApp's CDN does for a missing
// file.
func (c *Client) DownloadToFile(ctx context.Context, m whatsmeow.DownloadableMessage, file whatsmeow.File) error {
	c.mu.Lock()
	c.downloads++
	c.inFlight++
	c.maxFlight = max(c.maxFlight, c.inFlight)
	gate := c.gate
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.inFlight--
		c.mu.Unlock()
	}()
	if gate != nil {
		if err := gate(ctx, m.GetDirectPath()); err != nil {
			return err
		}
	}
	c.mu.Lock()
	data, ok := c.media[m.GetDirectPath()]
	c.mu.Unlock()
	if !ok {
		return whatsmeow.ErrMediaDownloadFailedWith404
	}
	for len(data) > 0 {
		n := min(len(data), 32<<10)
		if _, err := file.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// MarkRead records the ids.
func (c *Client) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads = append(c.reads, ids...)
	return nil
}

// SendChatPresence records the state.
func (c *Client) SendChatPresence(_ context.Context, _ types.JID, state types.ChatPresence, _ types.ChatPresenceMedia) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.presences = append(c.presences, state)
	return nil
}

// IsConnected reports the state SetConnected set.
func (c *Client) IsConnected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected
}

// SetConnected connects or disconnects the fake (sends fail while down).
func (c *Client) SetConnected(v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.connected = v
}

// SetSendErr decides the error of the n-th SendMessage call (from 1).
func (c *Client) SetSendErr(f func(n int) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendErr = f
}

// AddMedia makes data downloadable under a direct path.
func (c *Client) AddMedia(directPath string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.media == nil {
		c.media = map[string][]byte{}
	}
	c.media[directPath] = data
}

// Media is the content uploaded or added under a direct path.
func (c *Client) Media(directPath string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.media[directPath]
}

// Sent lists the messages sent, in order.
func (c *Client) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Sent(nil), c.sent...)
}

// Uploads lists the media types uploaded, in order.
func (c *Client) Uploads() []whatsmeow.MediaType {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]whatsmeow.MediaType(nil), c.uploads...)
}

// Reads lists the message ids marked read, in order.
func (c *Client) Reads() []types.MessageID {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]types.MessageID(nil), c.reads...)
}

// Presences lists the chat states sent, in order.
func (c *Client) Presences() []types.ChatPresence {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]types.ChatPresence(nil), c.presences...)
}

// ClearPresences forgets the chat states sent so far.
func (c *Client) ClearPresences() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.presences = nil
}

// Downloads counts Download calls.
func (c *Client) Downloads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.downloads
}

// LIDs is a LID map: hidden user → phone number user.
type LIDs map[string]string

// GetPNForLID looks lid up; an unknown one is the empty JID, as whatsmeow's
// store answers.
func (m LIDs) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	if pn, ok := m[lid.User]; ok {
		return types.NewJID(pn, types.DefaultUserServer), nil
	}
	return types.JID{}, nil
}

// PN is a phone-number JID ("989121234567").
func PN(user string) types.JID { return types.NewJID(user, types.DefaultUserServer) }

// LID is a hidden-user JID.
func LID(user string) types.JID { return types.NewJID(user, types.HiddenUserServer) }

// Message is a direct message from sender in its own chat.
func Message(id string, sender types.JID, at time.Time, m *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: sender, Sender: sender},
			ID:            id, Timestamp: at, PushName: "Customer", Type: "text",
		},
		Message: m,
	}
}

// Text is a plain text message.
func Text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

// Image is a photo with a caption, downloadable under directPath.
func Image(caption, mime, directPath string, size int) *waE2E.Message {
	return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
		Caption: proto.String(caption), Mimetype: proto.String(mime), DirectPath: proto.String(directPath),
		FileLength: proto.Uint64(uint64(size)), MediaKey: []byte{1}, FileSHA256: []byte{2}, FileEncSHA256: []byte{3}}}
}
