package imports

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// MaxLineBytes is the longest row (CSV record or JSONL line) the importer reads; a longer
// one is a row error, and only its first MaxLineBytes are ever held in memory.
const MaxLineBytes = 1 << 20

// record is one CSV record as read, before it is interpreted. fields point into the
// reader's buffer and are valid until the next read.
type record struct {
	line     int // file line on which the record starts (1-based)
	fields   [][]byte
	size     int    // bytes the record occupies in the file
	tooLong  bool   // size > MaxLineBytes: fields hold only what fitted
	syntax   string // a quoting problem, if any
	complete int    // fields that were complete before the cap was hit
}

// csvReader splits RFC 4180 CSV (comma separated, "" escapes inside quoted fields, CRLF
// or LF line ends, newlines allowed inside quotes) with a cap on the record length, so a
// 10 MB line costs 1 MB of memory and one row error rather than the process.
type csvReader struct {
	r    *bufio.Reader
	line int // newlines consumed so far
	buf  []byte
	ends []int
	rec  record
}

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 256<<10)}
}

const (
	stStart     = iota // at the start of a field
	stUnquoted         // inside an unquoted field
	stQuoted           // inside a quoted field
	stQuoteSeen        // inside a quoted field, just after a quote
	stQuoteCR          // after a closing quote and a CR
)

// read returns the next record, or io.EOF after the last one.
func (c *csvReader) read() (*record, error) {
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	rec := &c.rec
	*rec = record{line: c.line + 1, fields: rec.fields[:0]}
	st := stStart
	started := false
	fieldStart := 0 // index in buf where the current field starts
	quoteLine := 0
	add := func(b []byte) {
		if rec.tooLong {
			return
		}
		if len(c.buf)+len(b) > MaxLineBytes {
			rec.tooLong = true
			return
		}
		c.buf = append(c.buf, b...)
	}
	endField := func() {
		if !rec.tooLong {
			c.ends = append(c.ends, len(c.buf))
			rec.complete++
		}
		fieldStart = len(c.buf)
	}
	syntax := func(msg string) {
		if rec.syntax == "" {
			rec.syntax = msg
		}
	}
	for {
		chunk, err := c.r.ReadSlice('\n')
		if len(chunk) > 0 {
			started = true
		}
		rec.size += len(chunk)
		// ReadSlice stops at the first newline, so a record always ends with its chunk.
		done := false
		for i := 0; i < len(chunk) && !done; i++ {
			b := chunk[i]
			switch st {
			case stStart:
				switch b {
				case '"':
					st, quoteLine = stQuoted, c.line+1
				case ',':
					endField()
				case '\n':
					c.line++
					endField()
					done = true
				default:
					st = stUnquoted
					i += c.unquotedRun(chunk[i:], add) - 1
				}
			case stUnquoted:
				switch b {
				case ',':
					endField()
					st = stStart
				case '\n':
					c.line++
					// A CRLF line end: the CR is not part of the field.
					if !rec.tooLong && len(c.buf) > fieldStart && c.buf[len(c.buf)-1] == '\r' {
						c.buf = c.buf[:len(c.buf)-1]
					}
					endField()
					done = true
				case '"':
					syntax(`a quote (") inside an unquoted field: quote the whole field and double the quote ("")`)
					add(chunk[i : i+1])
				default:
					i += c.unquotedRun(chunk[i:], add) - 1
				}
			case stQuoted:
				j := bytes.IndexByte(chunk[i:], '"')
				if j < 0 {
					j = len(chunk) - i
				} else {
					st = stQuoteSeen
				}
				run := chunk[i : i+j]
				c.line += bytes.Count(run, []byte{'\n'})
				add(run)
				i += j // skips the quote too, when found
			case stQuoteSeen:
				switch b {
				case '"':
					add(chunk[i : i+1])
					st = stQuoted
				case ',':
					endField()
					st = stStart
				case '\n':
					c.line++
					endField()
					done = true
				case '\r':
					st = stQuoteCR
				default:
					syntax("unexpected text after a closing quote")
					add(chunk[i : i+1])
					st = stUnquoted
				}
			case stQuoteCR:
				if b == '\n' {
					c.line++
					endField()
					done = true
				} else {
					syntax("unexpected text after a closing quote")
					add([]byte{'\r', b})
					st = stUnquoted
				}
			}
		}
		if done {
			break
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if !started {
				return nil, io.EOF
			}
			switch st {
			case stQuoted:
				syntax(fmt.Sprintf("a quoted field opened on line %d is never closed", quoteLine))
			case stUnquoted:
				if !rec.tooLong && len(c.buf) > fieldStart && c.buf[len(c.buf)-1] == '\r' {
					c.buf = c.buf[:len(c.buf)-1]
				}
			}
			endField()
			break
		}
		if err != nil {
			return nil, err
		}
	}
	start := 0
	for _, e := range c.ends {
		rec.fields = append(rec.fields, c.buf[start:e])
		start = e
	}
	return rec, nil
}

// unquotedRun adds the bytes of an unquoted field up to the next comma, quote or newline
// and returns how many it consumed.
func (c *csvReader) unquotedRun(b []byte, add func([]byte)) int {
	n := 0
	for n < len(b) {
		switch b[n] {
		case ',', '"', '\n':
			add(b[:n])
			return n
		}
		n++
	}
	add(b)
	return n
}

// blank reports whether the record is an empty line.
func (r *record) blank() bool {
	return len(r.fields) == 1 && len(r.fields[0]) == 0 && r.syntax == "" && !r.tooLong
}

// lineReader reads JSONL: one line at a time, capped like csvReader.
type lineReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 256<<10)}
}

// read returns the next line without its line end, its number, its full size and
// whether it was cut at MaxLineBytes; io.EOF after the last line.
func (l *lineReader) read() (text []byte, line, size int, tooLong bool, err error) {
	l.buf = l.buf[:0]
	started := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if len(chunk) > 0 {
			started = true
		}
		size += len(chunk)
		if !tooLong {
			if len(l.buf)+len(chunk) > MaxLineBytes+2 { // +2: the line end is not content
				tooLong = true
				l.buf = append(l.buf, chunk[:max(0, min(len(chunk), MaxLineBytes-len(l.buf)))]...)
			} else {
				l.buf = append(l.buf, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && !started {
			return nil, 0, 0, false, io.EOF
		}
		if err != nil && err != io.EOF {
			return nil, 0, 0, false, err
		}
		l.line++
		text = bytes.TrimRight(l.buf, "\r\n")
		if !tooLong && len(text) > MaxLineBytes {
			tooLong = true
		}
		return text, l.line, size, tooLong, nil
	}
}
