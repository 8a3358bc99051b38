package imports

import (
	"fmt"
	"strings"

	"github.com/guildmart/guildmart/catalog"
)

// grouper turns rows into offers (runs of adjacent rows with one offer_handle) and offers
// into chunks. An offer with any bad row is skipped whole, each of its rows with an error.
type grouper struct {
	refs      *refs
	chunkRows int
	emit      func(*chunk) error
	seenOffer map[string]int // handle -> line of its first row
	seenSKU   map[string]int
	cur       *group
	chunk     *chunk
}

type group struct {
	handle string
	first  *rawRow
	offer  offerData
	vars   []variantData
	lines  []int
	errs   []RowError
	bad    bool
	dupOf  int // the offer's rows appeared before, on this line
}

func newGrouper(rf *refs, chunkRows int, emit func(*chunk) error) *grouper {
	return &grouper{refs: rf, chunkRows: chunkRows, emit: emit,
		seenOffer: map[string]int{}, seenSKU: map[string]int{}, chunk: &chunk{}}
}

func (g *grouper) add(r *rawRow) error {
	handle := strings.TrimSpace(r.cells[colOfferHandle])
	if !r.handleOK || handle == "" || !catalog.ValidOfferHandle(handle) {
		// A row whose offer cannot be told is skipped alone.
		switch {
		case !r.handleOK:
			if len(r.errs) == 0 {
				r.fail(colOfferHandle, "could not be read")
			}
		case handle == "":
			r.fail(colOfferHandle, "is required")
		default:
			r.fail(colOfferHandle, "%q is not an offer handle: 1–128 letters, digits, '.', '_', '/', '-'", clip(handle))
		}
		g.chunk.errs = append(g.chunk.errs, r.errs...)
		g.chunk.rows++
		g.chunk.failed++
		g.chunk.lastLine = max(g.chunk.lastLine, r.line)
		return nil
	}
	if g.cur == nil || g.cur.handle != handle {
		if err := g.closeGroup(); err != nil {
			return err
		}
		g.cur = &group{handle: handle, first: r}
		if first, seen := g.seenOffer[handle]; seen {
			g.cur.dupOf = first
		} else {
			g.seenOffer[handle] = r.line
		}
		g.cur.offer = g.refs.convertOffer(r)
	} else {
		sameOffer(g.cur.first, r)
	}
	v := g.refs.convertVariant(r)
	if catalog.ValidSKU(v.sku) {
		if first, dup := g.seenSKU[v.sku]; dup {
			r.fail(colSKU, "SKU %q already appears on line %d", v.sku, first)
		} else {
			g.seenSKU[v.sku] = r.line
		}
	}
	if g.cur.dupOf > 0 {
		r.fail(colOfferHandle, "the rows of offer %q must be adjacent: it already appeared on line %d", handle, g.cur.dupOf)
	}
	if len(g.cur.lines) == catalog.MaxVariants {
		r.fail(colSKU, "an offer has at most %d variants", catalog.MaxVariants)
	}
	g.cur.lines = append(g.cur.lines, r.line)
	if len(r.errs) > 0 {
		g.cur.bad = true
		g.cur.errs = append(g.cur.errs, r.errs...)
	}
	g.cur.vars = append(g.cur.vars, v)
	return nil
}

func (g *grouper) closeGroup() error {
	cur := g.cur
	if cur == nil {
		return nil
	}
	g.cur = nil
	c := g.chunk
	if cur.bad {
		withErr := make(map[int]bool, len(cur.errs))
		for _, e := range cur.errs {
			withErr[e.Row] = true
		}
		c.errs = append(c.errs, cur.errs...)
		for _, l := range cur.lines {
			if !withErr[l] {
				c.errs = append(c.errs, RowError{Row: l, Message: fmt.Sprintf("not imported: another row of offer %q has errors", cur.handle)})
			}
		}
		c.failed += len(cur.lines)
	} else {
		c.offers = append(c.offers, cur.offer)
		c.variants = append(c.variants, cur.vars...)
	}
	c.rows += len(cur.lines)
	c.lastLine = max(c.lastLine, cur.lines[len(cur.lines)-1])
	if c.rows >= g.chunkRows {
		g.chunk = &chunk{}
		return g.emit(c)
	}
	return nil
}

func (g *grouper) close() error {
	if err := g.closeGroup(); err != nil {
		return err
	}
	if g.chunk.rows > 0 {
		c := g.chunk
		g.chunk = &chunk{}
		return g.emit(c)
	}
	return nil
}
