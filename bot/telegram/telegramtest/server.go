// Package telegramtest is a fake Telegram Bot API server for tests. It
// answers the methods the bot uses (getMe, getUpdates, sendMessage,
// editMessageText, sendDocument, sendPhoto, answerCallbackQuery, getFile,
// createForumTopic, editForumTopic and file downloads) with the real JSON
// shapes, keeps what each message says (an edit of a message that is gone,
// or one that changes nothing, is refused as Telegram refuses it), keeps the
// forum topics of chats made forums (a message to a deleted topic is
// refused), hands out queued updates the way
// Telegram does (an update is forgotten once getUpdates asks for a later
// offset), checks the limits the real server enforces (text length, HTML,
// callback data), records what was sent, and fails calls on request.
package telegramtest

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Sent is a message the server accepted.
type Sent struct {
	Method    string // sendMessage, sendPhoto, sendDocument, editMessageText
	ChatID    int64
	MessageID int
	Text      string // text or caption as a person sees it (HTML parsed)
	HTML      string // text or caption as sent
	ParseMode string
	ReplyTo   int // reply_to_message_id
	Thread    int // message_thread_id: the forum topic it went to
	Markup    *tgbotapi.InlineKeyboardMarkup
	FileName  string
	FileData  []byte
}

// Call is one request to a Bot API method.
type Call struct {
	Method string
	Params url.Values
}

// Failure is an error answer the server gives instead of the next call of a
// method, after Skip successful ones.
type Failure struct {
	Skip        int
	Code        int
	Description string
	RetryAfter  int   // seconds; sets parameters.retry_after
	MigrateTo   int64 // sets parameters.migrate_to_chat_id
}

