package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// WriteJSON writes the export to w as it reads it (docs/interface.md):
// the same bytes as json.Encoder (two-space indent, HTML left unescaped)
// gives for TakeWith's Snapshot, but each ticket, denial, audit record and
// message is encoded and written as the store yields it, so memory stays
// flat however many years the database holds (docs/performance.md).
func WriteJSON(ctx context.Context, w io.Writer, st store.Store, p *rules.Policy, at time.Time, o Options) error {
	js := newJSONStream(w)
	js.raw("{")
	if err := exportWalk(ctx, st, p, at, o, js); err != nil {
		return err
	}
	js.endSection()
	js.raw("\n}\n")
	return js.flush()
}

// jsonStream writes a JSON object of lists one item at a time, laid out as
// json.Encoder with SetIndent("", "  ") lays out the whole object.
type jsonStream struct {
	w     *bufio.Writer
	buf   bytes.Buffer
	enc   *json.Encoder // items, indented for their depth
	open  bool          // a list is open
	items int           // in the open list
	err   error         // the first write error
}

func newJSONStream(w io.Writer) *jsonStream {
	js := &jsonStream{w: bufio.NewWriterSize(w, 64<<10)}
	js.enc = json.NewEncoder(&js.buf)
	js.enc.SetEscapeHTML(false)
	js.enc.SetIndent("    ", "  ") // an item is two levels in: the object, then its list
	return js
}

func (js *jsonStream) raw(s string) {
	if js.err == nil {
		_, js.err = js.w.WriteString(s)
	}
}

// section ends the open list and starts the list called name.
func (js *jsonStream) section(name string) error {
	if js.open {
		js.endSection()
		js.raw(",")
	}
	key, err := json.Marshal(name)
	if err != nil {
		return err
	}
	js.raw("\n  " + string(key) + ": [")
	js.open, js.items = true, 0
	return js.err
}

func (js *jsonStream) endSection() {
	switch {
	case !js.open:
	case js.items == 0:
		js.raw("]")
	default:
		js.raw("\n  ]")
	}
	js.open = false
}

func (js *jsonStream) item(v any) error {
	js.buf.Reset()
	if err := js.enc.Encode(v); err != nil {
		return err
	}
	if js.items == 0 {
		js.raw("\n    ")
	} else {
		js.raw(",\n    ")
	}
	js.items++
	if js.err == nil {
		_, js.err = js.w.Write(bytes.TrimSuffix(js.buf.Bytes(), []byte("\n")))
	}
	return js.err
}

func (js *jsonStream) flush() error {
	if js.err != nil {
		return js.err
	}
	return js.w.Flush()
}
