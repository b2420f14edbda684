// Package importcsv reads the customers-and-contracts CSV of docs/interface.md
// (`supportbot import FILE.csv`) and applies it to the store in one
// transaction.
//
// Parse checks everything the file alone can tell, in this order for each
// row: the row's shape and encoding, the required values (customer_id,
// customer_name, contract_id, kind, tier, purchased_on), phones, kind and
// tier together, dates and their order, project_id and dedicated_staff; then
// across rows: one name and city per customer, one customer per phone, one
// row per contract, at least one phone per customer, and that an hourly
// package's project in the same file is a project of the same customer.
// Apply checks what needs the database (a project named only there, numbers
// an earlier import gave a customer outside the file) and writes all or
// nothing.
package importcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"supportbot/rules"
	"supportbot/store"
)

// Column names of the CSV (docs/interface.md).
const (
	ColCustomerID     = "customer_id"
	ColCustomerName   = "customer_name"
	ColCity           = "city"
	ColPhones         = "phones"
	ColContractID     = "contract_id"
	ColKind           = "kind"
	ColTier           = "tier"
	ColSubject        = "subject"
	ColPurchasedOn    = "purchased_on"
	ColDeliveredOn    = "delivered_on"
	ColConfirmedOn    = "confirmed_on"
	ColProjectID      = "project_id"
	ColDedicatedStaff = "dedicated_staff"
)

// requiredColumns must be in the header; the others are optional.
var requiredColumns = []string{
	ColCustomerID, ColCustomerName, ColPhones, ColContractID, ColKind, ColTier, ColPurchasedOn,
}

var knownColumns = append(slices.Clone(requiredColumns),
	ColCity, ColSubject, ColDeliveredOn, ColConfirmedOn, ColProjectID, ColDedicatedStaff)

// Batch is a parsed import: customers and contracts in the order the file
// first names them, each customer with the union of its rows' phones.
type Batch struct {
	Customers []store.Customer
	Contracts []rules.Contract

	// Where each record came from, so Apply's errors name a line too.
	file         string
	customerLine map[string]int
	contractLine map[string]int
	phoneLine    map[string]int // E.164 -> first line that gives it
}

