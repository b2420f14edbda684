package outbox

import (
	"fmt"
	"strconv"
	"strings"
)

// Address is where an outbox message goes, spelled as docs/interface.md
// spells it: "whatsapp:CONTACT" (an E.164 phone or a hidden "lid:…"
// address), "telegram:staff", "telegram:managers" or "telegram:user:ID".
// Make one with the constants and constructors; read one with
// ParseAddress.
type Address string

// The Telegram groups.
const (
	StaffGroup    Address = "telegram:staff"
	ManagersGroup Address = "telegram:managers"
)

// Transports an address can name: the part before the first colon, which
// the dispatcher routes on.
const (
	TransportWhatsApp = "whatsapp"
	TransportTelegram = "telegram"
)

const telegramUserPrefix = "telegram:user:"

// WhatsApp is the address of a customer's WhatsApp chat: contact is the
// E.164 phone, or a hidden address ("lid:…").
func WhatsApp(contact string) Address { return Address(TransportWhatsApp + ":" + contact) }

// TelegramUser is the address of a private Telegram chat with a user.
func TelegramUser(id int64) Address {
	return Address(telegramUserPrefix + strconv.FormatInt(id, 10))
}

// Dest is an address taken apart: its transport and exactly one of a
// WhatsApp contact, a Telegram group (StaffGroup or ManagersGroup) or a
// Telegram user id.
type Dest struct {
	Transport string
	Contact   string  // the WhatsApp contact
	Group     Address // StaffGroup or ManagersGroup
	UserID    int64   // a private Telegram chat
}

// ParseAddress takes s apart; an error says why it is not an address. It
// is the one reader of the grammar WhatsApp and TelegramUser write.
func ParseAddress(s string) (Dest, error) {
	transport, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" {
		return Dest{}, fmt.Errorf("%q is not an address (whatsapp:… or telegram:…)", s)
	}
	switch transport {
	case TransportWhatsApp:
		return Dest{Transport: transport, Contact: rest}, nil
	case TransportTelegram:
		switch a := Address(s); {
		case a == StaffGroup || a == ManagersGroup:
			return Dest{Transport: transport, Group: a}, nil
		case strings.HasPrefix(s, telegramUserPrefix):
			id, err := strconv.ParseInt(strings.TrimPrefix(s, telegramUserPrefix), 10, 64)
			if err != nil || id <= 0 {
				return Dest{}, fmt.Errorf("%q is not a Telegram user address", s)
			}
			return Dest{Transport: transport, UserID: id}, nil
		}
		return Dest{}, fmt.Errorf("%q is not a Telegram address", s)
	}
	return Dest{}, fmt.Errorf("%q is not an address (whatsapp:… or telegram:…)", s)
}

// Transport is the part of a before the first colon ("whatsapp",
// "telegram"), or a itself when it has none.
func (a Address) Transport() string {
	t, _, _ := strings.Cut(string(a), ":")
	return t
}
