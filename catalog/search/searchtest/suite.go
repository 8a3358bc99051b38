package searchtest

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog"
	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

// NewBackend builds the backend under test over a test database; the suite seeds the
// database first and then calls Reindex for both consortia.
type NewBackend func(t *testing.T, d *pgtest.DB) search.Searcher

// TestSearcher runs the behaviour suite against the backend newBackend builds. The
// caller's package must run pgtest.Main from TestMain.
func TestSearcher(t *testing.T, newBackend NewBackend) {
	t.Run("Read", func(t *testing.T) {
		t.Parallel()
		w, s := setup(t, newBackend)
		testResults(t, w, s)
		testFilters(t, w, s)
		testSorts(t, w, s)
		testPagination(t, w, s)
		testFacets(t, w, s)
		testVisibility(t, w, s)
		testErrors(t, w, s)
	})
	t.Run("Index", func(t *testing.T) {
		t.Parallel()
		w, s := setup(t, newBackend)
		testIndex(t, w, s)
	})
}

func setup(t *testing.T, newBackend NewBackend) (*World, search.Searcher) {
	d := pgtest.New(t)
	w := NewWorld(t, d)
	s := newBackend(t, d)
	ctx := context.Background()
	n, err := s.Reindex(ctx, w.ConsortiumID)
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if n != 5 {
		t.Fatalf("Reindex indexed %d offers, want the 5 searchable ones", n)
	}
	if _, err := s.Reindex(ctx, w.OtherID); err != nil {
		t.Fatalf("Reindex other consortium: %v", err)
	}
	return w, s
}

// run searches and fails the test on error.
func run(t *testing.T, s search.Searcher, p tenants.Principal, q search.Query) *search.Result {
	t.Helper()
	res, err := s.Search(context.Background(), p, q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// names lists the fixture names of the hits in order.
func names(w *World, res *search.Result) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, w.OfferName(h.OfferID))
	}
	return out
}

func sorted(xs []string) []string {
	ys := slices.Clone(xs)
	sort.Strings(ys)
	return ys
}

// expectSet checks the hits and the total count, ignoring order.
func expectSet(t *testing.T, w *World, res *search.Result, want ...string) {
	t.Helper()
	if got := sorted(names(w, res)); !slices.Equal(got, sorted(want)) {
		t.Errorf("hits = %v, want %v", got, sorted(want))
	}
	if res.TotalCount != len(want) {
		t.Errorf("totalCount = %d, want %d", res.TotalCount, len(want))
	}
}

// expectOrder checks the hits in order.
func expectOrder(t *testing.T, w *World, res *search.Result, want ...string) {
	t.Helper()
	if got := names(w, res); !slices.Equal(got, want) {
		t.Errorf("hits = %v, want %v", got, want)
	}
}

func ptr[T any](v T) *T { return &v }

