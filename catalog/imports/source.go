package imports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// RowError is one problem with one row of an import file. Row is the file line on which
// the row starts (the CSV header is line 1); Field is the column ("" for the whole row).
type RowError struct {
	Row     int
	Field   string
	Message string
}

// rawRow is a row as read from either format, before validation: one string per column
// ("" when empty or absent), plus the structured JSON values CSV spells as strings.
type rawRow struct {
	line     int
	cells    [numColumns]string
	lists    [numColumns][]string // JSONL arrays (images, ships_to_regions, warehouses)
	listed   [numColumns]bool
	opts     map[string]string // JSONL options object
	hasOpts  bool
	handleOK bool // cells[colOfferHandle] was read intact, so the row can join its offer
	errs     []RowError
}

func (r *rawRow) fail(c column, format string, args ...any) {
	name := ""
	if c >= 0 {
		name = c.String()
	}
	r.errs = append(r.errs, RowError{Row: r.line, Field: name, Message: fmt.Sprintf(format, args...)})
}

// rowSource yields the rows of a file, skipping blank lines; io.EOF after the last.
type rowSource interface {
	next() (*rawRow, error)
}

var bom = []byte("\xEF\xBB\xBF")

// skipBOM drops a UTF-8 byte-order mark, which spreadsheet programs like to write.
func skipBOM(r io.Reader) (io.Reader, error) {
	var head [3]byte
	n, err := io.ReadFull(r, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	if n == 3 && bytes.Equal(head[:], bom) {
		return r, nil
	}
	return io.MultiReader(bytes.NewReader(head[:n]), r), nil
}

func newSource(format string, r io.Reader) (rowSource, error) {
	r, err := skipBOM(r)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatCSV:
		return newCSVSource(r)
	case FormatJSONL:
		return &jsonlSource{r: newLineReader(r)}, nil
	}
	return nil, fmt.Errorf("imports: unknown format %q", format)
}

type csvSource struct {
	r   *csvReader
	idx []column
}

// newCSVSource reads and checks the header; its errors are *apperr.Error.
func newCSVSource(r io.Reader) (*csvSource, error) {
	c := newCSVReader(r)
	var rec *record
	for {
		var err error
		rec, err = c.read()
		if err == io.EOF {
			return nil, errEmpty
		}
		if err != nil {
			return nil, err
		}
		if !rec.blank() {
			break
		}
	}
	if rec.tooLong {
		return nil, errHeader("the header line is longer than %d bytes", MaxLineBytes)
	}
	if rec.syntax != "" {
		return nil, errHeader("%s", rec.syntax)
	}
	fields := make([]string, len(rec.fields))
	for i, f := range rec.fields {
		if !utf8.Valid(f) {
			return nil, errEncoding
		}
		fields[i] = string(f)
	}
	idx, err := parseHeader(fields)
	if err != nil {
		return nil, err
	}
	return &csvSource{r: c, idx: idx}, nil
}

func (s *csvSource) next() (*rawRow, error) {
	for {
		rec, err := s.r.read()
		if err != nil {
			return nil, err
		}
		if rec.blank() {
			continue
		}
		return s.row(rec), nil
	}
}

func (s *csvSource) row(rec *record) *rawRow {
	r := &rawRow{line: rec.line}
	// One allocation for the whole row; the cells are slices of it.
	total := 0
	for _, f := range rec.fields {
		total += len(f)
	}
	all := make([]byte, 0, total)
	for _, f := range rec.fields {
		all = append(all, f...)
	}
	str := string(all)
	off := 0
	usable := len(rec.fields)
	if rec.tooLong {
		usable = rec.complete // the field being read when the cap hit is cut short
	}
	for i, f := range rec.fields {
		cell := str[off : off+len(f)]
		off += len(f)
		if i >= len(s.idx) || i >= usable {
			continue
		}
		c := s.idx[i]
		switch {
		case !utf8.ValidString(cell):
			r.fail(c, "is not valid UTF-8 text")
		case strings.IndexByte(cell, 0) >= 0:
			r.fail(c, "contains a NUL character")
		default:
			r.cells[c] = cell
			if c == colOfferHandle {
				r.handleOK = true
			}
		}
	}
	switch {
	case rec.tooLong:
		r.fail(-1, "the row is %d bytes long; rows may be at most %d bytes", rec.size, MaxLineBytes)
	case rec.syntax != "":
		r.fail(-1, "%s", rec.syntax)
	case len(rec.fields) != len(s.idx):
		r.fail(-1, "the row has %d fields but the header has %d", len(rec.fields), len(s.idx))
	}
	return r
}

type jsonlSource struct {
	r *lineReader
}

// handleRE finds the offer handle at the start of an overlong JSONL line, so the row's
// error still fails its offer.
var handleRE = regexp.MustCompile(`"offer_handle"\s*:\s*"([^"\\]{1,128})"`)

