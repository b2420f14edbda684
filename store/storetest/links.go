package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"supportbot/store"
)

// RunLinks: what the desk and the transports keep about outbox messages:
// a ticket's card (replaced), relay marks, the parts of a long message per
// chat (replaced whole, found back by any part), failure reports, cards
// about unknown contacts (the latest per contact), staff names, group
// migrations, reposted messages, forum topics and messages waiting for
// their read receipt; each ErrNotFound before it is set.
func RunLinks(t *testing.T, open func(t *testing.T) store.Store) {
	st := open(t)
	ctx := context.Background()
	seedCustomer(t, st)
	tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Status: store.TicketNew, OpenedAt: at(2026, 11, 29, 10, 0)}
	must(t, st.CreateTicket(ctx, &tk))
	var ids []int64
	for range 3 {
		m := store.OutboxMessage{To: "telegram:staff", TicketID: tk.ID, Text: "card", CreatedAt: tk.OpenedAt, NextAttempt: tk.OpenedAt}
		must(t, st.Enqueue(ctx, &m))
		ids = append(ids, m.ID)
	}
	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s before it was set: %v, want ErrNotFound", what, err)
		}
	}
	_, err := st.Card(ctx, tk.ID)
	notFound("Card", err)
	must(t, st.SetCard(ctx, store.Card{TicketID: tk.ID, OutboxID: ids[0], Shown: "a"}))
	must(t, st.SetCard(ctx, store.Card{TicketID: tk.ID, OutboxID: ids[1], Shown: "b"}))
	if c, err := st.Card(ctx, tk.ID); err != nil || c != (store.Card{TicketID: tk.ID, OutboxID: ids[1], Shown: "b"}) {
		t.Errorf("Card = %+v, %v; want the second", c, err)
	}

	testCardView(t, st, tk, ids[1])

	for _, id := range ids[:2] {
		if r, err := st.IsRelay(ctx, id); err != nil || r {
			t.Errorf("IsRelay(%d) before the mark = %v, %v", id, r, err)
		}
	}
	must(t, st.MarkRelay(ctx, ids[1], tk.ID))
	if r, err := st.IsRelay(ctx, ids[1]); err != nil || !r {
		t.Errorf("IsRelay after the mark = %v, %v", r, err)
	}
	_, err = st.MessageRelay(ctx, "lid:1", "3EB0")
	notFound("MessageRelay", err)
	must(t, st.SetMessageRelay(ctx, "lid:1", "3EB0", ids[1]))
	if id, err := st.MessageRelay(ctx, "lid:1", "3EB0"); err != nil || id != ids[1] {
		t.Errorf("MessageRelay = %d, %v", id, err)
	}

	must(t, st.SetOutboxParts(ctx, ids[2], "-100", []string{"1", "2", "3"}))
	must(t, st.SetOutboxParts(ctx, ids[2], "-200", []string{"9"}))
	must(t, st.SetOutboxParts(ctx, ids[2], "-100", []string{"4", "5"}))
	if got, err := st.OutboxParts(ctx, ids[2], "-100"); err != nil || !slices.Equal(got, []string{"4", "5"}) {
		t.Errorf("parts in -100 = %q, %v; want [4 5]", got, err)
	}
	if got, err := st.OutboxParts(ctx, ids[2], "-200"); err != nil || !slices.Equal(got, []string{"9"}) {
		t.Errorf("parts in -200 = %q, %v; want [9]", got, err)
	}
	if got, err := st.OutboxParts(ctx, ids[0], "-100"); err != nil || len(got) != 0 {
		t.Errorf("parts of a message sent whole = %q, %v; want none", got, err)
	}
	_, err = st.OutboxByPart(ctx, "-100", "3")
	notFound("OutboxByPart of a replaced part", err)
	if id, err := st.OutboxByPart(ctx, "-100", "5"); err != nil || id != ids[2] {
		t.Errorf("OutboxByPart = %d, %v; want %d", id, err, ids[2])
	}

	must(t, st.MarkOutboxReport(ctx, ids[2], ids[0]))
	for id, want := range map[int64]bool{ids[2]: true, ids[0]: false} {
		if r, err := st.IsOutboxReport(ctx, id); err != nil || r != want {
			t.Errorf("IsOutboxReport(%d) = %v, %v; want %v", id, r, err, want)
		}
	}

	_, err = st.LatestUnknownCard(ctx, "+989370009999")
	notFound("LatestUnknownCard", err)
	first := store.UnknownCard{OutboxID: ids[0], Contact: "+989370009999", Day: "2026-11-29"}
	second := store.UnknownCard{OutboxID: ids[2], Contact: "+989370009999", Day: "2026-11-30"}
	must(t, st.AddUnknownCard(ctx, second))
	must(t, st.AddUnknownCard(ctx, first))
	if c, err := st.LatestUnknownCard(ctx, "+989370009999"); err != nil || c != second {
		t.Errorf("LatestUnknownCard = %+v, %v; want %+v", c, err, second)
	}
	if c, err := st.UnknownCard(ctx, ids[0]); err != nil || c != first {
		t.Errorf("UnknownCard = %+v, %v; want %+v", c, err, first)
	}
	_, err = st.UnknownCard(ctx, ids[1])
	notFound("UnknownCard of a ticket's card", err)

	_, err = st.StaffName(ctx, 1001)
	notFound("StaffName", err)
	must(t, st.SetStaffName(ctx, 1001, "Sara"))
	must(t, st.SetStaffName(ctx, 1001, "Sara M."))
	if n, err := st.StaffName(ctx, 1001); err != nil || n != "Sara M." {
		t.Errorf("StaffName = %q, %v", n, err)
	}
	_, err = st.ChatMigration(ctx, -1234)
	notFound("ChatMigration", err)
	must(t, st.SetChatMigration(ctx, -1234, -1001234))
	if to, err := st.ChatMigration(ctx, -1234); err != nil || to != -1001234 {
		t.Errorf("ChatMigration = %d, %v", to, err)
	}
	_, err = st.OutboxRepost(ctx, ids[0])
	notFound("OutboxRepost", err)
	must(t, st.SetOutboxRepost(ctx, ids[0], "-1001234:77"))
	if ext, err := st.OutboxRepost(ctx, ids[0]); err != nil || ext != "-1001234:77" {
		t.Errorf("OutboxRepost = %q, %v", ext, err)
	}

	_, err = st.Topic(ctx, tk.ID)
	notFound("Topic", err)
	must(t, st.SetTopic(ctx, store.Topic{TicketID: tk.ID, Chat: -100, Thread: 7, Title: "تیکت ۱"}))
	must(t, st.SetTopic(ctx, store.Topic{TicketID: tk.ID, Chat: -100, Thread: 7, Title: "تیکت ۱ · بسته"}))
	if got, err := st.Topic(ctx, tk.ID); err != nil || got != (store.Topic{TicketID: tk.ID, Chat: -100, Thread: 7, Title: "تیکت ۱ · بسته"}) {
		t.Errorf("Topic = %+v, %v", got, err)
	}
	// A topic that is gone keeps its title; its old thread still names
	// the ticket; a new topic is found by its own thread.
	must(t, st.SetTopic(ctx, store.Topic{TicketID: tk.ID, Chat: -100, Title: "تیکت ۱ · بسته"}))
	if got, err := st.Topic(ctx, tk.ID); err != nil || got.Thread != 0 || got.Title != "تیکت ۱ · بسته" {
		t.Errorf("Topic after it was lost = %+v, %v", got, err)
	}
	must(t, st.SetTopic(ctx, store.Topic{TicketID: tk.ID, Chat: -100, Thread: 9, Title: "تیکت ۱ · بسته"}))
	for _, thread := range []int{7, 9} {
		if id, err := st.TopicTicket(ctx, -100, thread); err != nil || id != tk.ID {
			t.Errorf("TopicTicket(%d) = %d, %v; want %d", thread, id, err, tk.ID)
		}
	}
	_, err = st.TopicTicket(ctx, -100, 1)
	notFound("TopicTicket of the General topic", err)

	const addr = "+989121111111"
	msg := func(id string) store.UnreadMessage {
		return store.UnreadMessage{ID: id, Chat: "989121111111@s.whatsapp.net", Sender: "989121111111@s.whatsapp.net"}
	}
	for _, id := range []string{"A", "B", "A", "C", "D"} {
		must(t, st.HoldUnread(ctx, addr, msg(id), 3))
	}
	if got, err := st.Unread(ctx, addr); err != nil || !slices.Equal(got, []store.UnreadMessage{msg("B"), msg("C"), msg("D")}) {
		t.Errorf("Unread = %+v, %v; want the newest three, B C D", got, err)
	}
	must(t, st.ForgetUnread(ctx, addr))
	must(t, st.HoldUnread(ctx, addr, msg("E"), 3))
	if got, err := st.Unread(ctx, addr); err != nil || !slices.Equal(got, []store.UnreadMessage{msg("E")}) {
		t.Errorf("Unread after an answer = %+v, %v; want E", got, err)
	}
}