func testResults(t *testing.T, w *World, s search.Searcher) {
	shop1 := w.Member("shop1")
	t.Run("OK", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{Text: "knife"})
		expectSet(t, w, res, "knife", "santoku", "bread")
	})
	t.Run("OKBrowseAll", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{})
		expectSet(t, w, res, "knife", "board", "hose", "santoku", "bread")
	})
	t.Run("OKAllWordsMustMatch", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "chef damascus"}), "knife")
	})
	t.Run("OKPrefix", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "santo"}), "santoku")
	})
	t.Run("OKBrand", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "woodly"}), "board")
	})
	t.Run("OKDescription", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "brass"}), "hose")
	})
	t.Run("OKSKU", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "KIRU-DM-240"}), "knife")
	})
	t.Run("OKGTIN", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "4006381333931"}), "board")
	})
	t.Run("OKTypo", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{Text: "damscus"})
		if got := names(w, res); len(got) == 0 || got[0] != "knife" {
			t.Errorf("typo search hits = %v, want knife first", got)
		}
	})
	t.Run("OKTitleRanksAboveDescription", func(t *testing.T) {
		// "serrated" is in bread's title and description, only in santoku's description.
		expectOrder(t, w, run(t, s, shop1, search.Query{Text: "serrated"}), "bread", "santoku")
	})
	t.Run("OKNothing", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{Text: "zzzqqqxxx"})
		expectSet(t, w, res)
		if res.HasNextPage || res.EndCursor() != "" {
			t.Errorf("empty result has next page %v, end cursor %q", res.HasNextPage, res.EndCursor())
		}
	})
	t.Run("OKNumbers", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{Text: "santoku"})
		if len(res.Hits) != 1 {
			t.Fatalf("hits = %v", names(w, res))
		}
		h := res.Hits[0]
		eff := catalog.ApplyDiscount(6000, 1000)
		want := search.Hit{OfferID: w.Offers["santoku"], SupplierID: w.Members["bravo"], Title: "Santoku Knife", Brand: "Kiru",
			Currency: "EUR", Wholesale: 6000, DiscountBps: 1000, EffectiveWholesale: eff, SuggestedRetail: 9000,
			Margin: 9000 - eff, MarginBps: int((9000 - eff) * 10000 / 9000), Cursor: h.Cursor}
		if h != want {
			t.Errorf("hit = %+v, want %+v", h, want)
		}
		// Without an agreement the same offer costs its list price (operator's view).
		op := run(t, s, w.Operator(), search.Query{Text: "santoku"})
		if len(op.Hits) != 1 || op.Hits[0].EffectiveWholesale != 6000 || op.Hits[0].DiscountBps != 0 || op.Hits[0].Margin != 3000 || op.Hits[0].MarginBps != 3333 {
			t.Errorf("operator hit = %+v", op.Hits)
		}
	})
	t.Run("OKLeadVariant", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{Text: "damascus"})
		if len(res.Hits) != 1 || res.Hits[0].Wholesale != 4000 || res.Hits[0].SuggestedRetail != 10000 || res.Hits[0].MarginBps != 6000 {
			t.Errorf("knife hit = %+v, want the cheapest variant's 4000/10000", res.Hits)
		}
	})
}

