package search_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guildmart/guildmart/catalog/search"
	"github.com/guildmart/guildmart/catalog/search/searchtest"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
	"github.com/meilisearch/meilisearch-go"
)

// TestMeili runs the behaviour suite against a real Meilisearch at MEILI_URL.
func TestMeili(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: the Meilisearch backend runs the behaviour suite only against a real server " +
			"(e.g. MEILI_URL=http://127.0.0.1:7700 MEILI_API_KEY=…); its requests are checked by TestMeiliAdapter*")
	}
	t.Parallel()
	searchtest.TestSearcher(t, func(t *testing.T, d *pgtest.DB) search.Searcher {
		m := search.ConnectMeili(d.App, url, os.Getenv("MEILI_API_KEY"), search.MeiliOptions{IndexPrefix: "gmtest_" + d.Name + "_"})
		t.Cleanup(func() { _ = m.DropIndexes(context.Background()) })
		return m
	})
}

// request is one request the fake Meilisearch received.
type request struct {
	Method, Path, RawQuery, Auth string
	Body                         []byte
}

// fakeMeili records requests and answers like Meilisearch: tasks enqueued and then
// succeeded (or failed), searches with the answer the test sets.
type fakeMeili struct {
	mu         sync.Mutex
	reqs       []request
	next       int64
	taskStatus string
	taskError  string
	search     func(body []byte) (int, string)
}

