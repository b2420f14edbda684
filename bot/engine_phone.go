package bot

import (
	"context"

	"supportbot/store"
)

// phoneSeen hands the conversation the phone state that the look at the
// menu read moments before in the same transaction (a bare number while a
// satisfaction question pends), instead of reading it again: one statement
// of every such message (docs/performance.md). The state is handed on once,
// to the first read of the same phone, so a read after the conversation's
// own writes always goes to the store.
type phoneSeen struct {
	tx    store.Store
	phone string
	state store.PhoneState
	kept  bool
}

// recording is the store for the look at the menu: tx, keeping the phone
// state it reads. Without store.PhoneStates it is tx, and nothing is kept.
func (s *phoneSeen) recording() store.Store {
	if _, ok := s.tx.(store.PhoneStates); !ok {
		return s.tx
	}
	return phoneRecorder{s.tx, s}
}

// handedOn is the store for the conversation: tx, serving the state kept
// to its first read of that phone.
func (s *phoneSeen) handedOn() store.Store {
	if !s.kept {
		return s.tx
	}
	return phoneHandOn{s.tx, s}
}

type phoneRecorder struct {
	store.Store
	s *phoneSeen
}

func (r phoneRecorder) PhoneState(ctx context.Context, phone string) (store.PhoneState, error) {
	st, err := r.Store.(store.PhoneStates).PhoneState(ctx, phone)
	r.s.phone, r.s.state, r.s.kept = phone, st, err == nil
	return st, err
}

type phoneHandOn struct {
	store.Store
	s *phoneSeen
}

func (h phoneHandOn) PhoneState(ctx context.Context, phone string) (store.PhoneState, error) {
	if h.s.kept && phone == h.s.phone {
		h.s.kept = false
		return h.s.state, nil
	}
	return h.Store.(store.PhoneStates).PhoneState(ctx, phone)
}