// testCardView checks that CardView reads what Card, Ticket, Customer and
// Contract read (the customer's id and name), with and without the ticket
// given, and for a ticket with neither contract nor customer. tk has card
// outbox id cardID.
func testCardView(t *testing.T, st store.Store, tk store.Ticket, cardID int64) {
	t.Helper()
	ctx := context.Background()
	check := func(name string, id int64, known *store.Ticket) {
		t.Helper()
		card, err := st.Card(ctx, id)
		must(t, err)
		tk, err := st.Ticket(ctx, id)
		must(t, err)
		if known != nil {
			tk = *known
		}
		want := store.CardView{Card: card, Ticket: tk}
		if c, err := st.Customer(ctx, tk.CustomerID); err == nil {
			want.Customer, want.HasCustomer = store.Customer{ID: c.ID, Name: c.Name}, true
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if k, err := st.Contract(ctx, tk.ContractID); err == nil {
			want.Contract, want.HasContract = k, true
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		got, err := st.CardView(ctx, id, known)
		if err != nil || !sameCardView(got, want) {
			t.Errorf("%s: CardView = %+v, %v\nwant %+v", name, got, err, want)
		}
	}
	check("stored ticket", tk.ID, nil)
	// A ticket the caller holds is taken as it is: its customer and
	// contract are read, not the stored row.
	held := tk
	held.Status, held.Description, held.CustomerID, held.ContractID = store.TicketAnswered, "held", "C-2", "K-2"
	check("held ticket", tk.ID, &held)

	bare := store.Ticket{Phone: "+989370000000", Status: store.TicketNew, OpenedAt: tk.OpenedAt, Description: "no contract"}
	must(t, st.CreateTicket(ctx, &bare))
	_, err := st.CardView(ctx, bare.ID, nil)
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CardView of a ticket without a card = %v, want ErrNotFound", err)
	}
	must(t, st.SetCard(ctx, store.Card{TicketID: bare.ID, OutboxID: cardID, Shown: "bare", SentAt: tk.OpenedAt.Add(-time.Hour)}))
	check("no customer, no contract", bare.ID, nil)
	check("held, no customer, no contract", bare.ID, &bare)
	if _, err := st.CardView(ctx, bare.ID+1000, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CardView of no ticket = %v, want ErrNotFound", err)
	}
}

func sameCardView(a, b store.CardView) bool {
	return a.Card.TicketID == b.Card.TicketID && a.Card.OutboxID == b.Card.OutboxID && a.Card.Shown == b.Card.Shown &&
		a.Card.SentAt.Equal(b.Card.SentAt) && sameTicket(a.Ticket, b.Ticket) &&
		a.HasCustomer == b.HasCustomer && a.Customer.ID == b.Customer.ID && a.Customer.Name == b.Customer.Name &&
		len(a.Customer.Phones) == 0 && a.HasContract == b.HasContract && a.Contract == b.Contract
}