// Parse reads a customers-and-contracts CSV. name is how errors call the
// file (usually its path). Every problem found is reported as an *Error
// `NAME:LINE: column: reason`; several are joined, one per line.
func Parse(name string, r io.Reader) (Batch, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	if b, _ := br.Peek(64); looksUTF16(b) {
		return Batch{}, &Error{File: name, Line: 1, Reason: `the file is UTF-16 (Excel's "Unicode text"); save it as "CSV UTF-8 (comma delimited)"`}
	}
	p := &parser{
		probs:     problems{file: name},
		customers: map[string]*customerAcc{},
		phones:    map[string]phoneAcc{},
		contracts: map[string]int{},
		batch: Batch{
			file:         name,
			customerLine: map[string]int{},
			contractLine: map[string]int{},
			phoneLine:    map[string]int{},
		},
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	if !p.header(cr) {
		return Batch{}, p.probs.err()
	}
	rows := 0
	for !p.probs.full() {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.csvError(err)
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		rows++
		p.row(line, rec)
	}
	if rows == 0 && len(p.probs.list) == 0 {
		p.probs.add(p.headerLine, "", "no rows after the header", nil)
	}
	p.finish()
	if err := p.probs.err(); err != nil {
		return Batch{}, err
	}
	return p.batch, nil
}

type customerAcc struct {
	index      int // in batch.Customers
	line       int // first row
	name, city string
	cityLine   int
	phones     []string
	phoneText  bool // some row's phones cell was not empty
}

type phoneAcc struct {
	customerID string
	line       int
	raw        string
}

type hourlyRef struct {
	line       int
	contractID string
	customerID string
	projectID  string
}

type parser struct {
	probs      problems
	headerLine int
	cols       map[string]int // column name -> index
	width      int            // fields in the header

	customers map[string]*customerAcc
	phones    map[string]phoneAcc
	contracts map[string]int // id -> line
	kinds     map[string]contractAcc
	hourly    []hourlyRef
	batch     Batch
}

type contractAcc struct {
	kind       rules.Kind
	customerID string
}

// header reads and checks the header row; false means stop.
func (p *parser) header(cr *csv.Reader) bool {
	rec, err := cr.Read()
	for err == nil && blank(rec) {
		rec, err = cr.Read()
	}
	if errors.Is(err, io.EOF) {
		p.probs.add(1, "", "empty file: want a header row naming the columns ("+strings.Join(knownColumns, ",")+")", nil)
		return false
	}
	if err != nil {
		p.csvError(err)
		return false
	}
	p.headerLine, _ = cr.FieldPos(0)
	p.width = len(rec)
	p.cols = map[string]int{}
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if h == "" {
			continue
		}
		if j, dup := p.cols[h]; dup {
			if slices.Contains(knownColumns, h) {
				p.probs.add(p.headerLine, h, fmt.Sprintf("column appears twice (columns %d and %d)", j+1, i+1), nil)
			}
			continue
		}
		p.cols[h] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := p.cols[c]; !ok {
			missing = append(missing, strconv.Quote(c))
		}
	}
	if len(missing) > 0 {
		reason := "missing column " + strings.Join(missing, ", ")
		if len(missing) > 1 {
			reason = "missing columns " + strings.Join(missing, ", ")
		}
		switch {
		case len(rec) == 1 && strings.Contains(rec[0], "؛"):
			reason += ` (columns are separated by the Persian semicolon "؛", as Excel saves with Persian regional settings: columns must be separated by commas; save as "CSV UTF-8 (comma delimited)")`
		case len(rec) == 1 && strings.ContainsAny(rec[0], ";\t"):
			reason += " (columns must be separated by commas)"
		}
		p.probs.add(p.headerLine, "", reason, nil)
	}
	return len(p.probs.list) == 0
}