// TooManyRequests is the 429 Telegram answers when a bot sends too fast.
func TooManyRequests(seconds int) Failure {
	return Failure{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", seconds), RetryAfter: seconds}
}

// BotUser is the bot as getMe describes it.
var BotUser = tgbotapi.User{ID: 7000001, IsBot: true, FirstName: "Support", UserName: "support_desk_bot"}

// Server is the fake Bot API.
type Server struct {
	// URL is the server's base URL.
	URL string

	srv *httptest.Server

	mu       sync.Mutex
	token    string
	updates  []tgbotapi.Update
	lastID   int
	nextMsg  int
	nextCB   int
	sent     []Sent
	calls    []Call
	failures map[string][]Failure
	files    map[string][]byte
	changed  chan struct{} // closed when updates are pushed

	stall     map[string]bool          // methods ("" for all) that never answer
	delay     map[string]time.Duration // methods answered only after a delay
	drop      map[string]int           // methods whose next n calls lose their connection
	raw       []rawUpdate              // updates queued as raw JSON (undecodable ones)
	restarted bool                     // ids restarted below the client's offset
	handed    map[int]bool             // update ids handed out by getUpdates
	again     int                      // updates handed out again (not confirmed in time)
	release   chan struct{}            // closed to free stalled calls

	webhook string // the webhook URL set for the bot, "" for none

	shown  map[msgKey]shownMessage // what each message the bot sent says now
	forums map[int64]map[int]Topic // forum chats: their topics by thread id
}

// msgKey names a message: chat and message id.
type msgKey struct {
	chat int64
	id   int
}

// shownMessage is a message as people see it now.
type shownMessage struct {
	html, markup string
}

// Topic is a forum topic.
type Topic struct {
	ThreadID int
	Name     string
	// Closed: an administrator closed it; Telegram answers a message
	// for it TOPIC_CLOSED until it is reopened (reopenForumTopic).
	Closed bool
}

// rawUpdate is an update queued as JSON as it is.
type rawUpdate struct {
	id   int
	json string
}

// NewServer starts a fake Bot API that accepts token; it stops when the
// test ends.
func NewServer(tb testing.TB, token string) *Server {
	tb.Helper()
	s := &Server{token: token, nextMsg: 100, lastID: 1000, failures: map[string][]Failure{},
		files: map[string][]byte{}, changed: make(chan struct{}),
		stall: map[string]bool{}, delay: map[string]time.Duration{}, drop: map[string]int{}, release: make(chan struct{}),
		shown: map[msgKey]shownMessage{}, forums: map[int64]map[int]Topic{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(func() {
		s.Stall("", false)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

// Stall makes calls of method ("" for every method) accept the request and
// never answer, as a peer behind a broken proxy does, until Stall(method,
// false). A stalled call never reached Telegram: it changes nothing, and
// when freed its connection is closed without an answer. (Answering it
// normally once freed made a send the bot had given up on land, or not,
// depending on whether the server had yet noticed the client leave: the
// bot's retry then made a duplicate in some runs only.)
func (s *Server) Stall(method string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.stall[method] = true
		return
	}
	delete(s.stall, method)
	close(s.release)
	s.release = make(chan struct{})
}

// Delay makes calls of method ("" for every method) answer only after d.
func (s *Server) Delay(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay[method] = d
}

// Drop makes the next n calls of method ("" for any) lose their connection
// without an answer.
func (s *Server) Drop(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop[method] += n
}

// PushRaw queues an update given as JSON, such as one the library cannot
// decode (a poison update), numbered like Push; it returns its id.
func (s *Server) PushRaw(body string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	s.raw = append(s.raw, rawUpdate{id: s.lastID, json: fmt.Sprintf(`{"update_id":%d,%s}`, s.lastID, body)})
	close(s.changed)
	s.changed = make(chan struct{})
	return s.lastID
}

// RestartIDs makes the next updates start at id, below the offset the bot
// holds, as Telegram may after a week without updates: until the bot asks
// for an offset at or below the new ids, getUpdates ignores its offset.
// Updates the bot never confirmed are gone by then (Telegram keeps them for
// at most 24 hours), so they are dropped.
func (s *Server) RestartIDs(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID = id - 1
	s.restarted = true
	s.updates = s.updates[:0]
	s.raw = s.raw[:0]
}

// Endpoint is the API endpoint format for tgbotapi.NewBotAPIWithAPIEndpoint.
func (s *Server) Endpoint() string { return s.URL + "/bot%s/%s" }

// FileEndpoint is the file download format, like tgbotapi.FileEndpoint.
func (s *Server) FileEndpoint() string { return s.URL + "/file/bot%s/%s" }

// API connects the real library to the server.
func (s *Server) API(tb testing.TB) *tgbotapi.BotAPI {
	tb.Helper()
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(s.Token(), s.Endpoint())
	if err != nil {
		tb.Fatalf("connect to the fake Bot API: %v", err)
	}
	return api
}

// Token is the token the server accepts.
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// SetToken changes the accepted token, as when a bot's token is revoked.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// Push queues an update for getUpdates, numbering it when its UpdateID is
// 0, and returns its id.
func (s *Server) Push(u tgbotapi.Update) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.UpdateID == 0 {
		s.lastID++
		u.UpdateID = s.lastID
	} else if u.UpdateID > s.lastID {
		s.lastID = u.UpdateID
	}
	if q := u.CallbackQuery; q != nil && q.ID == "" {
		s.nextCB++
		q.ID = "cb" + strconv.Itoa(s.nextCB)
	}
	s.updates = append(s.updates, u)
	close(s.changed)
	s.changed = make(chan struct{})
	return u.UpdateID
}

// HandedAgain counts the times getUpdates handed out an update it had
// handed out before: the bot had not confirmed it by a later offset.
func (s *Server) HandedAgain() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.again
}

// Pending is how many updates Telegram still holds (not yet confirmed by a
// later offset).
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Forum makes chatID a forum supergroup, where the bot may create topics.
func (s *Server) Forum(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forums[chatID] == nil {
		s.forums[chatID] = map[int]Topic{}
	}
}

// Topics lists chatID's forum topics, by thread id.
func (s *Server) Topics(chatID int64) map[int]Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]Topic{}
	for id, t := range s.forums[chatID] {
		out[id] = t
	}
	return out
}

// CloseTopic closes a forum topic, as an administrator may.
func (s *Server) CloseTopic(chatID int64, threadID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.forums[chatID][threadID]; ok {
		t.Closed = true
		s.forums[chatID][threadID] = t
	}
}

// reopen answers reopenForumTopic.
func (s *Server) reopen(w http.ResponseWriter, r *http.Request) {
	chatID, _ := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	id, _ := strconv.Atoi(r.Form.Get("message_thread_id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.forums[chatID][id]
	switch {
	case !ok:
		writeErr(w, Failure{Code: 400, Description: "Bad Request: TOPIC_ID_INVALID"})
	case !t.Closed:
		writeErr(w, Failure{Code: 400, Description: "Bad Request: TOPIC_NOT_MODIFIED"})
	default:
		t.Closed = false
		s.forums[chatID][id] = t
		writeOK(w, true)
	}
}

// SetWebhook sets a webhook for the bot, as setWebhook from another tool
// would: getUpdates is refused (409) until deleteWebhook.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

// Webhook is the webhook set for the bot, "" for none.
func (s *Server) Webhook() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Conflict is the 409 Telegram answers getUpdates while another process
// polls with the same token.
func Conflict() Failure {
	return Failure{Code: 409, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
}

// DeleteTopic deletes a forum topic, as an administrator may.
func (s *Server) DeleteTopic(chatID int64, threadID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.forums[chatID], threadID)
	for _, m := range s.sent { // its messages go with it
		if m.ChatID == chatID && m.Thread == threadID {
			delete(s.shown, msgKey{chatID, m.MessageID})
		}
	}
}

// DeleteMessage deletes a message, as a person may: it can no longer be
// edited.
func (s *Server) DeleteMessage(chatID int64, messageID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.shown, msgKey{chatID, messageID})
}

// Shown is what message messageID in chatID says now (HTML as sent), and
// whether it exists.
func (s *Server) Shown(chatID int64, messageID int) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.shown[msgKey{chatID, messageID}]
	return m.html, ok
}

// Fail makes a later call of method fail with f.
func (s *Server) Fail(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], f)
}