func (s *jsonlSource) next() (*rawRow, error) {
	for {
		text, line, size, tooLong, err := s.r.read()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		r := &rawRow{line: line}
		switch {
		case tooLong:
			r.fail(-1, "the line is %d bytes long; lines may be at most %d bytes", size, MaxLineBytes)
			if m := handleRE.FindSubmatch(text); m != nil && utf8.Valid(m[1]) {
				r.cells[colOfferHandle], r.handleOK = string(m[1]), true
			}
		case !utf8.Valid(text):
			r.fail(-1, "the line is not valid UTF-8 text")
			if m := handleRE.FindSubmatch(text); m != nil && utf8.Valid(m[1]) {
				r.cells[colOfferHandle], r.handleOK = string(m[1]), true
			}
		default:
			decodeJSONRow(r, text)
		}
		return r, nil
	}
}

// decodeJSONRow fills r from one JSON object. Strings, numbers and booleans become
// cells; arrays and objects are accepted where a column holds a list, the options or
// the price tiers.
func decodeJSONRow(r *rawRow, text []byte) {
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		r.fail(-1, "the line is not a JSON object: %s", jsonErr(err))
		return
	}
	if dec.More() {
		r.fail(-1, "the line holds more than one JSON value")
		return
	}
	for key, raw := range obj {
		c, ok := columnByName[key]
		if !ok {
			r.errs = append(r.errs, RowError{Row: r.line, Field: key, Message: "unknown key (see docs/api/imports.md for the keys)"})
			continue
		}
		decodeJSONValue(r, c, raw)
	}
	for _, c := range requiredJSONKeys {
		if _, ok := obj[c.String()]; !ok {
			r.fail(c, "is required")
		}
	}
}

// unmarshalJSONString is json.Unmarshal for a string value already checked by the
// decoder of its line: one without escapes (almost every one) is its bytes between the
// quotes, which saves the second scan json.Unmarshal makes (value decoding of a
// 100,000-row file: 0.68 → 0.48 CPU-seconds).
func unmarshalJSONString(raw []byte, s *string) error {
	if len(raw) >= 2 && raw[len(raw)-1] == '"' {
		if body := raw[1 : len(raw)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
			*s = string(body)
			return nil
		}
	}
	return json.Unmarshal(raw, s)
}

func decodeJSONValue(r *rawRow, c column, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if c == colOfferHandle {
			r.handleOK = true // an empty handle is reported by validation
		}
		return
	}
	var err error
	switch raw[0] {
	case '"':
		var s string
		if err = unmarshalJSONString(raw, &s); err == nil {
			if strings.IndexByte(s, 0) >= 0 {
				r.fail(c, "contains a NUL character")
				return
			}
			r.cells[c] = s
			if c == colOfferHandle {
				r.handleOK = true
			}
		}
	case '[':
		switch c {
		case colImages, colShipsTo, colWarehouses:
			var list []string
			if err = json.Unmarshal(raw, &list); err == nil {
				for _, s := range list {
					if strings.IndexByte(s, 0) >= 0 {
						r.fail(c, "contains a NUL character")
						return
					}
				}
				r.lists[c], r.listed[c] = list, true
			}
		case colPriceTiers:
			var tiers []struct {
				MinQuantity json.Number `json:"min_quantity"`
				Price       json.Number `json:"price"`
			}
			if err = json.Unmarshal(raw, &tiers); err == nil {
				parts := make([]string, len(tiers))
				for i, t := range tiers {
					parts[i] = t.MinQuantity.String() + ":" + t.Price.String()
				}
				r.cells[c] = strings.Join(parts, "|")
			}
		default:
			r.fail(c, "must not be an array")
			return
		}
	case '{':
		if c != colOptions {
			r.fail(c, "must not be an object")
			return
		}
		var m map[string]string
		if err = json.Unmarshal(raw, &m); err == nil {
			for k, v := range m {
				if strings.IndexByte(k, 0) >= 0 || strings.IndexByte(v, 0) >= 0 {
					r.fail(c, "contains a NUL character")
					return
				}
			}
			r.opts, r.hasOpts = m, true
		}
	case 't', 'f':
		if c != colShipsDirect {
			r.fail(c, "must not be a boolean")
			return
		}
		r.cells[c] = string(raw)
	default: // a number: kept as written, so prices are never floats
		switch c {
		case colWeight, colWholesale, colSuggestedRetail, colMinimumResale, colQuantity, colLeadTime,
			colShipFromLat, colShipFromLng, colDirectLeadTime, colDirectShippingCost:
			r.cells[c] = string(raw)
		default:
			r.fail(c, "must be a string")
			return
		}
	}
	if err != nil {
		r.fail(c, "has the wrong JSON type: %s", jsonErr(err))
	}
}

func jsonErr(err error) string {
	if err == nil {
		return "not an object"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("expected %s, got %s", te.Type, te.Value)
	}
	return err.Error()
}