func testFilters(t *testing.T, w *World, s search.Searcher) {
	shop1, op := w.Member("shop1"), w.Operator()
	for _, tc := range []struct {
		name string
		p    tenants.Principal
		f    search.Filter
		want []string
	}{
		{"CategoryWithDescendants", shop1, search.Filter{CategoryPath: "home/kitchen"}, []string{"knife", "board", "santoku", "bread"}},
		{"CategoryRoot", shop1, search.Filter{CategoryPath: "home"}, []string{"knife", "board", "santoku", "bread"}},
		{"CategoryLeaf", shop1, search.Filter{CategoryPath: "home/kitchen/knives"}, []string{"knife", "santoku", "bread"}},
		{"CategoryPrefixIsNotAPath", shop1, search.Filter{CategoryPath: "home/kit"}, nil},
		{"Brand", shop1, search.Filter{Brands: []string{"Kiru"}}, []string{"knife", "santoku"}},
		{"Brands", shop1, search.Filter{Brands: []string{"Kiru", "Greeny"}}, []string{"knife", "santoku", "hose"}},
		{"Supplier", shop1, search.Filter{SupplierIDs: w.MemberIDs("bravo", "charlie")}, []string{"santoku", "bread"}},
		{"SupplierNotVisible", w.Member("shop2"), search.Filter{SupplierIDs: w.MemberIDs("bravo", "charlie")}, nil},
		{"Direct", shop1, search.Filter{FulfillmentModes: []search.FulfillmentMode{search.ModeDirect}}, []string{"knife", "hose", "santoku"}},
		{"Warehouse", shop1, search.Filter{FulfillmentModes: []search.FulfillmentMode{search.ModeWarehouse}}, []string{"board", "hose", "bread"}},
		{"ShipsToDirect", shop1, search.Filter{ShipsTo: "FR"}, []string{"knife", "hose"}},
		{"ShipsToWarehouse", shop1, search.Filter{ShipsTo: "AT"}, []string{"board", "hose", "bread"}},
		{"InStock", shop1, search.Filter{InStock: true}, []string{"knife", "hose", "santoku"}},
		{"WholesaleAfterDiscount", shop1, search.Filter{WholesaleMin: ptr[int64](3000), WholesaleMax: ptr[int64](5400)}, []string{"knife", "santoku", "bread"}},
		{"WholesaleListPrice", op, search.Filter{WholesaleMin: ptr[int64](3000), WholesaleMax: ptr[int64](5400)}, []string{"knife", "bread"}},
		{"MarginAfterDiscount", shop1, search.Filter{MarginMin: ptr[int64](3600)}, []string{"knife", "santoku", "bread"}},
		{"MarginListPrice", op, search.Filter{MarginMin: ptr[int64](3600)}, []string{"knife", "bread"}},
		{"MarginMax", shop1, search.Filter{MarginMax: ptr[int64](1500)}, []string{"board", "hose"}},
		{"MarginPercentMin", shop1, search.Filter{MarginBpsMin: ptr(5000)}, []string{"knife", "board", "bread"}},
		{"MarginPercentMax", shop1, search.Filter{MarginBpsMax: ptr(2000)}, []string{"hose"}},
		{"MarginPercentDiscounted", shop1, search.Filter{MarginBpsMin: ptr(4000), MarginBpsMax: ptr(4000)}, []string{"santoku"}},
		{"Combined", shop1, search.Filter{CategoryPath: "home", InStock: true, ShipsTo: "DE"}, []string{"knife", "santoku"}},
	} {
		t.Run("OKFilter"+tc.name, func(t *testing.T) {
			expectSet(t, w, run(t, s, tc.p, search.Query{Filter: tc.f}), tc.want...)
		})
	}
	t.Run("OKFilterWithText", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "knife", Filter: search.Filter{InStock: true}}), "knife", "santoku")
	})
}

func testSorts(t *testing.T, w *World, s search.Searcher) {
	shop1 := w.Member("shop1")
	for _, tc := range []struct {
		sort search.Sort
		want []string
	}{
		{search.SortMarginDesc, []string{"knife", "bread", "santoku", "board", "hose"}},
		{search.SortMarginPercentDesc, []string{"knife", "bread", "board", "santoku", "hose"}},
		{search.SortPriceAsc, []string{"board", "hose", "bread", "knife", "santoku"}},
		{search.SortPriceDesc, []string{"santoku", "knife", "bread", "hose", "board"}},
		{search.SortNewest, []string{"bread", "santoku", "hose", "board", "knife"}},
		{search.SortRelevance, []string{"bread", "santoku", "hose", "board", "knife"}}, // no text: newest
	} {
		t.Run("OKSort"+string(tc.sort), func(t *testing.T) {
			expectOrder(t, w, run(t, s, shop1, search.Query{Sort: tc.sort}), tc.want...)
		})
	}
	t.Run("OKSortMarginWithText", func(t *testing.T) {
		expectOrder(t, w, run(t, s, shop1, search.Query{Text: "knife", Sort: search.SortMarginDesc}), "knife", "bread", "santoku")
	})
	t.Run("OKSortMarginIsPerCaller", func(t *testing.T) {
		// The operator pays list price: santoku's margin is 3000, below bread's 4000 still,
		// but santoku's percentage drops below board's.
		expectOrder(t, w, run(t, s, w.Operator(), search.Query{Sort: search.SortMarginPercentDesc}), "knife", "bread", "board", "santoku", "hose")
		expectOrder(t, w, run(t, s, w.Operator(), search.Query{Sort: search.SortPriceAsc}), "board", "hose", "bread", "knife", "santoku")
	})
}