func (p *parser) csvError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.probs.add(pe.Line, "", "not valid CSV: "+pe.Err.Error(), err)
		return
	}
	p.probs.add(0, "", "cannot read: "+err.Error(), err)
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row checks one data row and adds it to the batch.
func (p *parser) row(line int, rec []string) {
	bad := false
	fail := func(col, reason string, err error) {
		p.probs.add(line, col, reason, err)
		bad = true
	}
	if len(rec) > p.width {
		fail("", fmt.Sprintf("row has %d fields, the header has %d (a comma inside a value needs the value in double quotes)", len(rec), p.width), nil)
		return
	}
	for _, col := range knownColumns {
		if i, ok := p.cols[col]; ok && i < len(rec) && !utf8.ValidString(rec[i]) {
			fail(col, "not UTF-8 text (save the file as CSV UTF-8)", nil)
			return
		}
	}
	get := func(col string) string {
		i, ok := p.cols[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	required := func(col string) string {
		v := get(col)
		if v == "" {
			fail(col, "empty, a value is required", nil)
		}
		return v
	}

	customerID := required(ColCustomerID)
	customerName := required(ColCustomerName)
	city := get(ColCity)
	contractID := required(ColContractID)
	kindText := required(ColKind)
	tierText := required(ColTier)
	purchasedText := required(ColPurchasedOn)

	phones := p.phonesOf(line, get(ColPhones), fail)

	c := rules.Contract{ID: contractID, CustomerID: customerID, Subject: get(ColSubject)}
	kindOK := false
	if kindText != "" {
		k, err := rules.ParseKind(kindText)
		if err != nil {
			fail(ColKind, fmt.Sprintf("%q is not a contract kind (product, project, hourly, crm)", kindText), err)
		} else {
			c.Kind, kindOK = k, true
		}
	}
	if kindOK && tierText != "" {
		t, err := rules.ParseTier(c.Kind, tierText)
		if err != nil {
			fail(ColTier, fmt.Sprintf("%q is not a tier of %s contracts (%s)", tierText, c.Kind, tierList(c.Kind)), err)
		} else {
			c.Tier = t
		}
	}

	date := func(col, text string) (rules.Date, bool) {
		if text == "" {
			return rules.Date{}, false
		}
		d, err := rules.ParseDate(text)
		if err != nil {
			fail(col, fmt.Sprintf("%q is not a date (Jalali 1405/09/06 or Gregorian 2026-11-27)", text), err)
			return rules.Date{}, false
		}
		return d, true
	}
	deliveredText, confirmedText := get(ColDeliveredOn), get(ColConfirmedOn)
	purchased, purchasedOK := date(ColPurchasedOn, purchasedText)
	delivered, deliveredOK := date(ColDeliveredOn, deliveredText)
	confirmed, _ := date(ColConfirmedOn, confirmedText)
	c.PurchasedOn, c.DeliveredOn, c.ConfirmedOn = purchased, delivered, confirmed
	if kindOK {
		c.ProjectID = get(ColProjectID)
		p.invariants(c, fail, map[string]string{
			ColPurchasedOn: purchasedText, ColDeliveredOn: deliveredText, ColConfirmedOn: confirmedText, ColProjectID: c.ProjectID,
		}, purchasedOK && deliveredOK)
	}
	if s := get(ColDedicatedStaff); s != "" {
		id, err := strconv.ParseInt(asciiDigits(s), 10, 64)
		if err != nil || id <= 0 {
			fail(ColDedicatedStaff, fmt.Sprintf("%q is not a Telegram user id (a positive whole number)", s), err)
		} else {
			c.DedicatedStaff = id
		}
	}

	// Across rows: the contract once, the customer consistent, phones owned once.
	if contractID != "" {
		if first, dup := p.contracts[contractID]; dup {
			fail(ColContractID, fmt.Sprintf("%q appears twice (lines %d and %d)", contractID, first, line), nil)
		} else {
			p.contracts[contractID] = line
		}
	}
	if customerID == "" {
		return
	}
	acc := p.customers[customerID]
	if acc == nil {
		acc = &customerAcc{index: len(p.batch.Customers), line: line, name: customerName, city: city, cityLine: line}
		p.customers[customerID] = acc
		p.batch.Customers = append(p.batch.Customers, store.Customer{ID: customerID, Name: customerName, City: city})
		p.batch.customerLine[customerID] = line
	} else {
		if customerName != "" && customerName != acc.name {
			fail(ColCustomerName, fmt.Sprintf("%q differs from %q on line %d for customer %q", customerName, acc.name, acc.line, customerID), nil)
		}
		if city != acc.city {
			fail(ColCity, fmt.Sprintf("%q differs from %q on line %d for customer %q", city, acc.city, acc.cityLine, customerID), nil)
		}
	}
	if strings.TrimFunc(get(ColPhones), func(r rune) bool { return isPhoneSep(r) || unicode.IsSpace(r) }) != "" {
		acc.phoneText = true
	}
	for _, ph := range phones {
		if prev, seen := p.phones[ph.e164]; seen {
			if prev.customerID != customerID {
				fail(ColPhones, fmt.Sprintf("%q is also a phone of customer %q on line %d", ph.raw, prev.customerID, prev.line), nil)
			}
			continue
		}
		p.phones[ph.e164] = phoneAcc{customerID: customerID, line: line, raw: ph.raw}
		p.batch.phoneLine[ph.e164] = line
		acc.phones = append(acc.phones, ph.e164)
	}
	if bad {
		return
	}
	p.batch.Contracts = append(p.batch.Contracts, c)
	p.batch.contractLine[c.ID] = line
	if p.kinds == nil {
		p.kinds = map[string]contractAcc{}
	}
	p.kinds[c.ID] = contractAcc{kind: c.Kind, customerID: c.CustomerID}
	if c.ProjectID != "" {
		p.hourly = append(p.hourly, hourlyRef{line: line, contractID: c.ID, customerID: c.CustomerID, projectID: c.ProjectID})
	}
}

type phone struct{ raw, e164 string }

// looksUTF16 is true for a start of file with a UTF-16 byte-order mark, or
// with a zero byte in every other place (UTF-16 without a mark).
func looksUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return true
	}
	n := len(b) &^ 1
	if n < 4 {
		return false
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	return even*4 > n || odd*4 > n
}

func isPhoneSep(r rune) bool { return r == ';' || r == '؛' || r == ',' }

// phonesOf splits and normalises a phones cell: `;` separates numbers, and
// the Persian `؛` and a comma are taken as the same.
func (p *parser) phonesOf(line int, cell string, fail func(col, reason string, err error)) []phone {
	parts := strings.FieldsFunc(cell, isPhoneSep)
	var out []phone
	for _, raw := range parts {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		e, err := rules.ParsePhone(raw)
		if err != nil {
			fail(ColPhones, fmt.Sprintf("%q is not an Iranian phone number", raw), err)
			continue
		}
		if !slices.ContainsFunc(out, func(x phone) bool { return x.e164 == e }) {
			out = append(out, phone{raw: raw, e164: e})
		}
	}
	return out
}

// finish runs the checks that need every row: phones per customer and the
// projects of hourly packages named in the same file.
func (p *parser) finish() {
	for i := range p.batch.Customers {
		c := &p.batch.Customers[i]
		acc := p.customers[c.ID]
		if !acc.phoneText {
			p.probs.add(acc.line, ColPhones, fmt.Sprintf("customer %q has no phone number on any row", c.ID), nil)
		}
		c.Phones = slices.Sorted(slices.Values(acc.phones))
	}
	for _, h := range p.hourly {
		proj, ok := p.kinds[h.projectID]
		if !ok {
			// Either its own row is bad (and reported) or Apply looks
			// for it in the database.
			continue
		}
		if proj.kind != rules.KindProject {
			p.probs.add(h.line, ColProjectID, fmt.Sprintf("%q is a %s contract, not a project", h.projectID, proj.kind), nil)
		} else if proj.customerID != h.customerID {
			p.probs.add(h.line, ColProjectID, fmt.Sprintf("%q belongs to customer %q, not %q", h.projectID, proj.customerID, h.customerID), nil)
		}
	}
}

// invariants reports the contract rules c breaks (rules.Contract.Validate)
// in the import's words, quoting the cells as typed. What the row's own
// parsing already reported (kind, tier, empty or unreadable cells) is not
// repeated: datesOK is false when purchased_on or delivered_on did not read.
func (p *parser) invariants(c rules.Contract, fail func(col, reason string, err error), cell map[string]string, datesOK bool) {
	for _, ce := range rules.ContractErrors(c.Validate()) {
		text := cell[ce.Field]
		switch {
		case errors.Is(ce.Err, rules.ErrNotDelivered):
			fail(ce.Field, fmt.Sprintf("%q is set on an hourly package; hourly packages are not delivered, leave it empty", text), nil)
		case errors.Is(ce.Err, rules.ErrBeforePurchase) && datesOK:
			fail(ce.Field, fmt.Sprintf("%q is before purchased_on %q", text, cell[ColPurchasedOn]), nil)
		case errors.Is(ce.Err, rules.ErrConfirmedUndelivered) && cell[ColDeliveredOn] == "":
			fail(ce.Field, fmt.Sprintf("%q is set but delivered_on is empty", text), nil)
		case errors.Is(ce.Err, rules.ErrBeforeDelivery):
			fail(ce.Field, fmt.Sprintf("%q is before delivered_on %q", text, cell[ColDeliveredOn]), nil)
		case errors.Is(ce.Err, rules.ErrProjectNotHourly):
			fail(ce.Field, fmt.Sprintf("%q is set on a %s contract; only hourly packages serve a project", text, c.Kind), nil)
		}
	}
}

// asciiDigits turns Persian and Arabic-Indic digits into ASCII ones.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		}
		return r
	}, s)
}

// tierList names kind k's tiers for a message: "bronze, silver, gold".
func tierList(k rules.Kind) string {
	var names []string
	for _, t := range rules.TiersOf(k) {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}
