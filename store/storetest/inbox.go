package storetest

import (
	"context"
	"slices"
	"testing"

	"supportbot/store"
)

// RunInbox: a redelivered message id is recognised (nothing is done
// twice), per transport, and for chat-scoped ids per chat.
func RunInbox(t *testing.T, open func(t *testing.T) store.Inbox) {
	st := open(t)
	ctx := context.Background()
	when := at(2026, 12, 1, 9, 0)
	steps := []struct {
		transport, chat, id string
		fresh               bool
	}{
		{"telegram", "", "1001", true},
		{"telegram", "", "1001", false}, // redelivered
		{"telegram", "", "1002", true},
		{"whatsapp", "", "1001", true}, // another transport
		{"whatsapp", "989121111111@s.whatsapp.net", "3EB0A1", true},
		{"whatsapp", "989121111111@s.whatsapp.net", "3EB0A1", false}, // redelivered
		{"whatsapp", "989122222222@s.whatsapp.net", "3EB0A1", true},  // the same id in another chat
	}
	for i, s := range steps {
		var fresh bool
		var err error
		if s.chat == "" {
			fresh, err = st.RecordInbound(ctx, s.transport, s.id, when)
		} else {
			fresh, err = st.RecordChatInbound(ctx, s.transport, s.chat, s.id, when)
		}
		must(t, err)
		if fresh != s.fresh {
			t.Errorf("step %d (%s %s %s): fresh = %v, want %v", i, s.transport, s.chat, s.id, fresh, s.fresh)
		}
	}
}

// RunContractEnds: waiting reminders are a set, sorted; the hour's count
// is one value, replaced.
func RunContractEnds(t *testing.T, open func(t *testing.T) store.ContractEnds) {
	st := open(t)
	ctx := context.Background()
	if h, n, err := st.ContractEndHour(ctx); err != nil || h != "" || n != 0 {
		t.Errorf("hour before any = %q %d %v, want empty", h, n, err)
	}
	for _, k := range []string{"contract_end:K-2:7:1405-10-11", "contract_end:K-1:30:1405-10-11", "contract_end:K-2:7:1405-10-11"} {
		must(t, st.WaitContractEnd(ctx, k))
	}
	must(t, st.DropContractEndWaiting(ctx, "contract_end:K-9:7:1405-10-11"))
	want := []string{"contract_end:K-1:30:1405-10-11", "contract_end:K-2:7:1405-10-11"}
	if got, err := st.ContractEndWaiting(ctx); err != nil || !slices.Equal(got, want) {
		t.Errorf("waiting = %q, %v; want %q", got, err, want)
	}
	must(t, st.DropContractEndWaiting(ctx, want...))
	if got, err := st.ContractEndWaiting(ctx); err != nil || len(got) != 0 {
		t.Errorf("waiting after the drop = %q, %v", got, err)
	}
	must(t, st.SetContractEndHour(ctx, "2026-12-02T08", 3))
	must(t, st.SetContractEndHour(ctx, "2026-12-02T09", 5))
	if h, n, err := st.ContractEndHour(ctx); err != nil || h != "2026-12-02T09" || n != 5 {
		t.Errorf("hour = %q %d %v, want 2026-12-02T09 5", h, n, err)
	}
}