func testPagination(t *testing.T, w *World, s search.Searcher) {
	shop1 := w.Member("shop1")
	t.Run("OKPages", func(t *testing.T) {
		var got []string
		after := ""
		for page := 0; ; page++ {
			res := run(t, s, shop1, search.Query{Sort: search.SortPriceAsc, First: 2, After: after})
			if res.TotalCount != 5 {
				t.Errorf("page %d totalCount = %d, want 5", page, res.TotalCount)
			}
			got = append(got, names(w, res)...)
			if !res.HasNextPage {
				break
			}
			if page > 3 || res.EndCursor() == "" {
				t.Fatalf("pagination does not end: %v", got)
			}
			after = res.EndCursor()
		}
		if want := []string{"board", "hose", "bread", "knife", "santoku"}; !slices.Equal(got, want) {
			t.Errorf("pages = %v, want %v", got, want)
		}
	})
	t.Run("OKCursorOfEachHit", func(t *testing.T) {
		all := run(t, s, shop1, search.Query{Sort: search.SortPriceAsc})
		res := run(t, s, shop1, search.Query{Sort: search.SortPriceAsc, First: 1, After: all.Hits[2].Cursor})
		expectOrder(t, w, res, "knife")
	})
	t.Run("OKPastTheEnd", func(t *testing.T) {
		res := run(t, s, shop1, search.Query{After: search.EncodeCursor(10)})
		if len(res.Hits) != 0 || res.HasNextPage || res.TotalCount != 5 {
			t.Errorf("past the end: %d hits, next %v, total %d", len(res.Hits), res.HasNextPage, res.TotalCount)
		}
	})
}

// facet renders a facet as "value=count", suppliers by handle. Ties are ordered by the
// rendered value, since backends order them by raw value (ids for suppliers).
func (w *World) facet(vs []search.FacetValue) string {
	type pair struct {
		v string
		n int
	}
	ps := make([]pair, 0, len(vs))
	for _, v := range vs {
		val := v.Value
		for h, id := range w.Members {
			if id.String() == val {
				val = h
			}
		}
		ps = append(ps, pair{val, v.Count})
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].n != ps[j].n {
			return ps[i].n > ps[j].n
		}
		return ps[i].v < ps[j].v
	})
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, p.v+"="+itoa(p.n))
	}
	return strings.Join(parts, " ")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// MemberIDs returns the ids of the handles.
func (w *World) MemberIDs(handles ...string) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(handles))
	for _, h := range handles {
		out = append(out, w.Members[h])
	}
	return out
}

