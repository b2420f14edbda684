package whatsapp

import (
	"sync"
	"time"

	"supportbot/notice"
	"supportbot/store"
)

// The queue takes slow work off whatsmeow's event loop, which handles one
// message at a time: a message with a file to download is stored
// (store.WhatsAppPending) and acknowledged at once, and a few workers
// (Config.DownloadWorkers) download and hand it to the engine. Later
// messages of the same chat wait behind it in the same queue, so staff see
// a chat in the order it was written; other chats go on meanwhile. Queued
// messages survive a restart (Run loads them). See docs/whatsapp.md,
// "Files and the event loop".
type queue struct {
	mu     sync.Mutex
	chats  map[string][]store.WhatsAppPending // per chat, oldest first
	active map[string]bool                    // a worker has the chat, or it waits in ready
	ready  []string                           // chats waiting for a worker
	// done holds the messages (by store id) that were dealt with but
	// could not be deleted from the store, with the notice that goes with
	// the delete (nil when none): a later round only forgets them.
	done  map[int64]notice.Event
	wake  chan struct{}
	start sync.Once
}

func newQueue() *queue {
	return &queue{chats: map[string][]store.WhatsAppPending{}, active: map[string]bool{}, done: map[int64]notice.Event{},
		wake: make(chan struct{}, 1)}
}

// queued reports whether chat has messages waiting: a new one must wait
// behind them.
func (q *queue) queued(chat string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.chats[chat]) > 0
}

// push adds p behind its chat's messages and schedules the chat.
func (q *queue) push(p store.WhatsAppPending) {
	q.mu.Lock()
	q.chats[p.Chat] = append(q.chats[p.Chat], p)
	q.schedule(p.Chat)
	q.mu.Unlock()
}

// schedule hands chat to a worker unless one has it; q.mu is held.
func (q *queue) schedule(chat string) {
	if q.active[chat] || len(q.chats[chat]) == 0 {
		return
	}
	q.active[chat] = true
	q.ready = append(q.ready, chat)
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take is the next chat for a worker, "" when none is ready.
func (q *queue) take() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ready) == 0 {
		return ""
	}
	chat := q.ready[0]
	q.ready = q.ready[1:]
	if len(q.ready) > 0 {
		select { // another worker may take the next
		case q.wake <- struct{}{}:
		default:
		}
	}
	return chat
}

// head is chat's oldest message; false when the chat is empty, which
// releases it.
func (q *queue) head(chat string) (store.WhatsAppPending, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.chats[chat]) == 0 {
		delete(q.chats, chat)
		delete(q.active, chat)
		return store.WhatsAppPending{}, false
	}
	return q.chats[chat][0], true
}

// pop drops chat's oldest message, handled and forgotten.
func (q *queue) pop(chat string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.chats[chat]) > 0 {
		delete(q.done, q.chats[chat][0].ID)
		q.chats[chat] = q.chats[chat][1:]
	}
}

// dealtWith marks the message with store id id as dealt with, ev to be
// told when it is forgotten.
func (q *queue) dealtWith(id int64, ev notice.Event) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.done[id] = ev
}

// wasDealtWith reports whether the message with store id id was dealt
// with, and the notice its delete must carry.
func (q *queue) wasDealtWith(id int64) (notice.Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ev, ok := q.done[id]
	return ev, ok
}

// failed counts a failed round of chat's oldest message, at now for
// why, and returns the message as it now stands.
func (q *queue) failed(chat string, now time.Time, why string) store.WhatsAppPending {
	q.mu.Lock()
	defer q.mu.Unlock()
	ms := q.chats[chat]
	if len(ms) == 0 {
		return store.WhatsAppPending{}
	}
	p := &ms[0]
	p.Attempts++
	if p.FailedAt.IsZero() {
		p.FailedAt = now
	}
	p.LastError = why
	return *p
}

// stats is how many messages are queued and when the oldest was
// received (zero when none).
func (q *queue) stats() (n int, oldest time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, ms := range q.chats {
		n += len(ms)
		for _, p := range ms {
			if oldest.IsZero() || p.At.Before(oldest) {
				oldest = p.At
			}
		}
	}
	return n, oldest
}

// release gives chat up with its messages still queued (handling failed);
// retry schedules it again.
func (q *queue) release(chat string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.active, chat)
}

// retry schedules every chat that has messages and no worker.
func (q *queue) retry() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for chat := range q.chats {
		q.schedule(chat)
	}
}

// size is how many messages are queued.
func (q *queue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, ms := range q.chats {
		n += len(ms)
	}
	return n
}
