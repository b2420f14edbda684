package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"supportbot/bot"
	"supportbot/store"
)

// step is one move of the script: a customer message, or a staff member's
// answer to the customer's open ticket.
type step struct {
	staff bool
	text  string
}

// cycle is one support request from greeting to close: the customer opens
// a problem ticket through the menus, writes twice more, a staff member
// replies to the card and later closes the ticket. Every customer message
// gets exactly one reply; the ticket gets a card, two relays and a close.
var cycle = []step{
	{text: "سلام"},
	{text: "1"}, // new request
	{text: "1"}, // problem
	{text: "1"}, // normal
	{text: "گزارش فروش در نسخه موبایل باز نمی‌شود و پیام خطا می‌دهد."},
	{text: "تصویر پیام خطا را هم فرستادم."},
	{staff: true, text: "لطفاً شماره نسخه نرم‌افزار را بفرستید."},
	{text: "نسخه ۴٫۲ روی اندروید"},
	{staff: true, text: "/close"},
}

// CycleSteps is the number of steps in one request cycle, and
// CycleCustomer how many of them are customer messages.
var (
	CycleSteps    = len(cycle)
	CycleCustomer = len(cycle) - 2
)

// StepGap is the scripted time between two steps of one customer: well
// under the flood limit, well inside the idle timeout.
const StepGap = 15 * time.Second

// StaffID is the staff member who answers in the script.
const StaffID = 1001

// Client plays the script for one customer: step i of the customer's
// script is always the same message with the same transport id at the same
// scripted time, so a restarted run can deliver it again and the engine's
// deduplication makes the second delivery a no-op.
type Client struct {
	Engine   *bot.Engine
	Customer Customer
}

// IsStaff reports whether step i is a staff message.
func IsStaff(i int) bool { return cycle[i%len(cycle)].staff }

// StepID is the transport id of step i of phone's script.
func StepID(phone string, i int) string {
	if IsStaff(i) {
		return "tg:" + phone + ":" + strconv.Itoa(i)
	}
	return "wa:" + phone + ":" + strconv.Itoa(i)
}

// Play sends step i to the engine and returns how long the engine took
// from the call until the message and its answers were committed (for a
// staff step, the lookup of the ticket to answer is not counted).
func (c *Client) Play(ctx context.Context, i int) (time.Duration, error) {
	s := cycle[i%len(cycle)]
	at := Start.Add(time.Duration(i) * StepGap)
	id := StepID(c.Customer.Phone, i)
	if !s.staff {
		t0 := time.Now()
		err := c.Engine.HandleCustomer(ctx, bot.CustomerMessage{ID: id, Phone: c.Customer.Phone, At: at, Text: s.text})
		return time.Since(t0), err
	}
	ticket, err := c.openTicket(ctx)
	if err != nil {
		return 0, err
	}
	in := bot.StaffInput{At: at, Chat: bot.ChatStaff, UserID: StaffID, UserName: "سارا", Text: s.text, ReplyToTicket: ticket}
	if s.text == "/close" {
		in.Text, in.ReplyToTicket = "/close "+strconv.FormatInt(ticket, 10), 0
	}
	t0 := time.Now()
	err = c.Engine.HandleStaff(ctx, id, in)
	return time.Since(t0), err
}

// openTicket is the customer's newest open ticket; 0 when none (a staff
// step delivered again after its ticket closed: deduplication drops it).
func (c *Client) openTicket(ctx context.Context) (int64, error) {
	ts, err := c.Engine.Store().ListTickets(ctx, store.TicketFilter{CustomerID: c.Customer.ID, OpenOnly: true})
	if err != nil {
		return 0, fmt.Errorf("bench: open tickets of %s: %w", c.Customer.ID, err)
	}
	if len(ts) == 0 {
		return 0, nil
	}
	return slices.MaxFunc(ts, func(a, b store.Ticket) int { return int(a.ID - b.ID) }).ID, nil
}