func expectFacets(t *testing.T, w *World, f search.Facets, category, brand, supplier, mode string) {
	t.Helper()
	for _, c := range []struct{ name, got, want string }{
		{"category", w.facet(f.Category), category}, {"brand", w.facet(f.Brand), brand},
		{"supplier", w.facet(f.Supplier), supplier}, {"fulfillmentMode", w.facet(f.FulfillmentMode), mode},
	} {
		if c.got != c.want {
			t.Errorf("%s facet = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func testFacets(t *testing.T, w *World, s search.Searcher) {
	t.Run("OKFacets", func(t *testing.T) {
		res := run(t, s, w.Member("shop1"), search.Query{})
		expectFacets(t, w, res.Facets, "home/kitchen/knives=3 garden=1 home/kitchen=1",
			"Kiru=2 Cutco=1 Greeny=1 Woodly=1", "alpha=3 bravo=1 charlie=1", "DIRECT=3 WAREHOUSE=3")
	})
	t.Run("OKFacetsFollowFilters", func(t *testing.T) {
		res := run(t, s, w.Member("shop1"), search.Query{Text: "knife", Filter: search.Filter{FulfillmentModes: []search.FulfillmentMode{search.ModeDirect}}})
		expectFacets(t, w, res.Facets, "home/kitchen/knives=2", "Kiru=2", "alpha=1 bravo=1", "DIRECT=2")
	})
	t.Run("OKFacetsNeverLeak", func(t *testing.T) {
		// shop2 has no agreement with bravo and is not on bread's allow-list.
		res := run(t, s, w.Member("shop2"), search.Query{})
		expectSet(t, w, res, "knife", "board", "hose")
		expectFacets(t, w, res.Facets, "garden=1 home/kitchen=1 home/kitchen/knives=1",
			"Greeny=1 Kiru=1 Woodly=1", "alpha=3", "DIRECT=2 WAREHOUSE=2")
		res = run(t, s, w.Member("shop2"), search.Query{Text: "knife"})
		expectFacets(t, w, res.Facets, "home/kitchen/knives=1", "Kiru=1", "alpha=1", "DIRECT=1")
	})
	t.Run("OKNoFacets", func(t *testing.T) {
		res := run(t, s, w.Member("shop1"), search.Query{NoFacets: true})
		if len(res.Facets.Brand)+len(res.Facets.Category)+len(res.Facets.Supplier)+len(res.Facets.FulfillmentMode) != 0 {
			t.Errorf("facets with NoFacets: %+v", res.Facets)
		}
		if res.TotalCount != 5 {
			t.Errorf("totalCount = %d", res.TotalCount)
		}
	})
}

func testVisibility(t *testing.T, w *World, s search.Searcher) {
	for _, tc := range []struct {
		name, who, text string
		want            []string
	}{
		{"AllowListed", "shop1", "serrated", []string{"bread", "santoku"}},
		{"NotAllowListed", "shop2", "serrated", nil},
		{"AgreementApproved", "shop1", "santoku", []string{"santoku"}},
		{"AgreementOnlyRequested", "shop2", "santoku", nil},
		{"AgreementRequiredOtherSupplier", "charlie", "santoku", nil},
		{"OwnAllowListOffer", "charlie", "serrated", []string{"bread"}},
		{"OwnAgreementOffer", "bravo", "santoku", []string{"santoku"}},
		{"DraftsHiddenFromOthers", "shop1", "prototype", nil},
		{"DraftsHiddenFromSupplier", "alpha", "prototype", nil},
		{"DiscontinuedHidden", "shop1", "pizza", nil},
		{"NoActiveVariantHidden", "shop1", "paring", nil},
		{"OtherConsortiumInvisible", "shop1", "cleaver", nil},
	} {
		t.Run("OK"+tc.name, func(t *testing.T) {
			expectSet(t, w, run(t, s, w.Member(tc.who), search.Query{Text: tc.text}), tc.want...)
		})
	}
	t.Run("OKOperatorSeesAllActive", func(t *testing.T) {
		expectSet(t, w, run(t, s, w.Operator(), search.Query{}), "knife", "board", "hose", "santoku", "bread")
	})
	t.Run("OKOwnOffersAtListPrice", func(t *testing.T) {
		res := run(t, s, w.Member("bravo"), search.Query{Text: "santoku"})
		if len(res.Hits) != 1 || res.Hits[0].DiscountBps != 0 || res.Hits[0].EffectiveWholesale != 6000 {
			t.Errorf("own offer hit = %+v", res.Hits)
		}
	})
	t.Run("OKOtherConsortiumSeesOnlyItsOwn", func(t *testing.T) {
		p := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: w.OtherID}
		res := run(t, s, p, search.Query{Text: "cleaver"})
		expectSet(t, w, res, "cheap")
		expectFacets(t, w, res.Facets, "", "Kiru=1", "outsider=1", "")
	})
}

func testErrors(t *testing.T, w *World, s search.Searcher) {
	shop1 := w.Member("shop1")
	for _, tc := range []struct {
		name  string
		p     tenants.Principal
		q     search.Query
		code  string
		field string
	}{
		{"ErrForbiddenStorefront", tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: w.ConsortiumID, MemberID: w.Members["shop1"], StorefrontID: w.Members["shop1"]}, search.Query{}, apperr.EFORBIDDEN, ""},
		{"ErrForbiddenCustomer", tenants.Principal{Kind: tenants.KindCustomer, ConsortiumID: w.ConsortiumID}, search.Query{}, apperr.EFORBIDDEN, ""},
		{"ErrForbiddenAnonymous", tenants.Principal{}, search.Query{}, apperr.EFORBIDDEN, ""},
		{"ErrFirstTooLarge", shop1, search.Query{First: search.MaxFirst + 1}, apperr.EINVALID, "first"},
		{"ErrFirstNegative", shop1, search.Query{First: -1}, apperr.EINVALID, "first"},
		{"ErrBadCursor", shop1, search.Query{After: "not-a-cursor"}, apperr.EINVALID, "after"},
		{"ErrCursorTooDeep", shop1, search.Query{After: search.EncodeCursor(search.MaxOffset)}, apperr.EINVALID, "after"},
		{"ErrUnknownSort", shop1, search.Query{Sort: "CHEAPEST"}, apperr.EINVALID, "sort"},
		{"ErrTextTooLong", shop1, search.Query{Text: strings.Repeat("a", search.MaxTextLen+1)}, apperr.EINVALID, "query"},
		{"ErrUnknownMode", shop1, search.Query{Filter: search.Filter{FulfillmentModes: []search.FulfillmentMode{"TELEPORT"}}}, apperr.EINVALID, "filter.fulfillmentModes.0"},
		{"ErrWholesaleRange", shop1, search.Query{Filter: search.Filter{WholesaleMin: ptr[int64](10), WholesaleMax: ptr[int64](5)}}, apperr.EINVALID, "filter.wholesaleMax"},
		{"ErrNegativeMargin", shop1, search.Query{Filter: search.Filter{MarginMin: ptr[int64](-1)}}, apperr.EINVALID, "filter.marginMin"},
		{"ErrMarginPercentRange", shop1, search.Query{Filter: search.Filter{MarginBpsMin: ptr(5000), MarginBpsMax: ptr(100)}}, apperr.EINVALID, "filter.marginPercentMax"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Search(context.Background(), tc.p, tc.q)
			if apperr.Code(err) != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
			if tc.field != "" {
				found := false
				for _, e := range apperr.All(err) {
					found = found || strings.Join(e.Field, ".") == tc.field
				}
				if !found {
					t.Errorf("err = %v, want field %s", err, tc.field)
				}
			}
		})
	}
	t.Run("OKPunctuationOnlyBrowses", func(t *testing.T) {
		expectSet(t, w, run(t, s, shop1, search.Query{Text: " -- !! "}), "knife", "board", "hose", "santoku", "bread")
	})
}

