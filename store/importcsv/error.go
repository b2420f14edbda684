package importcsv

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Error is one thing wrong with an import, placed in the file so the
// administrator can fix it: `FILE:LINE: column: reason`.
type Error struct {
	File   string // the name given to Parse
	Line   int    // 1-based physical line; 0 when the problem has no one line
	Column string // the column at fault; "" when it is the row or the file
	Reason string // what is wrong, naming the bad value
	Err    error  // the underlying parser's error, if any
}

// Error formats the problem as `FILE:LINE: column: reason`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap gives errors.Is and errors.As the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// maxErrors bounds how many problems one import reports; past it the file
// is most likely not the expected CSV at all.
const maxErrors = 20

// problems collects the errors of one file.
type problems struct {
	file string
	list []*Error
}

func (p *problems) add(line int, column, reason string, err error) {
	p.list = append(p.list, &Error{File: p.file, Line: line, Column: column, Reason: reason, Err: err})
}

func (p *problems) full() bool { return len(p.list) >= maxErrors }

// err returns nil, the one error, or all of them joined in line order (one
// per line of the message).
func (p *problems) err() error {
	switch len(p.list) {
	case 0:
		return nil
	case 1:
		return p.list[0]
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int { return a.Line - b.Line })
	errs := make([]error, 0, maxErrors+1)
	for _, e := range p.list[:min(len(p.list), maxErrors)] {
		errs = append(errs, e)
	}
	if p.full() {
		errs = append(errs, &Error{File: p.file, Reason: "stopped after " + strconv.Itoa(maxErrors) + " errors"})
	}
	return errors.Join(errs...)
}
