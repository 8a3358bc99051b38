package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/money"
	"github.com/guildmart/guildmart/tenants"
)

const listingPageQuery = `query($h: String!) { storefront(handle: $h) { listings(first: 50) { edges { cursor node {
  id handle title images vendor
  priceRange { min { amount currencyCode } max { amount currencyCode } }
  variants { id selectedOptions { name value } price { amount currencyCode } compareAt { amount currencyCode } availability availableForSale } } }
  pageInfo { hasNextPage endCursor } } } }`

// BenchmarkStorefrontPage compares a shopper's listing page (50 listings, 2 variants
// each) through the GraphQL gateway with a hand-written net/http handler that does the
// same database work through the same domain calls and writes the same JSON (checked
// before timing), in the same run, 8 concurrent clients.
// Run: go test ./gateway -run '^$' -bench StorefrontPage -benchtime 5s
func BenchmarkStorefrontPage(b *testing.B) {
	w := newFedWorld(b)
	w.addOffers(50)
	w.publishAll()
	body, _ := json.Marshal(map[string]any{"query": listingPageQuery, "variables": map[string]any{"h": "dealer-shop"}})
	servers := map[string]http.Handler{"graphql": w.gw, "plain": plainListingPage(w.ten, w.fed)}
	fetch := func(srv *httptest.Server, client *http.Client) ([]byte, error) {
		req, _ := http.NewRequest("POST", srv.URL+"/graphql", strings.NewReader(string(body)))
		req.Header.Set("X-Storefront", "dealer-shop")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	var want any
	for _, name := range []string{"graphql", "plain"} {
		srv := httptest.NewServer(servers[name])
		raw, err := fetch(srv, http.DefaultClient)
		srv.Close()
		if err != nil {
			b.Fatal(err)
		}
		var got any
		if err := json.Unmarshal(raw, &got); err != nil {
			b.Fatalf("%s: %s", name, raw)
		}
		if n := len(dig(got, "data", "storefront", "listings", "edges").([]any)); n != 50 {
			b.Fatalf("%s: %d listings: %s", name, n, raw)
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(want, got) {
			b.Fatalf("plain handler JSON differs from GraphQL's:\n%s", raw)
		}
	}
	for _, name := range []string{"graphql", "plain"} {
		b.Run(name, func(b *testing.B) {
			srv := httptest.NewServer(servers[name])
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 clients
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					raw, err := fetch(srv, client)
					if err != nil || !strings.Contains(string(raw), `"pageInfo"`) {
						b.Fatalf("%v %s", err, raw)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// plainListingPage is the hand-written baseline: authenticate the shopper, find the
// storefront, one query for the listings and one for their variants, encode.
func plainListingPage(ts *tenants.Service, fed *federation.Service) http.Handler {
	type amount struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	}
	type option struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type variant struct {
		ID               string   `json:"id"`
		SelectedOptions  []option `json:"selectedOptions"`
		Price            amount   `json:"price"`
		CompareAt        *amount  `json:"compareAt"`
		Availability     string   `json:"availability"`
		AvailableForSale bool     `json:"availableForSale"`
	}
	type priceRange struct {
		Min amount `json:"min"`
		Max amount `json:"max"`
	}
	type node struct {
		ID         string      `json:"id"`
		Handle     string      `json:"handle"`
		Title      string      `json:"title"`
		Images     []string    `json:"images"`
		Vendor     *string     `json:"vendor"`
		PriceRange *priceRange `json:"priceRange"`
		Variants   []variant   `json:"variants"`
	}
	type edge struct {
		Cursor string `json:"cursor"`
		Node   node   `json:"node"`
	}
	type pageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	}
	type listings struct {
		Edges    []edge   `json:"edges"`
		PageInfo pageInfo `json:"pageInfo"`
	}
	type response struct {
		Data struct {
			Storefront *struct {
				Listings listings `json:"listings"`
			} `json:"storefront"`
		} `json:"data"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables struct{ H string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		p, err := ts.ShopperOf(ctx, r.Header.Get("X-Storefront"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		sf, err := ts.StorefrontByHandle(ctx, p, req.Variables.H)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		page, err := fed.Listings(ctx, p, sf.ID, federation.ListingFilter{First: 50})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		lids := make([]uuid.UUID, len(page.Listings))
		for i, l := range page.Listings {
			lids[i] = l.ID
		}
		vs, err := fed.VariantsOfListings(ctx, p, sf.ID, lids)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var out response
		out.Data.Storefront = &struct {
			Listings listings `json:"listings"`
		}{}
		ls := &out.Data.Storefront.Listings
		ls.Edges = make([]edge, len(page.Listings))
		for i, l := range page.Listings {
			n := node{ID: ids.Global("Listing", l.ID), Handle: l.Handle, Title: l.Title, Images: l.Images, Variants: make([]variant, len(vs[i]))}
			if l.Vendor != "" {
				n.Vendor = &l.Vendor
			}
			for j, v := range vs[i] {
				x := variant{ID: ids.Global("ListingVariant", v.ID), SelectedOptions: make([]option, len(v.Options)),
					Price: amount{money.Format(v.Price, v.Currency), v.Currency}, Availability: v.StockLevel, AvailableForSale: federation.Sellable(v.Status)}
				for k, o := range v.Options {
					x.SelectedOptions[k] = option{o.Key, o.Value}
				}
				if v.CompareAt != nil {
					x.CompareAt = &amount{money.Format(*v.CompareAt, v.Currency), v.Currency}
				}
				n.Variants[j] = x
				if n.PriceRange == nil {
					n.PriceRange = &priceRange{x.Price, x.Price}
				} else if v.Price < mustParse(n.PriceRange.Min.Amount, v.Currency) {
					n.PriceRange.Min = x.Price
				} else if v.Price > mustParse(n.PriceRange.Max.Amount, v.Currency) {
					n.PriceRange.Max = x.Price
				}
			}
			ls.Edges[i] = edge{page.Cursors[i], n}
		}
		ls.PageInfo.HasNextPage = page.HasNext
		if n := len(page.Cursors); n > 0 {
			ls.PageInfo.EndCursor = &page.Cursors[n-1]
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

func mustParse(s, currency string) int64 {
	v, _ := money.Parse(s, currency)
	return v
}