func testIndex(t *testing.T, w *World, s search.Searcher) {
	ctx := context.Background()
	shop1 := w.Member("shop1")
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := w.DB.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	index := func(offers ...string) {
		t.Helper()
		ids := make([]uuid.UUID, 0, len(offers))
		for _, o := range offers {
			ids = append(ids, w.Offers[o])
		}
		if err := s.Index(ctx, w.ConsortiumID, ids...); err != nil {
			t.Fatalf("Index: %v", err)
		}
	}
	t.Run("OKChangedOfferIsFoundByNewText", func(t *testing.T) {
		exec(`UPDATE offers SET title = 'Walnut Serving Board' WHERE id = $1`, w.Offers["board"])
		exec(`UPDATE offer_variants SET wholesale_price = 1200 WHERE offer_id = $1`, w.Offers["board"])
		index("board")
		res := run(t, s, shop1, search.Query{Text: "walnut"})
		expectSet(t, w, res, "board")
		if len(res.Hits) == 1 && res.Hits[0].Wholesale != 1200 {
			t.Errorf("wholesale = %d, want 1200", res.Hits[0].Wholesale)
		}
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "oak cutting"}))
	})
	t.Run("OKPublishedDraftIsFound", func(t *testing.T) {
		exec(`UPDATE offers SET status = 'ACTIVE' WHERE id = $1`, w.Offers["prototype"])
		index("prototype")
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "prototype"}), "prototype")
	})
	t.Run("OKDiscontinuedIsGone", func(t *testing.T) {
		exec(`UPDATE offers SET status = 'DISCONTINUED' WHERE id = $1`, w.Offers["hose"])
		index("hose")
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "hose"}))
	})
	t.Run("OKLastVariantDiscontinuedIsGone", func(t *testing.T) {
		exec(`UPDATE offer_variants SET status = 'DISCONTINUED' WHERE offer_id = $1`, w.Offers["knife"])
		index("knife")
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "damascus"}))
	})
	t.Run("OKAllowListChange", func(t *testing.T) {
		exec(`INSERT INTO offer_visibility (consortium_id, offer_id, member_id) VALUES ($1, $2, $3)`, w.ConsortiumID, w.Offers["bread"], w.Members["shop2"])
		index("bread")
		expectSet(t, w, run(t, s, w.Member("shop2"), search.Query{Text: "serrated"}), "bread")
	})
	t.Run("OKAgreementChange", func(t *testing.T) {
		exec(`UPDATE sourcing_agreements SET status = 'APPROVED', discount_bps = 2500 WHERE seller_id = $1`, w.Members["shop2"])
		exec(`UPDATE sourcing_agreements SET status = 'REVOKED' WHERE seller_id = $1`, w.Members["shop1"])
		if err := s.IndexSuppliers(ctx, w.ConsortiumID, w.Members["bravo"]); err != nil {
			t.Fatalf("IndexSuppliers: %v", err)
		}
		res := run(t, s, w.Member("shop2"), search.Query{Text: "santoku"})
		expectSet(t, w, res, "santoku")
		if len(res.Hits) == 1 && res.Hits[0].EffectiveWholesale != catalog.ApplyDiscount(6000, 2500) {
			t.Errorf("effective wholesale = %d, want %d", res.Hits[0].EffectiveWholesale, catalog.ApplyDiscount(6000, 2500))
		}
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "santoku"}))
	})
	t.Run("OKAgreementNowRequired", func(t *testing.T) {
		exec(`INSERT INTO supplier_profiles (consortium_id, member_id, agreement_required) VALUES ($1, $2, true)`, w.ConsortiumID, w.Members["alpha"])
		if err := s.IndexSuppliers(ctx, w.ConsortiumID, w.Members["alpha"]); err != nil {
			t.Fatalf("IndexSuppliers: %v", err)
		}
		expectSet(t, w, run(t, s, w.Member("shop2"), search.Query{Text: "walnut"}))
		expectSet(t, w, run(t, s, w.Member("alpha"), search.Query{Text: "walnut"}), "board")
		exec(`UPDATE supplier_profiles SET agreement_required = false WHERE member_id = $1`, w.Members["alpha"])
		if err := s.IndexSuppliers(ctx, w.ConsortiumID, w.Members["alpha"]); err != nil {
			t.Fatalf("IndexSuppliers: %v", err)
		}
		expectSet(t, w, run(t, s, w.Member("shop2"), search.Query{Text: "walnut"}), "board")
	})
	t.Run("OKDeletedOffer", func(t *testing.T) {
		exec(`DELETE FROM offers WHERE id = $1`, w.Offers["paring"])
		index("paring")
		expectSet(t, w, run(t, s, shop1, search.Query{Text: "paring"}))
	})
	t.Run("OKReindexIsIdempotent", func(t *testing.T) {
		before := run(t, s, shop1, search.Query{Sort: search.SortPriceAsc})
		n, err := s.Reindex(ctx, w.ConsortiumID)
		if err != nil {
			t.Fatal(err)
		}
		after := run(t, s, shop1, search.Query{Sort: search.SortPriceAsc})
		if n != 4 || !slices.Equal(names(w, before), names(w, after)) {
			t.Errorf("reindex: %d offers, before %v after %v", n, names(w, before), names(w, after))
		}
	})
	t.Run("OKIndexNothing", func(t *testing.T) {
		if err := s.Index(ctx, w.ConsortiumID); err != nil {
			t.Fatal(err)
		}
	})
}
