package conversation

import (
	"fmt"
	"slices"
	"time"

	"supportbot/rules"
)

// weekOrder is the Iranian week, Saturday first.
var weekOrder = [7]time.Weekday{
	time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday,
}

// saySchedule writes a weekly schedule as lines, one per run of consecutive
// days (Saturday first) with the same hours and per interval of those days:
// "شنبه تا چهارشنبه، ساعت ۸:۳۰ تا ۱۷:۳۰". It is built from the calendar, so
// a configured change of hours shows up in what customers read.
func (t *turn) saySchedule(week *[7][]rules.Interval) {
	said := false
	for i := 0; i < len(weekOrder); {
		ivs := week[weekOrder[i]]
		j := i + 1
		for j < len(weekOrder) && slices.Equal(week[weekOrder[j]], ivs) {
			j++
		}
		for _, iv := range ivs {
			said = true
			args := kv{"start": clock(iv.Start), "end": clock(iv.End)}
			if j-i == 1 {
				args["day"] = weekOrder[i]
				t.say("schedule.day", args)
			} else {
				args["from"], args["to"] = weekOrder[i], weekOrder[j-1]
				t.say("schedule.days", args)
			}
		}
		i = j
	}
	if !said {
		t.say("schedule.none", nil)
	}
}

// sayOffHours closes a reply sent outside contact hours (the first reply of
// a conversation and a ticket confirmation, see turn.finish): that today is
// a holiday when it is one, when people answer again, the office hours, and
// that a ticket's clock starts at the next office opening.
func (t *turn) sayOffHours() {
	cal := t.m.p.Calendar
	if cal == nil || cal.IsContactOpen(t.in.At) {
		return
	}
	if cal.IsHoliday(rules.DateOf(t.in.At.In(t.loc()))) {
		t.say("offhours.holiday", nil)
	}
	if next := cal.NextContactOpening(t.in.At); !next.IsZero() {
		t.say("offhours.next", kv{"at": t.when(next)})
	} else {
		t.say("offhours.closed", nil)
	}
	t.say("offhours.clock", nil)
	t.saySchedule(&cal.Office)
}

// nearTime is an instant in the current Jalali year: the printer leaves
// out the year («یک‌شنبه ۸ آذر، ساعت ۹:۳۰»), as people say a deadline.
type nearTime time.Time

// DayTime is the instant, for the printer.
func (n nearTime) DayTime() time.Time { return time.Time(n) }

// when is an instant as an argument: without the year when it falls in the
// year of the message, with it otherwise.
func (t *turn) when(x time.Time) any {
	x = x.In(t.loc())
	y, _, _ := rules.DateOf(x).Jalali()
	if now, _, _ := rules.DateOf(t.in.At.In(t.loc())).Jalali(); now == y {
		return nearTime(x)
	}
	return x
}

// clock is a time of day (minutes since midnight) as an argument: "8:30",
// which the printer shows with the reader's digits ("۸:۳۰"), the way it
// shows the time of a date: no leading zero.
func clock(min int) string {
	return fmt.Sprintf("%d:%02d", min/60, min%60)
}
