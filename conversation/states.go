package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// state is where a phone's conversation stands: what the customer has on
// screen and so how the next message is read (docs/conversation.md).
//
//	state          on screen                       next message              goes to
//	idle           nothing                         greeting, bare number     main_menu (greeting + menu)
//	                                               other text or file:       (free text, below)
//	main_menu      main menu                       1                         pick_contract | pick_kind | idle (denied)
//	                                               2, 3, 4, 5                idle (the page is shown)
//	                                               other text or file:       (free text, below)
//	pick_contract  numbered active contracts       a listed number           pick_kind | idle (denied)
//	pick_kind      the kinds the tier covers       a kind's code (1–10)      pick_severity | describe | idle (ticket or denial)
//	pick_severity  normal / important / critical   1–3 or its name           describe | idle (ticket) | offer | idle (denied)
//	describe       "describe your request"         text or file              idle (ticket opened, or denied)
//	pick_ticket    the open tickets' numbers       a tracking number         idle (follow-up added)
//	                                               0                         a new request with the waiting messages
//	offer          a one-tap way forward           1                         as if that request had been chosen
//	identify       "who are you?" (unknown number) anything                  identify (relayed under the day's card)
//
// Free text (not a number, a command, only a greeting or only courtesy)
// goes to the customer's open ticket (pick_ticket when several), else
// reopens a ticket closed within the reopen window, else starts a new
// request with it as the description (the draft): the bot then asks only
// what is missing. In the pick states free text and files join the draft.
//
// In every state of a known customer, "0"/"منو" shows the main menu
// (main_menu) and "لغو" cancels (idle); courtesy (thanks, emoji) changes no
// state; an invalid answer repeats the same menu with a hint; a message
// later than the idle timeout first drops the unfinished flow (idle).
type state string

// The states.
const (
	stateIdle         state = "idle"
	stateMainMenu     state = "main_menu"
	statePickContract state = "pick_contract"
	statePickKind     state = "pick_kind"
	statePickSeverity state = "pick_severity"
	stateDescribe     state = "describe"
	statePickTicket   state = "pick_ticket"
	stateOffer        state = "offer"
	stateIdentify     state = "identify"
)

// allStates lists every state a session may be saved with.
var allStates = []state{
	stateIdle, stateMainMenu, statePickContract, statePickKind,
	statePickSeverity, stateDescribe, statePickTicket, stateOffer, stateIdentify,
}

// inRequest reports whether s is part of a new request in progress, which
// "لغو" and the idle timeout drop.
func (s state) inRequest() bool {
	switch s {
	case statePickContract, statePickKind, statePickSeverity, stateDescribe:
		return true
	}
	return false
}

// data is the state's memory, saved as the session's JSON: what the customer
// has chosen so far and what the list on screen meant.
type data struct {
	Contract  string            `json:"contract,omitempty"`  // chosen contract id
	Contracts []string          `json:"contracts,omitempty"` // pick_contract: ids in list order
	Kind      rules.RequestKind `json:"kind,omitempty"`
	Severity  rules.Severity    `json:"severity,omitempty"`
	Tickets   []int64           `json:"tickets,omitempty"` // pick_ticket: ids in list order
	Pending   []pending         `json:"pending,omitempty"` // pick_ticket: the messages to file
	// Draft is the description of the request in progress, given before
	// the bot asked for it (the problem written first, photos sent while a
	// menu was on screen); identify: the first description-like message of
	// an unknown number, carried into a request after /link.
	Draft []pending `json:"draft,omitempty"`

	// What outlives a change of state.
	Acks  map[int64]time.Time `json:"acks,omitempty"`  // last acknowledgement per ticket
	Quiet time.Time           `json:"quiet,omitempty"` // last short reply that a burst should not repeat
	Card  string              `json:"card,omitempty"`  // identify: the day (2006-01-02) of the staff card
	Noted time.Time           `json:"noted,omitempty"` // identify: the last reply to the unknown number
}

// pending is a customer message kept until it is filed: a follow-up waiting
// for the customer to say which ticket it belongs to, or part of a draft.
// Ref is its store.Received id (0 when the caller recorded none).
type pending struct {
	Text string      `json:"text,omitempty"`
	File *store.File `json:"file,omitempty"`
	Ref  int64       `json:"ref,omitempty"`
	// At is when it reached the bot, SentAt WhatsApp's time for it (zero
	// when none, and in drafts kept before these were).
	At     time.Time `json:"at,omitzero"`
	SentAt time.Time `json:"sent_at,omitzero"`
}

// session is a phone's conversation as loaded and as it will be saved.
type session struct {
	state     state
	data      data
	fresh     bool      // no session was stored: the first message ever
	updatedAt time.Time // when the previous message came
}

// valid reports whether the state is known and its data holds what the
// state needs, so a damaged or outdated session is never acted on.
func (s session) valid() bool {
	d := s.data
	switch s.state {
	case stateIdle, stateMainMenu, stateIdentify:
		return true
	case statePickContract:
		return len(d.Contracts) > 0
	case statePickKind:
		return d.Contract != ""
	case statePickSeverity, stateDescribe:
		return d.Contract != "" && d.Kind != ""
	case statePickTicket:
		return len(d.Tickets) > 0 && len(d.Pending) > 0
	case stateOffer:
		return d.Contract != "" && d.Kind != ""
	}
	return false
}

// to moves the conversation to s with fresh data; what outlives a change of
// state (acknowledgements, the unknown number's card) is kept.
func (s *session) to(st state) {
	d := s.data
	s.state = st
	s.data = data{Acks: d.Acks, Quiet: d.Quiet, Card: d.Card, Noted: d.Noted}
}

// loadSession reads the phone's session. A missing session is a fresh idle
// one; a damaged one (unknown state, bad JSON, missing data) is treated as
// idle, never as an error, so one bad row cannot lock a customer out.
func loadSession(ctx context.Context, st Store, phone string) (session, error) {
	s, err := st.Session(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		return session{state: stateIdle, fresh: true}, nil
	}
	if err != nil {
		return session{}, fmt.Errorf("session of %s: %w", phone, err)
	}
	return decodeSession(s), nil
}

// decodeSession reads a stored session as loadSession does.
func decodeSession(s store.Session) session {
	out := session{state: state(s.State), updatedAt: s.UpdatedAt}
	if s.Data != "" {
		if json.Unmarshal([]byte(s.Data), &out.data) != nil {
			out.to(stateIdle)
		}
	}
	if !out.valid() {
		out.to(stateIdle)
	}
	return out
}

// save stores the session as of at.
func (s session) save(ctx context.Context, st Store, phone string, at time.Time) error {
	raw, err := json.Marshal(s.data)
	if err != nil {
		return fmt.Errorf("session data: %w", err)
	}
	rec := store.Session{Phone: phone, State: string(s.state), Data: string(raw), UpdatedAt: at}
	if err := st.SaveSession(ctx, rec); err != nil {
		return fmt.Errorf("save session of %s: %w", phone, err)
	}
	return nil
}