func (f *fakeMeili) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization"), body})
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/tasks/"):
		status := f.taskStatus
		if status == "" {
			status = "succeeded"
		}
		fmt.Fprintf(w, `{"uid": %s, "status": %q, "type": "documentAdditionOrUpdate", "error": {"message": %q, "code": "x"}}`,
			strings.TrimPrefix(r.URL.Path, "/tasks/"), status, f.taskError)
	case strings.HasSuffix(r.URL.Path, "/search"):
		code, resp := f.search(body)
		w.WriteHeader(code)
		io.WriteString(w, resp)
	default:
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"taskUid": %d, "status": "enqueued", "type": "x", "enqueuedAt": "2025-01-01T00:00:00Z"}`, f.next)
		f.next++
	}
}

func (f *fakeMeili) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func newFake(t *testing.T, d *pgtest.DB) (*fakeMeili, *search.Meili) {
	f := &fakeMeili{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	m := search.NewMeili(d.App, meilisearch.New(srv.URL, meilisearch.WithAPIKey("master-key")),
		search.MeiliOptions{IndexPrefix: "t_", PollInterval: time.Millisecond})
	return f, m
}

// jsonEqual compares JSON documents by value.
func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v in %s", what, err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// sortDocs orders a JSON array of documents by id: documents come in no particular order.
func sortDocs(t *testing.T, b []byte) []byte {
	t.Helper()
	var docs []map[string]any
	if err := json.Unmarshal(b, &docs); err != nil {
		t.Fatalf("documents: %v in %s", err, b)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i]["id"].(string) < docs[j]["id"].(string) })
	out, _ := json.Marshal(docs)
	return out
}

func TestMeiliAdapterIndex(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	w := searchtest.NewWorld(t, d)
	f, m := newFake(t, d)
	ctx := context.Background()
	cid, idx := w.ConsortiumID.String(), "/indexes/t_"+w.ConsortiumID.String()
	if err := m.Index(ctx, w.ConsortiumID, w.Offers["santoku"], w.Offers["bread"], w.Offers["prototype"]); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	var calls []string
	for _, r := range reqs {
		calls = append(calls, r.Method+" "+strings.TrimPrefix(r.Path, idx)+" "+r.RawQuery)
		if r.Auth != "Bearer master-key" {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Auth)
		}
	}
	want := []string{"PATCH /settings ", "GET /tasks/0 ", "POST /documents primaryKey=id", "POST /documents/delete ", "GET /tasks/1 ", "GET /tasks/2 "}
	if !reflect.DeepEqual(calls, want) {
		t.Fatalf("calls =\n%s\nwant\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
	t.Run("OKSettings", func(t *testing.T) {
		jsonEqual(t, "settings", reqs[0].Body, `{
			"rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
			"searchableAttributes": ["title", "brand", "skus", "gtins", "description"],
			"displayedAttributes": ["offer_id", "supplier_id", "title", "brand", "currency", "wholesale", "discount_bps", "suggested_retail"],
			"filterableAttributes": ["consortium_id", "offer_id", "supplier_id", "status", "visibility", "allowed_member_ids",
				"agreement_required", "approved_seller_ids", "price_class", "class_seller_ids", "discounted_seller_ids",
				"category", "category_paths", "brand", "fulfillment_modes", "regions", "in_stock",
				"effective_wholesale", "margin", "margin_bps", "indexed_at"],
			"sortableAttributes": ["created_at", "effective_wholesale", "margin", "margin_bps", "offer_id"],
			"pagination": {"maxTotalHits": 20000},
			"faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "count"}}
		}`)
	})
	var docs []map[string]any
	if err := json.Unmarshal(reqs[2].Body, &docs); err != nil {
		t.Fatal(err)
	}
	gen := int64(docs[0]["indexed_at"].(float64))
	t.Run("OKDocuments", func(t *testing.T) {
		m := func(h string) string { return w.Members[h].String() }
		santoku, bread := w.Offers["santoku"].String(), w.Offers["bread"].String()
		created := func(day int) int64 { return time.Date(2025, 1, day, 12, 0, 0, 0, time.UTC).UnixMicro() }
		common := func(id, offer string) string {
			return fmt.Sprintf(`"id": %q, "offer_id": %q, "consortium_id": %q, "status": "ACTIVE", "indexed_at": %d, "currency": "EUR"`, id, offer, cid, gen)
		}
		jsonEqual(t, "documents", sortDocs(t, reqs[2].Body), string(sortDocs(t, []byte(fmt.Sprintf(`[
			{%s, "supplier_id": %q, "visibility": "CONSORTIUM", "allowed_member_ids": [], "agreement_required": true,
			 "approved_seller_ids": [%q], "price_class": "list", "class_seller_ids": [], "discounted_seller_ids": [%q],
			 "discount_bps": 0, "title": "Santoku Knife", "brand": "Kiru", "description": "Japanese all-purpose knife, not serrated.",
			 "skus": ["SANTOKU-18"], "gtins": [], "category": "home/kitchen/knives",
			 "category_paths": ["home", "home/kitchen", "home/kitchen/knives"], "fulfillment_modes": ["DIRECT"], "regions": ["DE"],
			 "in_stock": true, "wholesale": 6000, "effective_wholesale": 6000, "suggested_retail": 9000, "margin": 3000,
			 "margin_bps": 3333, "created_at": %d},
			{%s, "supplier_id": %q, "visibility": "CONSORTIUM", "allowed_member_ids": [], "agreement_required": true,
			 "approved_seller_ids": [%q], "price_class": "discount", "class_seller_ids": [%q], "discounted_seller_ids": [],
			 "discount_bps": 1000, "title": "Santoku Knife", "brand": "Kiru", "description": "Japanese all-purpose knife, not serrated.",
			 "skus": ["SANTOKU-18"], "gtins": [], "category": "home/kitchen/knives",
			 "category_paths": ["home", "home/kitchen", "home/kitchen/knives"], "fulfillment_modes": ["DIRECT"], "regions": ["DE"],
			 "in_stock": true, "wholesale": 6000, "effective_wholesale": 5400, "suggested_retail": 9000, "margin": 3600,
			 "margin_bps": 4000, "created_at": %d},
			{%s, "supplier_id": %q, "visibility": "ALLOW_LIST", "allowed_member_ids": [%q], "agreement_required": false,
			 "approved_seller_ids": [], "price_class": "list", "class_seller_ids": [], "discounted_seller_ids": [],
			 "discount_bps": 0, "title": "Bread Knife Serrated", "brand": "Cutco", "description": "Serrated edge for crusty loaves.",
			 "skus": ["BREAD-26"], "gtins": [], "category": "home/kitchen/knives",
			 "category_paths": ["home", "home/kitchen", "home/kitchen/knives"], "fulfillment_modes": ["WAREHOUSE"], "regions": ["AT", "DE"],
			 "in_stock": false, "wholesale": 3000, "effective_wholesale": 3000, "suggested_retail": 7000, "margin": 4000,
			 "margin_bps": 5714, "created_at": %d}
		]`, common(santoku+"-list", santoku), m("bravo"), m("shop1"), m("shop1"), created(4),
			common(santoku+"-d1000", santoku), m("bravo"), m("shop1"), m("shop1"), created(4),
			common(bread+"-list", bread), m("charlie"), m("shop1"), created(5))))))
	})
	t.Run("OKStaleDocumentsDeleted", func(t *testing.T) {
		// The draft has no document: its old ones (if any) go with the stale generation.
		jsonEqual(t, "delete filter", reqs[3].Body, fmt.Sprintf(`{"filter": "consortium_id = \"%s\" AND indexed_at < %d AND offer_id IN [\"%s\", \"%s\", \"%s\"]"}`,
			cid, gen, w.Offers["santoku"], w.Offers["bread"], w.Offers["prototype"]))
	})
	t.Run("OKSettingsOncePerProcess", func(t *testing.T) {
		if err := m.Index(ctx, w.ConsortiumID, w.Offers["knife"]); err != nil {
			t.Fatal(err)
		}
		for _, r := range f.requests()[len(reqs):] {
			if strings.HasSuffix(r.Path, "/settings") {
				t.Errorf("settings sent again")
			}
		}
	})
}

func TestMeiliAdapterIndexErrTaskFailed(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	w := searchtest.NewWorld(t, d)
	f, m := newFake(t, d)
	f.taskStatus, f.taskError = "failed", "invalid_document_fields"
	err := m.Index(context.Background(), w.ConsortiumID, w.Offers["knife"])
	if err == nil || !strings.Contains(err.Error(), "invalid_document_fields") {
		t.Fatalf("err = %v, want the task's error", err)
	}
}

func TestMeiliAdapterSearch(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	w := searchtest.NewWorld(t, d)
	f, m := newFake(t, d)
	cid, shop2, santoku, bravo := w.ConsortiumID.String(), w.Members["shop2"].String(), w.Offers["santoku"].String(), w.Members["bravo"].String()
	var got []byte
	f.search = func(body []byte) (int, string) {
		got = body
		return 200, fmt.Sprintf(`{"hits": [{"offer_id": %q, "supplier_id": %q, "title": "Santoku Knife", "brand": "Kiru",
			"currency": "EUR", "wholesale": 6000, "discount_bps": 1000, "suggested_retail": 9000}],
			"query": "knife", "processingTimeMs": 1, "hitsPerPage": 2, "page": 2, "totalPages": 2, "totalHits": 3,
			"facetDistribution": {"category": {"home/kitchen/knives": 2, "home/kitchen": 1}, "brand": {"Kiru": 3, "": 1},
				"supplier_id": {%q: 3}, "fulfillment_modes": {"WAREHOUSE": 1, "DIRECT": 3}}}`, santoku, bravo, bravo)
	}
	i64 := func(v int64) *int64 { return &v }
	bps := func(v int) *int { return &v }
	visibility := fmt.Sprintf(`consortium_id = \"%[1]s\" AND status = \"ACTIVE\" AND (supplier_id = \"%[2]s\" OR ((visibility = \"CONSORTIUM\" OR allowed_member_ids = \"%[2]s\") AND (agreement_required = false OR approved_seller_ids = \"%[2]s\"))) AND (class_seller_ids = \"%[2]s\" OR (price_class = \"list\" AND NOT discounted_seller_ids = \"%[2]s\"))`, cid, shop2)
	retrieve := `"attributesToRetrieve": ["offer_id", "supplier_id", "title", "brand", "currency", "wholesale", "discount_bps", "suggested_retail"]`
	facets := `"facets": ["category", "brand", "supplier_id", "fulfillment_modes"]`

	t.Run("OKMemberWithFilters", func(t *testing.T) {
		res, err := m.Search(context.Background(), w.Member("shop2"), search.Query{Text: " knife ", Sort: search.SortMarginDesc, First: 2,
			After: search.EncodeCursor(1), Filter: search.Filter{CategoryPath: "home/kitchen/", Brands: []string{`Ki"ru`},
				SupplierIDs: w.MemberIDs("bravo"), FulfillmentModes: []search.FulfillmentMode{search.ModeDirect}, ShipsTo: "DE", InStock: true,
				WholesaleMin: i64(100), WholesaleMax: i64(9000), MarginMin: i64(1), MarginMax: i64(5000), MarginBpsMin: bps(2500), MarginBpsMax: bps(9000)}})
		if err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, "search request", got, fmt.Sprintf(`{"q": "knife", "filter": "%s AND category_paths = \"home/kitchen\" AND brand IN [\"Ki\\\"ru\"] AND supplier_id IN [\"%s\"] AND fulfillment_modes IN [\"DIRECT\"] AND regions = \"DE\" AND in_stock = true AND effective_wholesale >= 100 AND effective_wholesale <= 9000 AND margin >= 1 AND margin <= 5000 AND margin_bps >= 2500 AND margin_bps <= 9000",
			"sort": ["margin:desc", "offer_id:asc"], "page": 2, "hitsPerPage": 2, "matchingStrategy": "all", "hybrid": null, %s, %s}`,
			visibility, bravo, retrieve, facets))
		want := &search.Result{TotalCount: 3, Hits: []search.Hit{{OfferID: w.Offers["santoku"], SupplierID: w.Members["bravo"],
			Title: "Santoku Knife", Brand: "Kiru", Currency: "EUR", Wholesale: 6000, DiscountBps: 1000, EffectiveWholesale: 5400,
			SuggestedRetail: 9000, Margin: 3600, MarginBps: 4000, Cursor: search.EncodeCursor(2)}},
			Facets: search.Facets{
				Category:        []search.FacetValue{{"home/kitchen/knives", 2}, {"home/kitchen", 1}},
				Brand:           []search.FacetValue{{"Kiru", 3}},
				Supplier:        []search.FacetValue{{bravo, 3}},
				FulfillmentMode: []search.FacetValue{{"DIRECT", 3}, {"WAREHOUSE", 1}},
			}}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("result =\n%+v\nwant\n%+v", res, want)
		}
	})
	t.Run("OKOperatorListPricesNoFacets", func(t *testing.T) {
		if _, err := m.Search(context.Background(), w.Operator(), search.Query{NoFacets: true}); err != nil {
			t.Fatal(err)
		}
		jsonEqual(t, "search request", got, fmt.Sprintf(`{"q": "", "filter": "consortium_id = \"%s\" AND status = \"ACTIVE\" AND price_class = \"list\"",
			"sort": ["created_at:desc", "offer_id:asc"], "page": 1, "hitsPerPage": 20, "matchingStrategy": "all", "hybrid": null, %s}`, cid, retrieve))
	})
	t.Run("OKCursorOffPageBoundary", func(t *testing.T) {
		res, err := m.Search(context.Background(), w.Member("shop2"), search.Query{Text: "knife", First: 2, After: search.EncodeCursor(0)})
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.Unmarshal(got, &body)
		if body["page"] != 1.0 || body["hitsPerPage"] != 3.0 || body["sort"] != nil {
			t.Errorf("request page %v hitsPerPage %v sort %v, want page 1 of 3 by relevance", body["page"], body["hitsPerPage"], body["sort"])
		}
		if len(res.Hits) != 0 { // the one hit answered is the skipped head
			t.Errorf("hits = %+v", res.Hits)
		}
	})
	t.Run("OKIndexNotFound", func(t *testing.T) {
		f.search = func([]byte) (int, string) {
			return 404, `{"message": "Index not found.", "code": "index_not_found", "type": "invalid_request", "link": ""}`
		}
		res, err := m.Search(context.Background(), w.Member("shop2"), search.Query{})
		if err != nil || res.TotalCount != 0 || len(res.Hits) != 0 {
			t.Errorf("res %+v err %v, want an empty result", res, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		n := len(f.requests())
		_, err := m.Search(context.Background(), tenants.Principal{Kind: tenants.KindShopper, ConsortiumID: w.ConsortiumID}, search.Query{})
		if err == nil || len(f.requests()) != n {
			t.Errorf("err %v, requests sent %d", err, len(f.requests())-n)
		}
	})
	t.Run("ErrBackend", func(t *testing.T) {
		f.search = func([]byte) (int, string) { return 400, `{"message": "bad filter", "code": "invalid_search_filter"}` }
		_, err := m.Search(context.Background(), w.Member("shop2"), search.Query{})
		if err == nil || !regexp.MustCompile(`invalid_search_filter`).MatchString(err.Error()) {
			t.Errorf("err = %v", err)
		}
	})
}
