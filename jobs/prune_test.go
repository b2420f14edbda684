package jobs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"supportbot/inbound"
	"supportbot/jobs"
	"supportbot/store"
)

// TestInboundPruneJob: each night at 04:30 office time the ids of inbound
// messages sent more than InboundIDDays before are forgotten, across
// transports and in stretches; newer ones stay, so a redelivery of a recent
// message is still recognised. With 0 days there is no such job.
func TestInboundPruneJob(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	ctx := context.Background()
	night := f.Time(t, "2026-11-28 04:30")
	old := night.AddDate(0, 0, -90)
	ids := []struct {
		transport, id string
		at            time.Time
		kept          bool
	}{
		{inbound.TransportWhatsApp, "3EB0OLD1", old.Add(-time.Minute), false},
		{inbound.TransportWhatsApp, "3EB0OLD2", old.AddDate(0, -3, 0), false},
		{inbound.TransportTelegram, "update:7", old.Add(-time.Hour), false},
		{inbound.TransportWhatsApp, "3EB0NEW1", old.Add(time.Minute), true},
		{inbound.TransportWhatsApp, "3EB0NEW2", night.Add(-time.Hour), true},
		{inbound.TransportTelegram, "update:8", night.Add(-24 * time.Hour), true},
	}
	for i := range jobs.PruneStretch + 10 { // more than one stretch of old ids
		if _, err := f.DB.RecordInbound(ctx, inbound.TransportWhatsApp, "3EB0BULK"+strconv.Itoa(i), old.AddDate(0, 0, -1)); err != nil {
			t.Fatal(err)
		}
	}
	// Ids kept per chat, old and new (the key of migration 0010).
	chatIDs := []struct {
		chat string
		at   time.Time
		kept bool
	}{{"989121110001@s.whatsapp.net", old.Add(-time.Second), false}, {"989121110002@s.whatsapp.net", old.Add(time.Second), true}}
	for _, c := range chatIDs {
		if _, err := f.DB.RecordChatInbound(ctx, inbound.TransportWhatsApp, c.chat, "3EB0CHAT", c.at); err != nil {
			t.Fatal(err)
		}
	}
	// Held messages go with the same retention, more than a stretch of them.
	for i := range jobs.PruneStretch + 5 {
		h := store.HeldMessage{At: old.Add(-time.Duration(i+1) * time.Minute), Phone: "+989121110003", Reason: store.HeldFlood, Text: "قدیمی"}
		if err := f.DB.Hold(ctx, &h); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{old.Add(time.Minute), night.Add(-time.Hour)} {
		h := store.HeldMessage{At: at, Phone: "+989121110003", Reason: store.HeldTooLong, Text: "تازه"}
		if err := f.DB.Hold(ctx, &h); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range ids {
		if _, err := f.DB.RecordInbound(ctx, r.transport, r.id, r.at); err != nil {
			t.Fatal(err)
		}
	}

	f.run(t, night.Add(-time.Minute), night.Add(-time.Second)) // not yet
	if seen, _ := f.DB.InboundSeen(ctx, inbound.TransportWhatsApp, "3EB0OLD1"); !seen {
		t.Fatal("an id was forgotten before 04:30")
	}
	f.run(t, night.Add(-time.Second), night)
	for _, r := range ids {
		seen, err := f.DB.InboundSeen(ctx, r.transport, r.id)
		if err != nil {
			t.Fatal(err)
		}
		if seen != r.kept {
			t.Errorf("%s %s sent %s: seen %v after the night, want %v", r.transport, r.id, r.at.In(f.Loc).Format(time.DateTime), seen, r.kept)
		}
	}
	for _, c := range chatIDs {
		if seen, err := f.DB.ChatInboundSeen(ctx, inbound.TransportWhatsApp, c.chat, "3EB0CHAT"); err != nil || seen != c.kept {
			t.Errorf("id in %s sent %s: seen %v (%v) after the night, want %v", c.chat, c.at.In(f.Loc).Format(time.DateTime), seen, err, c.kept)
		}
	}
	held, total, err := f.DB.HeldPage(ctx, "+989121110003", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(held) != 2 || held[0].Text != "تازه" || held[1].Text != "تازه" {
		t.Errorf("held after the night: %d in all, page %+v; want the 2 newer than the retention", total, held)
	}
	for i := range jobs.PruneStretch + 10 {
		if seen, err := f.DB.InboundSeen(ctx, inbound.TransportWhatsApp, "3EB0BULK"+strconv.Itoa(i)); err != nil || seen {
			t.Fatalf("old id %d still there after the night (%v)", i, err)
		}
	}
	c, err := f.DB.Counts(ctx, night)
	if err != nil {
		t.Fatal(err)
	}
	if c.Inbound[inbound.TransportWhatsApp] != jobs.PruneStretch+10+4+2 || c.Inbound[inbound.TransportTelegram] != 2 {
		t.Errorf("inbound counts %v after the night, want every message still counted", c.Inbound)
	}

	off := defaultJobs
	off.InboundIDDays = 0
	f.cfg = off
	f.restart(t)
	for _, j := range f.sched.Jobs() {
		if j.Name == "inbound_prune" {
			t.Error("an inbound_prune job with retention 0")
		}
	}
}
