package bot

import (
	"context"
	"errors"
	"testing"

	"supportbot/store"
)

// errRollback undoes a fuzz input's changes so every input meets the same
// database.
var errRollback = errors.New("roll back")

// FuzzHandleStaff feeds arbitrary command text and button data to the desk:
// it must never panic nor fail on what staff type.
func FuzzHandleStaff(f *testing.F) {
	for _, seed := range []struct{ text, callback string }{
		{"/tickets", ""}, {"/ticket 1", ""}, {"/claim ۱", ""}, {"/assign 1 1002 Ali", ""},
		{"/log 1 45m", ""}, {"/log 2 ۱ ساعت و ۳۰ دقیقه", ""}, {"/close 1", ""}, {"/reopen 1", ""},
		{"/decline 1 misuse", ""}, {"/رد ۱ بی‌احترامی", ""}, {"/note 1 متن", ""},
		{"/link 0937 000 9999 P-1", ""}, {"/usage P-3", ""}, {"/outage on", ""}, {"/digest", ""},
		{"/help@Bot", ""}, {"/", ""}, {"/log 99999999999999999999 1h", ""}, {"سلام", ""},
		{"", "claim:1"}, {"", "decline:1"}, {"", "decline:1:misuse"}, {"", "log:ab:cd"}, {"", "::::"},
	} {
		f.Add(seed.text, seed.callback, false, int64(0))
		f.Add(seed.text, seed.callback, true, int64(1))
	}
	fx := newDeskFixture(f)
	threeTickets(f, fx)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text, callback string, manager bool, replyToTicket int64) {
		in := fx.staff(text)
		in.Callback, in.ReplyToTicket = callback, replyToTicket
		if manager {
			in.UserID = managerReza
		}
		err := fx.db.InTx(ctx, func(tx store.Store) error {
			if err := fx.desk.HandleStaff(ctx, tx, in); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Errorf("HandleStaff(%q, %q): %v", text, callback, err)
		}
	})
}
