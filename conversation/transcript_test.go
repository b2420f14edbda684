package conversation

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"supportbot/locales"
	"supportbot/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// step is one customer message of a transcript.
type step struct {
	phone string
	at    time.Time
	text  string
	file  *store.File
}

// transcripts are whole conversations rendered in Persian and English and
// compared with testdata/<name>.<lang>.golden, so a change of wording or
// formatting is reviewed as text (go test -run Transcript -update).
var transcripts = []struct {
	name  string
	setup func(f *fakeStore)
	steps []step
}{
	{"silver_problem", nil, []step{
		{phoneSilver, at(2026, 11, 29, 15, 59), "سلام", nil},
		{phoneSilver, at(2026, 11, 29, 15, 59), "1", nil},
		{phoneSilver, at(2026, 11, 29, 15, 59), "۱", nil},
		{phoneSilver, at(2026, 11, 29, 15, 59), "٢", nil},
		{phoneSilver, at(2026, 11, 29, 16, 0), "گزارش فروش در موبایل باز نمی‌شود", nil},
		{phoneSilver, at(2026, 11, 29, 16, 2), "", &store.File{Kind: "image", Name: "error.png"}},
	}},
	{"bronze_denials", func(f *fakeStore) {
		for range 5 {
			f.tickets = append(f.tickets, store.Ticket{ID: int64(len(f.tickets) + 1), ContractID: "A-2", CustomerID: "P-2",
				Phone: phoneBronze, Kind: "question", Status: store.TicketClosed, OpenedAt: sunday10.Add(-time.Hour)})
		}
	}, []step{
		{phoneBronze, sunday10, "0", nil},
		{phoneBronze, sunday10, "1", nil},
	}},
	{"remote_not_in_tier", nil, []step{
		{phoneBronze, sunday10, "0", nil},
		{phoneBronze, sunday10, "1", nil},
		{phoneBronze, sunday10, "3", nil},
	}},
	{"onsite", nil, []step{
		{phoneShiraz, sunday10, "0", nil},
		{phoneShiraz, sunday10, "1", nil},
		{phoneShiraz, sunday10, "5", nil},
		{phoneProjSilv, sunday10, "0", nil},
		{phoneProjSilv, sunday10, "1", nil},
		{phoneProjSilv, sunday10, "5", nil},
		{phoneProjSilv, sunday10, "2", nil},
	}},
	{"unknown", nil, []step{
		{phoneUnknown, sunday10, "سلام", nil},
		{phoneUnknown, sunday10, "0", nil},
	}},
	{"several_contracts_and_views", func(f *fakeStore) {
		f.settings[store.SettingOutage] = "on"
		f.charge("A-4", 150, 90, sunday10)
	}, []step{
		{phoneMulti, sunday10, "0", nil},
		{phoneMulti, sunday10, "1", nil},
		{phoneMulti, sunday10, "2", nil},
		{phoneMulti, sunday10, "9", nil},
		{phoneMulti, sunday10, "لطفاً فردا صبح تماس بگیرید", nil},
		{phoneMulti, sunday10, "0", nil},
		{phoneMulti, sunday10, "2", nil},
		{phoneMulti, sunday10, "0", nil},
		{phoneMulti, sunday10, "3", nil},
		{phoneMulti, sunday10, "0", nil},
		{phoneMulti, sunday10, "4", nil},
		{phoneMulti, sunday10, "0", nil},
		{phoneMulti, sunday10, "5", nil},
	}},
	{"out_of_hours_followups", nil, []step{
		{phoneSilver, at(2026, 12, 3, 19, 0), "0", nil},
		{phoneSilver, at(2026, 12, 3, 19, 0), "1", nil},
		{phoneSilver, at(2026, 12, 3, 19, 0), "2", nil},
		{phoneSilver, at(2026, 12, 3, 19, 1), "سؤال اول", nil},
		{phoneSilver, at(2026, 12, 3, 19, 2), "0", nil},
		{phoneSilver, at(2026, 12, 3, 19, 2), "1", nil},
		{phoneSilver, at(2026, 12, 3, 19, 2), "2", nil},
		{phoneSilver, at(2026, 12, 3, 19, 3), "سؤال دوم", nil},
		{phoneSilver, at(2026, 12, 3, 19, 4), "یک نکته دیگر", nil},
		{phoneSilver, at(2026, 12, 3, 19, 5), "x", nil},
		{phoneSilver, at(2026, 12, 3, 19, 5), "۲", nil},
		{phoneSilver, at(2026, 12, 3, 19, 6), "0", nil},
		{phoneSilver, at(2026, 12, 3, 19, 6), "1", nil},
		{phoneSilver, at(2026, 12, 3, 20, 0), "1", nil},
		{phoneSilver, at(2026, 12, 3, 20, 0), "لغو", nil},
	}},
}

func TestTranscripts(t *testing.T) {
	for _, tr := range transcripts {
		for _, lang := range []string{"fa", "en"} {
			t.Run(tr.name+"/"+lang, func(t *testing.T) {
				p, err := locales.New(lang, tehran)
				if err != nil {
					t.Fatal(err)
				}
				f := fixture()
				if tr.setup != nil {
					tr.setup(f)
				}
				m := New(newPolicy(), testConfig)
				var b strings.Builder
				last := map[string]time.Time{}
				for _, s := range tr.steps {
					when := s.at
					if !when.After(last[s.phone]) {
						when = last[s.phone].Add(10 * time.Second)
					}
					last[s.phone] = when
					r, err := m.Handle(t.Context(), f, Inbound{Phone: s.phone, At: when, Text: s.text, File: s.file})
					if err != nil {
						t.Fatal(err)
					}
					record(r)
					in := s.text
					if s.file != nil {
						in += fmt.Sprintf("[%s %s]", s.file.Kind, s.file.Name)
					}
					fmt.Fprintf(&b, ">>> %s %s: %s\n", s.phone, when.Format("2006-01-02 15:04:05"), in)
					for _, rep := range r.Replies {
						for _, l := range rep.Lines {
							text := p.T(l.Key, l.Args)
							if strings.Contains(text, "[") && strings.Contains(text, "]") && strings.HasPrefix(text, "[") {
								t.Errorf("missing key rendered: %s", text)
							}
							if strings.Contains(text, "{") {
								t.Errorf("unfilled placeholder in %s: %s", l.Key, text)
							}
							b.WriteString(text + "\n")
						}
					}
					for _, e := range r.Events {
						fmt.Fprintf(&b, "  (event %s ticket=%d)\n", e.Kind, e.Ticket.ID)
					}
					b.WriteString("\n")
				}
				golden := filepath.Join("testdata", tr.name+"."+lang+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -run Transcripts -update)", err)
				}
				if got := b.String(); got != string(want) {
					t.Errorf("transcript differs from %s (go test -run Transcripts -update, then review the diff):\n%s", golden, got)
				}
			})
		}
	}
}