// AddFile makes a file downloadable under fileID.
func (s *Server) AddFile(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = data
}

// Sent lists the accepted messages in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentTo lists the accepted messages to one chat.
func (s *Server) SentTo(chatID int64) []Sent {
	var out []Sent
	for _, m := range s.Sent() {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// Calls lists the requests to method ("" for all).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor polls cond until it holds, failing the test after timeout.
func WaitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if rest, ok := strings.CutPrefix(path, "file/bot"); ok {
		s.download(w, r, rest)
		return
	}
	rest, ok := strings.CutPrefix(path, "bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeErr(w, Failure{Code: 404, Description: "Not Found"})
		return
	}
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "multipart/") {
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			writeErr(w, Failure{Code: 400, Description: "Bad Request: " + err.Error()})
			return
		}
	} else if err := r.ParseForm(); err != nil {
		writeErr(w, Failure{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Params: r.Form})
	stalled, release := s.stall[method] || s.stall[""], s.release
	delay := max(s.delay[method], s.delay[""])
	drop := false
	for _, m := range []string{method, ""} {
		if s.drop[m] > 0 {
			s.drop[m]--
			drop = true
			break
		}
	}
	s.mu.Unlock()
	if drop && hangUp(w) {
		return
	}
	if stalled {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		hangUp(w)
		return
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	if token != s.token {
		s.mu.Unlock()
		writeErr(w, Failure{Code: 401, Description: "Unauthorized"})
		return
	}
	if fs := s.failures[method]; len(fs) > 0 {
		if fs[0].Skip > 0 {
			fs[0].Skip--
		} else {
			s.failures[method] = fs[1:]
			s.mu.Unlock()
			writeErr(w, fs[0])
			return
		}
	}
	s.mu.Unlock()
	switch method {
	case "getMe":
		writeOK(w, BotUser)
	case "getUpdates":
		s.mu.Lock()
		hooked := s.webhook != ""
		s.mu.Unlock()
		if hooked {
			writeErr(w, Failure{Code: 409, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
			return
		}
		s.getUpdates(w, r)
	case "deleteWebhook":
		s.mu.Lock()
		s.webhook = ""
		s.mu.Unlock()
		writeOK(w, true)
	case "sendMessage", "editMessageText":
		s.sendMessage(w, r, method)
	case "sendPhoto", "sendDocument":
		s.sendFile(w, r, method)
	case "answerCallbackQuery":
		if r.Form.Get("callback_query_id") == "" {
			writeErr(w, Failure{Code: 400, Description: "Bad Request: query is too old and response timeout expired or query ID is invalid"})
			return
		}
		writeOK(w, true)
	case "getFile":
		s.getFile(w, r)
	case "createForumTopic", "editForumTopic":
		s.topic(w, r, method)
	case "reopenForumTopic":
		s.reopen(w, r)
	default:
		writeErr(w, Failure{Code: 404, Description: "Not Found"})
	}
}

// getUpdates confirms every update below offset, then returns those left,
// waiting up to timeout seconds for one to arrive.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.Form.Get("offset"))
	timeout, _ := strconv.Atoi(r.Form.Get("timeout"))
	limit, _ := strconv.Atoi(r.Form.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.restarted && offset > s.lastID+1 {
			offset = 0 // ids restarted below the bot's offset: it is ignored
		} else if s.restarted {
			s.restarted = false
		}
		if offset > 0 {
			kept := s.updates[:0]
			for _, u := range s.updates {
				if u.UpdateID >= offset {
					kept = append(kept, u)
				}
			}
			s.updates = kept
			keptRaw := s.raw[:0]
			for _, u := range s.raw {
				if u.id >= offset {
					keptRaw = append(keptRaw, u)
				}
			}
			s.raw = keptRaw
		}
		out := s.batch(limit)
		changed := s.changed
		s.mu.Unlock()
		if out != "" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, out)
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			writeOK(w, []tgbotapi.Update{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

// batch is the JSON of up to limit queued updates in id order, "" when
// none; the caller holds s.mu.
func (s *Server) batch(limit int) string {
	type item struct {
		id   int
		json string
	}
	var all []item
	for _, u := range s.updates {
		b, err := json.Marshal(u)
		if err != nil {
			continue
		}
		all = append(all, item{u.UpdateID, string(b)})
	}
	for _, u := range s.raw {
		all = append(all, item(u))
	}
	slices.SortStableFunc(all, func(a, b item) int { return a.id - b.id })
	var parts []string
	if s.handed == nil {
		s.handed = map[int]bool{}
	}
	for _, it := range all[:min(limit, len(all))] {
		parts = append(parts, it.json)
		if s.handed[it.id] {
			s.again++
		}
		s.handed[it.id] = true
	}
	return strings.Join(parts, ",")
}

func (s *Server) newMessage(chatID int64) tgbotapi.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMsg++
	typ := "private"
	if chatID < 0 {
		typ = "supergroup"
	}
	from := BotUser
	return tgbotapi.Message{MessageID: s.nextMsg, From: &from, Date: int(time.Now().Unix()), Chat: &tgbotapi.Chat{ID: chatID, Type: typ}}
}

// visible checks text as Telegram parses it and returns what people see.
func visible(text, mode string) (string, error) {
	if mode == "" {
		return text, nil
	}
	if mode != tgbotapi.ModeHTML {
		return "", fmt.Errorf("the fake server speaks only HTML, not %q", mode)
	}
	plain := mentionTag.ReplaceAllString(text, "")
	plain = strings.NewReplacer("<b>", "", "</b>", "", "</a>", "").Replace(plain)
	if strings.ContainsAny(plain, "<>") {
		return "", fmt.Errorf("can't parse entities: unsupported start tag")
	}
	for i := 0; i < len(plain); i++ {
		if plain[i] != '&' {
			continue
		}
		rest := plain[i:]
		if !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") && !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&quot;") {
			return "", fmt.Errorf("can't parse entities: unsupported entity")
		}
	}
	return html.UnescapeString(plain), nil
}

// mentionTag is the one kind of link the bot sends: a mention of a user.
var mentionTag = regexp.MustCompile(`<a href="tg://user\?id=[0-9]+">`)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// common reads the parameters of every send.
func (s *Server) common(r *http.Request, method, textKey string, limit int) (Sent, *Failure) {
	chatID, err := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	if err != nil || chatID == 0 {
		return Sent{}, &Failure{Code: 400, Description: "Bad Request: chat not found"}
	}
	m := Sent{Method: method, ChatID: chatID, HTML: r.Form.Get(textKey), ParseMode: r.Form.Get("parse_mode")}
	m.ReplyTo, _ = strconv.Atoi(r.Form.Get("reply_to_message_id"))
	if v := r.Form.Get("message_thread_id"); v != "" {
		m.Thread, _ = strconv.Atoi(v)
		s.mu.Lock()
		topics, forum := s.forums[chatID]
		t, ok := topics[m.Thread]
		s.mu.Unlock()
		if !forum || !ok {
			return Sent{}, &Failure{Code: 400, Description: "Bad Request: message thread not found"}
		}
		if t.Closed {
			return Sent{}, &Failure{Code: 400, Description: "Bad Request: TOPIC_CLOSED"}
		}
	}
	if m.Text, err = visible(m.HTML, m.ParseMode); err != nil {
		return Sent{}, &Failure{Code: 400, Description: "Bad Request: " + err.Error()}
	}
	if units(m.Text) > limit {
		return Sent{}, &Failure{Code: 400, Description: "Bad Request: " + textKey + " is too long"}
	}
	if v := r.Form.Get("reply_markup"); v != "" {
		var kb tgbotapi.InlineKeyboardMarkup
		if err := json.Unmarshal([]byte(v), &kb); err != nil {
			return Sent{}, &Failure{Code: 400, Description: "Bad Request: can't parse reply keyboard markup JSON object"}
		}
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == nil || len(*b.CallbackData) == 0 || len(*b.CallbackData) > 64 {
					return Sent{}, &Failure{Code: 400, Description: "Bad Request: BUTTON_DATA_INVALID"}
				}
			}
		}
		m.Markup = &kb
	}
	return m, nil
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, method string) {
	m, f := s.common(r, method, "text", 4096)
	if f == nil && strings.TrimSpace(m.Text) == "" {
		f = &Failure{Code: 400, Description: "Bad Request: message text is empty"}
	}
	if f != nil {
		writeErr(w, *f)
		return
	}
	msg := s.newMessage(m.ChatID)
	if method == "editMessageText" {
		msg.MessageID, _ = strconv.Atoi(r.Form.Get("message_id"))
		s.mu.Lock()
		key := msgKey{m.ChatID, msg.MessageID}
		old, ok := s.shown[key]
		now := shownMessage{m.HTML, r.Form.Get("reply_markup")}
		switch {
		case !ok:
			s.mu.Unlock()
			writeErr(w, Failure{Code: 400, Description: "Bad Request: message to edit not found"})
			return
		case old == now:
			s.mu.Unlock()
			writeErr(w, Failure{Code: 400, Description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"})
			return
		}
		s.mu.Unlock()
	}
	msg.Text = m.Text
	msg.ReplyMarkup = m.Markup
	m.MessageID = msg.MessageID
	s.record(m, r.Form.Get("reply_markup"))
	writeOK(w, msg)
}

// topic creates or renames a forum topic.
func (s *Server) topic(w http.ResponseWriter, r *http.Request, method string) {
	chatID, _ := strconv.ParseInt(r.Form.Get("chat_id"), 10, 64)
	name := r.Form.Get("name")
	if n := len([]rune(name)); n == 0 || n > 128 {
		writeErr(w, Failure{Code: 400, Description: "Bad Request: TOPIC_TITLE_INVALID"})
		return
	}
	s.mu.Lock()
	topics, forum := s.forums[chatID]
	if !forum {
		s.mu.Unlock()
		writeErr(w, Failure{Code: 400, Description: "Bad Request: the chat is not a forum"})
		return
	}
	if method == "createForumTopic" {
		s.nextMsg++
		t := Topic{ThreadID: s.nextMsg, Name: name}
		topics[t.ThreadID] = t
		s.mu.Unlock()
		writeOK(w, map[string]any{"message_thread_id": t.ThreadID, "name": name, "icon_color": 7322096})
		return
	}
	id, _ := strconv.Atoi(r.Form.Get("message_thread_id"))
	t, ok := topics[id]
	switch {
	case !ok:
		s.mu.Unlock()
		writeErr(w, Failure{Code: 400, Description: "Bad Request: TOPIC_ID_INVALID"})
		return
	case t.Name == name:
		s.mu.Unlock()
		writeErr(w, Failure{Code: 400, Description: "Bad Request: TOPIC_NOT_MODIFIED"})
		return
	}
	t.Name = name
	topics[id] = t
	s.mu.Unlock()
	writeOK(w, true)
}

func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, method string) {
	m, f := s.common(r, method, "caption", 1024)
	if f != nil {
		writeErr(w, *f)
		return
	}
	field := "document"
	if method == "sendPhoto" {
		field = "photo"
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		writeErr(w, Failure{Code: 400, Description: "Bad Request: there is no " + field + " in the request"})
		return
	}
	fh := r.MultipartForm.File[field][0]
	fr, err := fh.Open()
	if err == nil {
		m.FileData, err = io.ReadAll(fr)
		fr.Close()
	}
	if err != nil {
		writeErr(w, Failure{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	m.FileName = fh.Filename
	msg := s.newMessage(m.ChatID)
	msg.Caption = m.Text
	msg.ReplyMarkup = m.Markup
	id := "file" + strconv.Itoa(msg.MessageID)
	if method == "sendPhoto" {
		msg.Photo = []tgbotapi.PhotoSize{{FileID: id, FileUniqueID: id, Width: 1, Height: 1, FileSize: len(m.FileData)}}
	} else {
		msg.Document = &tgbotapi.Document{FileID: id, FileUniqueID: id, FileName: m.FileName, FileSize: len(m.FileData)}
	}
	m.MessageID = msg.MessageID
	s.record(m, r.Form.Get("reply_markup"))
	writeOK(w, msg)
}

func (s *Server) record(m Sent, markup string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	s.shown[msgKey{m.ChatID, m.MessageID}] = shownMessage{m.HTML, markup}
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	id := r.Form.Get("file_id")
	s.mu.Lock()
	data, ok := s.files[id]
	s.mu.Unlock()
	switch {
	case !ok:
		writeErr(w, Failure{Code: 400, Description: "Bad Request: invalid file_id"})
	case len(data) > 20<<20:
		writeErr(w, Failure{Code: 400, Description: "Bad Request: file is too big"})
	default:
		writeOK(w, tgbotapi.File{FileID: id, FileUniqueID: id, FileSize: len(data), FilePath: "documents/" + id})
	}
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	data, ok := s.files[strings.TrimPrefix(path, "documents/")]
	good := token == s.token
	s.mu.Unlock()
	if !good || !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

func writeOK(w http.ResponseWriter, result any) {
	data, err := json.Marshal(result)
	if err != nil {
		writeErr(w, Failure{Code: 500, Description: "Internal Server Error: " + err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, data)
}

func writeErr(w http.ResponseWriter, f Failure) {
	body := map[string]any{"ok": false, "error_code": f.Code, "description": f.Description}
	params := map[string]any{}
	if f.RetryAfter > 0 {
		params["retry_after"] = f.RetryAfter
	}
	if f.MigrateTo != 0 {
		params["migrate_to_chat_id"] = f.MigrateTo
	}
	if len(params) > 0 {
		body["parameters"] = params
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Code)
	json.NewEncoder(w).Encode(body)
}

// hangUp closes the call's connection without an answer; false when the
// connection cannot be taken over.
func hangUp(w http.ResponseWriter) bool {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return true
		}
	}
	return false
}
