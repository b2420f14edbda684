package notice

import "strconv"

// Refusals are a transport's reasons for giving up on one message, as
// data: the send error carries one, the dispatcher's report to staff
// quotes it, and bot.Notices (FailureReport) words it.

// NeverWrote refuses a WhatsApp message to an address that never wrote to
// the company: WhatsApp bans accounts that message strangers, so the bot
// writes only to people who wrote first.
type NeverWrote struct {
	Address string
}

func (e *NeverWrote) Error() string {
	return "never wrote to the company's WhatsApp: " + e.Address
}

// WhatsAppRefused is WhatsApp's refusal of one message with a server code
// no retry changes (463: the account may not write in this chat now; 479:
// the address is refused).
type WhatsAppRefused struct {
	Code int
	Err  error // whatsmeow's error
}

func (e *WhatsAppRefused) Error() string {
	if e.Err == nil {
		return "WhatsApp refused the message: code " + strconv.Itoa(e.Code)
	}
	return "WhatsApp refused the message: " + e.Err.Error()
}

func (e *WhatsAppRefused) Unwrap() error { return e.Err }
