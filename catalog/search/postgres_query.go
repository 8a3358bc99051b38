package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// textMode is how the query text matches.
type textMode int

const (
	textNone  textMode = iota
	textFTS            // weighted full text, every word as a prefix
	textFuzzy          // trigram word similarity over titles: the typo fallback
)

// Search implements Searcher. Full text first; when it finds nothing the same search runs
// again with typo tolerance. One statement per attempt returns the page, the count and
// the facets.
func (s *Postgres) Search(ctx context.Context, p tenants.Principal, q Query) (*Result, error) {
	c, err := callerOf(p)
	if err != nil {
		return nil, err
	}
	q, offset, err := q.Validate()
	if err != nil {
		return nil, err
	}
	var res *Result
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		// The matches are materialised once for the page, the count and the facets; a
		// whole-catalog browse is ~15 MB, which must not spill to disk. JIT off: the
		// planner's cost for the text path crosses the JIT threshold, and compiling took
		// seconds where executing takes milliseconds.
		//
		// Plans: a search with text or a category, brand or supplier filter is planned for
		// its own values. A generic plan cannot know how many offers a word or a category
		// matches, and picked plans five times slower than the custom ones (a prepared
		// statement switches to its generic plan after five runs). An unfiltered browse
		// keeps the cached plan: nothing in it varies, and planning costs more than it
		// saves. So do searches filtered by stock, region, price, margin and fulfilment
		// mode only: their plan is the same for any values (the index of stock and price,
		// or of region, stock and price, or every offer), and planning it, with the
		// policies it expands three times, took 4 ms.
		plans := "auto"
		if q.Text != "" || q.Filter.CategoryPath != "" || len(q.Filter.Brands) > 0 || len(q.Filter.SupplierIDs) > 0 {
			plans = "force_custom_plan"
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true),
			set_config('plan_cache_mode', $1, true)`, plans); err != nil {
			return err
		}
		mode := textNone
		if q.Text != "" {
			mode = textFTS
		}
		if res, err = runSearch(ctx, tx, c, q, offset, mode); err != nil || res.TotalCount > 0 || mode != textFTS {
			return err
		}
		res, err = runSearch(ctx, tx, c, q, offset, textFuzzy)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sqlArgs collects positional arguments.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// The caller's price: the lead variant's wholesale less the approved agreement discount
// (rounded down, as catalog.ApplyDiscount), the margin against suggested retail, and the
// margin in basis points of suggested retail (rounded down).
//
// discExpr finds a row's discount in disc. The other expressions read the discount as dd.d,
// which buildSearch replaces (withDiscount) with how this search computes it.
const (
	discExpr      = `coalesce(((SELECT bps FROM disc))[array_position((SELECT sups FROM disc), s.supplier_id)], 0)`
	effExpr       = `(s.wholesale - s.wholesale * dd.d / 10000)`
	marginExpr    = `(s.suggested_retail - ` + effExpr + `)`
	marginBpsExpr = `(` + marginExpr + ` * 10000 / s.suggested_retail)`
)

// tsquerySQL turns the text into a tsquery with the parser the documents used: every word
// must match; the last word (and a compound ending in it, as in a SKU being typed) as a
// prefix when it has two characters or more, so "santo" finds Santoku and "SKU-47" finds
// SKU-4711 without a one-letter prefix matching half the catalog.
const tsquerySQL = `to_tsquery('simple', (
  SELECT string_agg('''' || replace(replace(w.lexeme, '\', '\\'), '''', '''''') || '''' ||
    CASE WHEN length(w.lastlex) > 1 AND right(w.lexeme, length(w.lastlex)) = w.lastlex THEN ':*' ELSE '' END, ' & ')
  FROM (SELECT u.lexeme, first_value(u.lexeme) OVER (ORDER BY u.positions[array_upper(u.positions, 1)] DESC) AS lastlex
        FROM unnest(to_tsvector('simple', %s)) u) w))`

// withDiscount writes expr (effExpr and the others) with d as the row's discount.
func withDiscount(expr, d string) string { return strings.ReplaceAll(expr, "dd.d", d) }

func buildSearch(c caller, q Query, offset int, mode textMode) (string, sqlArgs) {
	var a sqlArgs
	cid := a.add(c.consortiumID)
	var b strings.Builder
	b.WriteString("WITH ")
	// Discounts: the caller's approved agreements that carry one, as two arrays read once
	// (a few suppliers at most), so each row finds its discount without a join.
	mid := ""
	if c.all {
		b.WriteString("disc AS (SELECT '{}'::uuid[] AS sups, '{}'::int[] AS bps, 0 AS dmax)")
	} else {
		mid = a.add(c.memberID)
		fmt.Fprintf(&b, `disc AS (SELECT coalesce(array_agg(a.supplier_id), '{}') AS sups, coalesce(array_agg(a.discount_bps), '{}') AS bps,
    coalesce(max(a.discount_bps), 0) AS dmax
  FROM sourcing_agreements a
  WHERE a.consortium_id = %[1]s AND a.seller_id = %[2]s AND a.status = 'APPROVED' AND a.discount_bps > 0)`, cid, mid)
	}
	// Text matches come with their columns from offer_search_candidates (migration 010),
	// which applies the caller's entitlement themselves; a browse reads offer_search, or
	// for a region filter offer_search_regions (byRegion), under its policy. Either way
	// the rule is applied again here.
	from := "offer_search s"
	if byRegion(q, mode) {
		from = "offer_search_regions s"
	}
	switch mode {
	case textFTS:
		from = fmt.Sprintf("offer_search_candidates("+tsquerySQL+", NULL, %s) s", a.add(q.Text), a.add(q.Sort == SortRelevance))
	case textFuzzy:
		from = fmt.Sprintf("offer_search_candidates(NULL, %s, false) s", a.add(q.Text))
	}
	// An unfiltered browse never reads all of m: the count and facets come from the
	// counts and the page from an index walk (NOT MATERIALIZED lets each use its index,
	// and computes only the columns it reads). Other searches read their matches once
	// and keep what the facets and the page need: writing a column of every match costs
	// more than computing it.
	mat := "MATERIALIZED"
	cols := map[string]string{"rank": "0::real", "eff": effExpr, "margin": marginExpr, "margin_bps": marginBpsExpr,
		"created_at": "s.created_at"}
	if mode != textNone {
		cols["rank"] = "s.rank"
	}
	var keys []string
	// Each row's discount, d. Where m is read in full: for the rows of offer_search, from
	// a hash join with the caller's discounted agreements (at most one per supplier:
	// sourcing_agreements_pair_key); for text matches, from disc once per row (OFFSET 0
	// keeps the planner from copying the lookup into every expression that reads it): a
	// function's row count is a guess, and a join with it was planned as a nested loop.
	// For an unfiltered browse, which computes it for a page's rows only, from disc.
	d, disc := "0", ""
	switch {
	case c.all:
	case mode != textNone:
		d, disc = "dd.d", "CROSS JOIN LATERAL (SELECT "+discExpr+" AS d OFFSET 0) dd"
	default:
		d = "coalesce(dd.discount_bps, 0)"
		disc = fmt.Sprintf(`LEFT JOIN sourcing_agreements dd ON dd.consortium_id = %[1]s AND dd.seller_id = %[2]s
    AND dd.supplier_id = s.supplier_id AND dd.status = 'APPROVED' AND dd.discount_bps > 0`, cid, mid)
	}
	switch {
	case countable(q.Filter, mode):
		mat, disc, d = "NOT MATERIALIZED", "", discExpr
		// The list-price sort keys of pageSQL, indexed by migration 010.
		keys = append(keys, "s.wholesale", "s.list_margin", "s.list_margin_bps")
	case walkable(q, mode):
		// The count and facets read m once and the page walks it in list-price order, both
		// from the index of stock and price (see walkable).
		mat = "NOT MATERIALIZED"
		keys = append(keys, "s.wholesale")
	}
	for k, v := range cols {
		cols[k] = withDiscount(v, d)
	}
	for _, k := range sortColumns(q.Sort) {
		keys = append(keys, cols[k]+" AS "+k)
	}
	fmt.Fprintf(&b, `,
m AS %[1]s (
  SELECT s.offer_id, s.supplier_id, s.category_id, s.brand, s.ships_direct, s.in_warehouse, %[2]s
  FROM %[3]s %[4]s
  WHERE s.consortium_id = %[5]s AND s.status = 'ACTIVE'`, mat, strings.Join(keys, ", "), from, disc, cid)
	if !c.all {
		// The entitlement rule again, beside the row-level security policy: two walls.
		fmt.Fprintf(&b, `
    AND (s.supplier_id = %[2]s OR (
      (s.visibility = 'CONSORTIUM' OR s.offer_id IN (
        SELECT v.offer_id FROM offer_visibility v WHERE v.consortium_id = %[1]s AND v.member_id = %[2]s))
      AND s.supplier_id NOT IN (%[3]s)))`, cid, mid, blockedSuppliersSQL(cid, mid))
	}
	writeFilters(&b, &a, cid, q.Filter, d, byRegion(q, mode))
	b.WriteString("\n)")
	writeFacetSource(&b, c, q, mode, cid, mid)
	// One pass counts the matches and, unless skipped, the three value facets; the
	// supplier set (g = 6) covers every match, so it also gives the totals.
	if q.NoFacets {
		b.WriteString(`,
f AS (SELECT 6 AS g, sum(n)::bigint AS n, sum(direct)::bigint AS direct, sum(warehouse)::bigint AS warehouse FROM fm)`)
	} else {
		b.WriteString(`,
f AS (
  SELECT GROUPING(category_id, brand, supplier_id) AS g, category_id, brand, supplier_id, sum(n)::bigint AS n,
         sum(direct)::bigint AS direct, sum(warehouse)::bigint AS warehouse
  FROM fm GROUP BY GROUPING SETS ((category_id), (brand), (supplier_id))
)`)
	}
	// The page: ids and sort keys only, then the few hits' details and discounts by
	// primary key, under the policy of offer_search.
	fmt.Fprintf(&b, `
SELECT coalesce(t.n, 0), coalesce(t.direct, 0), coalesce(t.warehouse, 0),
  (SELECT coalesce(json_agg(json_build_array(p.offer_id, s.supplier_id, s.title, s.brand, s.currency,
            s.wholesale, %[3]s, s.suggested_retail) ORDER BY %[1]s), '[]')
   FROM (%[4]s) p
   CROSS JOIN LATERAL (SELECT * FROM offer_search s WHERE s.consortium_id = %[2]s AND s.offer_id = p.offer_id OFFSET 0) s) AS hits,
`, orderBy(q.Sort, "p."), cid, discExpr, pageSQL(&a, q, offset, mode, cid))
	if q.NoFacets {
		b.WriteString("  NULL::json AS facets\n")
	} else {
		fmt.Fprintf(&b, `  (SELECT coalesce(json_agg(json_build_array(y.k, y.v, y.n) ORDER BY y.k, y.n DESC, y.v), '[]') FROM (
     SELECT x.*, row_number() OVER (PARTITION BY x.k ORDER BY x.n DESC, x.v) AS r FROM (
       SELECT 'category' AS k, c.path AS v, f.n FROM f JOIN categories c ON c.consortium_id = %[1]s AND c.id = f.category_id WHERE f.g = 3 AND f.n > 0
       UNION ALL SELECT 'brand', f.brand, f.n FROM f WHERE f.g = 5 AND f.brand <> '' AND f.n > 0
       UNION ALL SELECT 'supplier', f.supplier_id::text, f.n FROM f WHERE f.g = 6 AND f.n > 0) x) y
   WHERE y.r <= %[2]d) AS facets
`, cid, MaxFacet)
	}
	b.WriteString("FROM (SELECT sum(n)::bigint AS n, sum(direct)::bigint AS direct, sum(warehouse)::bigint AS warehouse FROM f WHERE g = 6) t")
	return b.String(), a
}

// blockedSuppliersSQL selects the suppliers whose offers the member may not source: they
// require an agreement and have not approved one with it.
func blockedSuppliersSQL(cid, mid string) string {
	return fmt.Sprintf(`SELECT sp.member_id FROM supplier_profiles sp
        WHERE sp.consortium_id = %[1]s AND sp.agreement_required AND NOT EXISTS (
          SELECT 1 FROM sourcing_agreements ag WHERE ag.consortium_id = %[1]s AND ag.supplier_id = sp.member_id
            AND ag.seller_id = %[2]s AND ag.status = 'APPROVED')`, cid, mid)
}

// empty reports whether f filters nothing.
func (f Filter) empty() bool {
	return f.CategoryPath == "" && len(f.Brands) == 0 && len(f.SupplierIDs) == 0 && len(f.FulfillmentModes) == 0 &&
		f.ShipsTo == "" && !f.InStock && f.WholesaleMin == nil && f.WholesaleMax == nil && f.MarginMin == nil &&
		f.MarginMax == nil && f.MarginBpsMin == nil && f.MarginBpsMax == nil
}

// countable reports whether offer_search_counts gives the count and facets of q: a
// browse without filters. (With filters the live scan is as cheap: the allow-listed
// offers would be read one by one again for every filter.)
func countable(f Filter, mode textMode) bool {
	return mode == textNone && f.empty()
}

// walkable reports whether q's page comes from a walk in list-price order (pageSQL) rather
// than from sorting every match: a price sort of in-stock offers, which
// offer_search_stock_price_idx (migration 012), or with a region filter
// offer_search_regions_stock_price_idx (014), holds in that order with every column
// the filters read, so that a walk never reads the table, and no filter that has an
// index of its own (category, brand, supplier): those are read through it, and their
// few matches sorted. A walk that finds few matches reads at most the index range the
// count reads too.
//
// Ascending only: the index read backwards is in the order (price, id) descending, and
// a descending price sort breaks ties by ascending id.
func walkable(q Query, mode textMode) bool {
	f := q.Filter
	return mode == textNone && f.InStock && q.Sort == SortPriceAsc &&
		f.CategoryPath == "" && len(f.Brands) == 0 && len(f.SupplierIDs) == 0
}

// byRegion reports whether q reads offer_search_regions (migration 014), one row per
// offer and region it ships to, in order of region, stock and list price: a region
// filter without text (whose candidates come with their regions) and without a
// category, brand or supplier filter (those read their own, narrower indexes of
// offer_search). Its index reads only the offers that reach the region, where
// offer_search's reads every offer in the stock and price range and tests its regions.
func byRegion(q Query, mode textMode) bool {
	f := q.Filter
	return mode == textNone && f.ShipsTo != "" && f.CategoryPath == "" && len(f.Brands) == 0 && len(f.SupplierIDs) == 0
}

// writeFacetSource writes fm, the rows the count and facets sum: the matches one by one,
// or for a countable browse the per-supplier counts the caller is entitled to plus, for a
// member, the allow-listed offers of other suppliers it is on, counted live.
func writeFacetSource(b *strings.Builder, c caller, q Query, mode textMode, cid, mid string) {
	if !countable(q.Filter, mode) {
		b.WriteString(`,
fm AS (SELECT supplier_id, category_id, brand, 1 AS n, ships_direct::int AS direct, in_warehouse::int AS warehouse FROM m)`)
		return
	}
	fmt.Fprintf(b, `,
fm AS (
  SELECT s.supplier_id, NULLIF(s.category_id, '00000000-0000-0000-0000-000000000000') AS category_id, s.brand,
         s.n, s.direct, s.warehouse
  FROM offer_search_counts s
  WHERE s.consortium_id = %s AND s.n > 0`, cid)
	if !c.all {
		fmt.Fprintf(b, `
    AND (s.supplier_id = %[1]s OR (NOT s.allow_list AND s.supplier_id NOT IN (%[2]s)))`, mid, blockedSuppliersSQL(cid, mid))
		fmt.Fprintf(b, `
  UNION ALL
  SELECT s.supplier_id, s.category_id, s.brand, 1, s.ships_direct::int, s.in_warehouse::int
  FROM offer_search s
  WHERE s.consortium_id = %[1]s AND s.status = 'ACTIVE' AND s.visibility = 'ALLOW_LIST' AND s.supplier_id <> %[2]s
    AND s.offer_id IN (SELECT v.offer_id FROM offer_visibility v WHERE v.consortium_id = %[1]s AND v.member_id = %[2]s)
    AND s.supplier_id NOT IN (%[3]s)`, cid, mid, blockedSuppliersSQL(cid, mid))
	}
	b.WriteString("\n)")
}

// pageSQL selects the page's ids and sort keys from m.
//
// A browse sorted by price or margin, unfiltered or walkable, does not sort every match.
// The caller pays list price at most suppliers: their first offset+first rows come from
// a walk of the list price or margin index (pa). Only rows of the suppliers that give
// the caller a discount can still be missing, and only those that could beat pa's last
// row: a discount of at most dmax basis points lowers a price by at most that share, and
// raises a margin by at most dmax/10000 of the highest wholesale price (wmax) or a margin
// percentage by at most dmax basis points. Those are sorted live and merged with pa.
// (Their supplier test is written so that no index can serve it: the bound on the list
// key is the narrow one.)
func pageSQL(a *sqlArgs, q Query, offset int, mode textMode, cid string) string {
	cols := strings.Join(sortColumns(q.Sort), ", ")
	limit, off := a.add(q.First), a.add(offset)
	var list, keys, key, op, bound string
	switch q.Sort {
	case SortPriceAsc:
		list, keys, key, op = "wholesale, offer_id", "wholesale", "wholesale", "<="
		bound = "CASE WHEN n < %s THEN 9223372036854775807 ELSE " + listPriceCeiling("max_k") + " END"
	case SortPriceDesc:
		list, keys, key, op = "wholesale DESC, offer_id", "wholesale", "wholesale", ">="
		bound = "CASE WHEN n < %s THEN -1 ELSE min_k END"
	case SortMarginDesc:
		list, keys, key, op = "list_margin DESC, offer_id", "list_margin", "list_margin", ">="
		bound = "CASE WHEN n < %s THEN -9223372036854775807 ELSE min_k - (SELECT max(s.wholesale) FROM offer_search s WHERE s.consortium_id = " + cid + ") * dmax / 10000 - 1 END"
	case SortMarginPercentDesc:
		list, keys, key, op = "list_margin_bps DESC, list_margin DESC, offer_id", "list_margin_bps, list_margin", "list_margin_bps", ">="
		bound = "CASE WHEN n < %s THEN -9223372036854775807 ELSE min_k - dmax - 1 END"
	}
	if !(countable(q.Filter, mode) || walkable(q, mode)) || list == "" {
		return fmt.Sprintf("SELECT offer_id, %s FROM m ORDER BY %s LIMIT %s OFFSET %s", cols, orderBy(q.Sort, ""), limit, off)
	}
	k := a.add(offset + q.First)
	return fmt.Sprintf(`WITH pa AS MATERIALIZED (
       SELECT offer_id, %[1]s, %[9]s FROM m
       WHERE supplier_id <> ALL((SELECT sups FROM disc)::uuid[]) ORDER BY %[2]s LIMIT %[5]s),
     pb AS (
       SELECT `+fmt.Sprintf(bound, k)+` AS bound
       FROM (SELECT count(*) AS n, min(%[7]s) AS min_k, max(%[7]s) AS max_k FROM pa) x,
            (SELECT dmax FROM disc) y)
     SELECT offer_id, %[1]s FROM (
       SELECT offer_id, %[1]s FROM pa
       UNION ALL
       (SELECT offer_id, %[1]s FROM m
        WHERE array_position((SELECT sups FROM disc), supplier_id) IS NOT NULL AND %[7]s %[8]s (SELECT bound FROM pb)
        ORDER BY %[3]s LIMIT %[5]s)) u
     ORDER BY %[3]s LIMIT %[4]s OFFSET %[6]s`, cols, list, orderBy(q.Sort, ""), limit, k, off, key, op, keys)
}

// listPriceCeiling is SQL for the highest list price whose price after a discount of at
// most dmax basis points (a column of the row it is evaluated on) can be price or less:
// price × 10000 / (10000 - dmax), rounded up; no bound when the discount may be 100 % or
// the product would overflow.
func listPriceCeiling(price string) string {
	return fmt.Sprintf(`CASE WHEN dmax >= 10000 OR %[1]s > 922337203685477 THEN 9223372036854775807
    ELSE %[1]s * 10000 / (10000 - dmax) + 1 END`, price)
}

// writeFilters writes f's conditions on s; d is the expression of a row's discount;
// regional says s is offer_search_regions (byRegion).
func writeFilters(b *strings.Builder, a *sqlArgs, cid string, f Filter, d string, regional bool) {
	if f.CategoryPath != "" {
		// The category ids as one array read once: a join here gets planned as a nested
		// loop over the whole catalog (row security hides the real row counts).
		fmt.Fprintf(b, `
    AND s.category_id = ANY(ARRAY(SELECT c.id FROM categories c WHERE c.consortium_id = %s AND (c.path = %s OR c.path LIKE %s)))`,
			cid, a.add(f.CategoryPath), a.add(escapeLike(f.CategoryPath)+"/%"))
	}
	if len(f.Brands) > 0 {
		fmt.Fprintf(b, "\n    AND s.brand = ANY(%s)", a.add(f.Brands))
	}
	if len(f.SupplierIDs) > 0 {
		fmt.Fprintf(b, "\n    AND s.supplier_id = ANY(%s)", a.add(f.SupplierIDs))
	}
	if len(f.FulfillmentModes) > 0 {
		var ors []string
		for _, m := range f.FulfillmentModes {
			if m == ModeDirect {
				ors = append(ors, "s.ships_direct")
			} else {
				ors = append(ors, "s.in_warehouse")
			}
		}
		fmt.Fprintf(b, "\n    AND (%s)", strings.Join(ors, " OR "))
	}
	switch {
	case f.ShipsTo != "" && regional:
		fmt.Fprintf(b, "\n    AND s.region = %s", a.add(f.ShipsTo))
	case f.ShipsTo != "":
		fmt.Fprintf(b, "\n    AND %s = ANY(s.regions)", a.add(f.ShipsTo))
	}
	if f.InStock {
		b.WriteString("\n    AND s.in_stock")
	}
	cmp := func(expr, op string, v *int64) {
		if v != nil {
			fmt.Fprintf(b, "\n    AND %s %s %s", expr, op, a.add(*v))
		}
	}
	eff, margin, marginBps := withDiscount(effExpr, d), withDiscount(marginExpr, d), withDiscount(marginBpsExpr, d)
	// A price range bounds the list price too, so that offer_search_stock_price_idx
	// (migration 012) reads only that range: a discount of at most dmax basis points puts
	// a price between list × (1 - dmax/10000) and list. (The bounds are on a column:
	// under row-level security only those bound an index scan.)
	if f.WholesaleMin != nil {
		cmp("s.wholesale", ">=", f.WholesaleMin)
	}
	if f.WholesaleMax != nil {
		fmt.Fprintf(b, "\n    AND s.wholesale <= (SELECT %s FROM disc)", listPriceCeiling(a.add(*f.WholesaleMax)))
	}
	cmp(eff, ">=", f.WholesaleMin)
	cmp(eff, "<=", f.WholesaleMax)
	cmp(margin, ">=", f.MarginMin)
	cmp(margin, "<=", f.MarginMax)
	if f.MarginBpsMin != nil {
		fmt.Fprintf(b, "\n    AND %s >= %s", marginBps, a.add(int64(*f.MarginBpsMin)))
	}
	if f.MarginBpsMax != nil {
		fmt.Fprintf(b, "\n    AND %s <= %s", marginBps, a.add(int64(*f.MarginBpsMax)))
	}
}

// sortColumns are the columns of m a sort reads.
func sortColumns(s Sort) []string {
	switch s {
	case SortRelevance:
		return []string{"rank"}
	case SortPriceAsc, SortPriceDesc:
		return []string{"eff"}
	case SortMarginDesc:
		return []string{"margin"}
	case SortMarginPercentDesc:
		return []string{"margin_bps", "margin"}
	}
	return []string{"created_at"}
}

func orderBy(s Sort, p string) string {
	switch s {
	case SortRelevance:
		return p + "rank DESC, " + p + "offer_id"
	case SortPriceAsc:
		return p + "eff, " + p + "offer_id"
	case SortPriceDesc:
		return p + "eff DESC, " + p + "offer_id"
	case SortMarginDesc:
		return p + "margin DESC, " + p + "offer_id"
	case SortMarginPercentDesc:
		return p + "margin_bps DESC, " + p + "margin DESC, " + p + "offer_id"
	}
	return p + "created_at DESC, " + p + "offer_id"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// runSearch runs one attempt and decodes the page, count and facets.
func runSearch(ctx context.Context, tx pgx.Tx, c caller, q Query, offset int, mode textMode) (*Result, error) {
	sql, args := buildSearch(c, q, offset, mode)
	var (
		total, direct, warehouse int
		hits                     [][]any
		facets                   [][]any
	)
	if err := tx.QueryRow(ctx, sql, args...).Scan(&total, &direct, &warehouse, &hits, &facets); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res := &Result{TotalCount: total, Hits: make([]Hit, 0, len(hits))}
	for i, h := range hits {
		hit, err := decodeHit(h)
		if err != nil {
			return nil, err
		}
		hit.Cursor = EncodeCursor(offset + i)
		res.Hits = append(res.Hits, hit)
	}
	res.HasNextPage = offset+len(res.Hits) < total && offset+len(res.Hits) < MaxOffset
	if !q.NoFacets {
		for _, f := range facets {
			if len(f) != 3 {
				return nil, fmt.Errorf("search: facet row %v", f)
			}
			k, _ := f[0].(string)
			v, _ := f[1].(string)
			n, _ := f[2].(float64)
			fv := FacetValue{Value: v, Count: int(n)}
			switch k {
			case "category":
				res.Facets.Category = append(res.Facets.Category, fv)
			case "brand":
				res.Facets.Brand = append(res.Facets.Brand, fv)
			case "supplier":
				res.Facets.Supplier = append(res.Facets.Supplier, fv)
			}
		}
		if direct > 0 {
			res.Facets.FulfillmentMode = append(res.Facets.FulfillmentMode, FacetValue{string(ModeDirect), direct})
		}
		if warehouse > 0 {
			res.Facets.FulfillmentMode = append(res.Facets.FulfillmentMode, FacetValue{string(ModeWarehouse), warehouse})
		}
		res.Facets.FulfillmentMode = sortFacet(res.Facets.FulfillmentMode)
	}
	return res, nil
}

// decodeHit reads [offer_id, supplier_id, title, brand, currency, wholesale, discount_bps,
// suggested_retail] as json_build_array wrote it.
func decodeHit(h []any) (Hit, error) {
	if len(h) != 8 {
		return Hit{}, fmt.Errorf("search: hit row %v", h)
	}
	var hit Hit
	var err error
	str := func(v any) string { s, _ := v.(string); return s }
	num := func(v any) int64 { f, _ := v.(float64); return int64(f) }
	if hit.OfferID, err = uuid.Parse(str(h[0])); err != nil {
		return hit, fmt.Errorf("search: hit offer id: %w", err)
	}
	if hit.SupplierID, err = uuid.Parse(str(h[1])); err != nil {
		return hit, fmt.Errorf("search: hit supplier id: %w", err)
	}
	hit.Title, hit.Brand, hit.Currency = str(h[2]), str(h[3]), strings.TrimSpace(str(h[4]))
	hit.Wholesale, hit.DiscountBps, hit.SuggestedRetail = num(h[5]), int(num(h[6])), num(h[7])
	hit.EffectiveWholesale, hit.Margin, hit.MarginBps = marginOf(hit.Wholesale, hit.SuggestedRetail, hit.DiscountBps)
	return hit, nil
}
