package search

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/meilisearch/meilisearch-go"
)

// Price classes of a document. Every searchable offer has one "list" document at list
// price and one "discount" document per distinct discount its supplier has approved for
// some sellers; the query filter picks exactly one of them per offer for each caller, so
// counts, facets, price filters and margin sorts are per caller, at the price it pays.
const (
	classList     = "list"
	classDiscount = "discount"
)

// meiliDoc is one document of a consortium's index.
type meiliDoc struct {
	ID           string `json:"id"` // offer id, "-list" or "-d<bps>"
	OfferID      string `json:"offer_id"`
	ConsortiumID string `json:"consortium_id"`
	SupplierID   string `json:"supplier_id"`
	Status       string `json:"status"`
	// Who may see the offer (offer_entitled): the whole consortium or the allow-list, and
	// when the supplier requires it, only sellers with an approved agreement.
	Visibility        string   `json:"visibility"`
	AllowedMemberIDs  []string `json:"allowed_member_ids"`
	AgreementRequired bool     `json:"agreement_required"`
	ApprovedSellerIDs []string `json:"approved_seller_ids"`
	// Which price the caller pays: a discount document lists its sellers; the list
	// document lists the sellers who get a discount document instead.
	PriceClass          string   `json:"price_class"`
	ClassSellerIDs      []string `json:"class_seller_ids"`
	DiscountedSellerIDs []string `json:"discounted_seller_ids"`
	DiscountBps         int      `json:"discount_bps"`

	Title            string   `json:"title"`
	Brand            string   `json:"brand"`
	Description      string   `json:"description"`
	SKUs             []string `json:"skus"`
	GTINs            []string `json:"gtins"`
	Category         string   `json:"category"`       // the offer's category path ("" for none)
	CategoryPaths    []string `json:"category_paths"` // it and its ancestors, for "and descendants"
	FulfillmentModes []string `json:"fulfillment_modes"`
	Regions          []string `json:"regions"`
	InStock          bool     `json:"in_stock"`

	Currency           string `json:"currency"`
	Wholesale          int64  `json:"wholesale"`
	EffectiveWholesale int64  `json:"effective_wholesale"`
	SuggestedRetail    int64  `json:"suggested_retail"`
	Margin             int64  `json:"margin"`
	MarginBps          int    `json:"margin_bps"`
	CreatedAt          int64  `json:"created_at"` // unix microseconds
	IndexedAt          int64  `json:"indexed_at"` // generation: older documents of re-indexed offers are deleted
}

// sourceRow is one row of offer_search_source.
type sourceRow struct {
	ConsortiumID, OfferID, SupplierID uuid.UUID
	Status, Visibility                string
	CategoryID                        *uuid.UUID
	Brand, Title, Description         string
	Currency                          string
	Wholesale, SuggestedRetail        int64
	ShipsDirect, InWarehouse          bool
	Regions                           []string
	InStock                           bool
	SKUs, GTINs                       []string
	CreatedAt                         time.Time
}

const sourceRowSQL = `SELECT consortium_id, offer_id, supplier_id, status, visibility, category_id, brand, title,
  description, currency, wholesale, suggested_retail, ships_direct, in_warehouse, regions, in_stock, skus, gtins, created_at
FROM offer_search_source($1)`

// access is what decides visibility and price classes, per supplier and offer.
type access struct {
	categories map[uuid.UUID]string           // id → path
	required   map[uuid.UUID]bool             // supplier → agreement required
	approved   map[uuid.UUID][]string         // supplier → approved sellers
	discounts  map[uuid.UUID]map[int][]string // supplier → bps → sellers
	allowed    map[uuid.UUID][]string         // offer → allow-listed members
}

// loadAccess reads categories, supplier profiles, approved agreements and allow-lists of
// the consortium (offers nil: all allow-lists) in one round trip.
func loadAccess(ctx context.Context, tx pgx.Tx, consortiumID uuid.UUID, offers []uuid.UUID) (*access, error) {
	a := &access{categories: map[uuid.UUID]string{}, required: map[uuid.UUID]bool{}, approved: map[uuid.UUID][]string{},
		discounts: map[uuid.UUID]map[int][]string{}, allowed: map[uuid.UUID][]string{}}
	b := &pgx.Batch{}
	b.Queue(`SELECT id, path FROM categories WHERE consortium_id = $1`, consortiumID).Query(func(rows pgx.Rows) error {
		var id uuid.UUID
		var path string
		_, err := pgx.ForEachRow(rows, []any{&id, &path}, func() error { a.categories[id] = path; return nil })
		return err
	})
	b.Queue(`SELECT member_id, agreement_required FROM supplier_profiles WHERE consortium_id = $1`, consortiumID).Query(func(rows pgx.Rows) error {
		var id uuid.UUID
		var req bool
		_, err := pgx.ForEachRow(rows, []any{&id, &req}, func() error { a.required[id] = req; return nil })
		return err
	})
	b.Queue(`SELECT supplier_id, seller_id, discount_bps FROM sourcing_agreements
		WHERE consortium_id = $1 AND status = 'APPROVED' ORDER BY supplier_id, seller_id`, consortiumID).Query(func(rows pgx.Rows) error {
		var sup, seller uuid.UUID
		var bps int
		_, err := pgx.ForEachRow(rows, []any{&sup, &seller, &bps}, func() error {
			a.approved[sup] = append(a.approved[sup], seller.String())
			if bps > 0 {
				if a.discounts[sup] == nil {
					a.discounts[sup] = map[int][]string{}
				}
				a.discounts[sup][bps] = append(a.discounts[sup][bps], seller.String())
			}
			return nil
		})
		return err
	})
	allow := `SELECT offer_id, member_id FROM offer_visibility WHERE consortium_id = $1 ORDER BY offer_id, member_id`
	args := []any{consortiumID}
	if offers != nil {
		allow = `SELECT offer_id, member_id FROM offer_visibility WHERE consortium_id = $1 AND offer_id = ANY($2) ORDER BY offer_id, member_id`
		args = append(args, offers)
	}
	b.Queue(allow, args...).Query(func(rows pgx.Rows) error {
		var offer, member uuid.UUID
		_, err := pgx.ForEachRow(rows, []any{&offer, &member}, func() error {
			a.allowed[offer] = append(a.allowed[offer], member.String())
			return nil
		})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("search: load access: %w", err)
	}
	return a, nil
}

// documents turns one offer into its list document and one document per discount.
func (a *access) documents(r *sourceRow, gen int64) []meiliDoc {
	base := meiliDoc{
		OfferID: r.OfferID.String(), ConsortiumID: r.ConsortiumID.String(), SupplierID: r.SupplierID.String(),
		Status: r.Status, Visibility: r.Visibility, AllowedMemberIDs: nonNil(a.allowed[r.OfferID]),
		AgreementRequired: a.required[r.SupplierID], ApprovedSellerIDs: nonNil(a.approved[r.SupplierID]),
		ClassSellerIDs: []string{}, DiscountedSellerIDs: []string{},
		Title: r.Title, Brand: r.Brand, Description: r.Description, SKUs: nonNil(r.SKUs), GTINs: nonNil(r.GTINs),
		CategoryPaths: []string{}, FulfillmentModes: []string{}, Regions: nonNil(r.Regions), InStock: r.InStock,
		Currency: strings.TrimSpace(r.Currency), Wholesale: r.Wholesale, SuggestedRetail: r.SuggestedRetail,
		CreatedAt: r.CreatedAt.UnixMicro(), IndexedAt: gen,
	}
	if r.CategoryID != nil {
		if path, ok := a.categories[*r.CategoryID]; ok {
			base.Category = path
			for i := range path {
				if path[i] == '/' {
					base.CategoryPaths = append(base.CategoryPaths, path[:i])
				}
			}
			base.CategoryPaths = append(base.CategoryPaths, path)
		}
	}
	if r.ShipsDirect {
		base.FulfillmentModes = append(base.FulfillmentModes, string(ModeDirect))
	}
	if r.InWarehouse {
		base.FulfillmentModes = append(base.FulfillmentModes, string(ModeWarehouse))
	}
	classes := a.discounts[r.SupplierID]
	bpss := make([]int, 0, len(classes))
	for bps := range classes {
		bpss = append(bpss, bps)
	}
	sort.Ints(bpss)
	docs := make([]meiliDoc, 0, 1+len(bpss))
	list := base
	list.ID, list.PriceClass = r.OfferID.String()+"-list", classList
	for _, bps := range bpss {
		list.DiscountedSellerIDs = append(list.DiscountedSellerIDs, classes[bps]...)
	}
	sort.Strings(list.DiscountedSellerIDs)
	docs = append(docs, list.priced(0))
	for _, bps := range bpss {
		d := base
		d.ID, d.PriceClass, d.ClassSellerIDs = r.OfferID.String()+"-d"+strconv.Itoa(bps), classDiscount, classes[bps]
		docs = append(docs, d.priced(bps))
	}
	return docs
}

func (d meiliDoc) priced(bps int) meiliDoc {
	d.DiscountBps = bps
	d.EffectiveWholesale, d.Margin, d.MarginBps = marginOf(d.Wholesale, d.SuggestedRetail, bps)
	return d
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// Index implements Searcher.
func (m *Meili) Index(ctx context.Context, consortiumID uuid.UUID, offerIDs ...uuid.UUID) error {
	for len(offerIDs) > 0 {
		n := min(len(offerIDs), m.opts.BatchSize)
		if _, err := m.index(ctx, consortiumID, offerIDs[:n], false); err != nil {
			return err
		}
		offerIDs = offerIDs[n:]
	}
	return nil
}

// IndexSuppliers implements Searcher: every offer of the suppliers is re-indexed, since
// their documents carry the agreements and discounts.
func (m *Meili) IndexSuppliers(ctx context.Context, consortiumID uuid.UUID, supplierIDs ...uuid.UUID) error {
	if len(supplierIDs) == 0 {
		return nil
	}
	var offers []uuid.UUID
	err := db.InReadTx(ctx, m.pool, systemScope(consortiumID), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM offers WHERE consortium_id = $1 AND supplier_id = ANY($2)`, consortiumID, supplierIDs)
		if err != nil {
			return err
		}
		offers, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return fmt.Errorf("search: offers of suppliers: %w", err)
	}
	return m.Index(ctx, consortiumID, offers...)
}

// Reindex implements Searcher.
func (m *Meili) Reindex(ctx context.Context, consortiumID uuid.UUID) (int, error) {
	return m.index(ctx, consortiumID, nil, true)
}

// index writes the documents of the offers (all: the consortium) stamped with a new
// generation, then deletes the older documents of the same offers: documents of offers
// no longer searchable and of discount classes no longer approved go, and the index never
// lacks a document in between.
func (m *Meili) index(ctx context.Context, consortiumID uuid.UUID, offers []uuid.UUID, all bool) (int, error) {
	if !all && len(offers) == 0 {
		return 0, nil
	}
	uid := m.IndexUID(consortiumID)
	if err := m.ensureIndex(ctx, uid, all); err != nil {
		return 0, err
	}
	gen := time.Now().UnixMicro()
	ix := m.client.Index(uid)
	pk := "id"
	var tasks []int64
	count := 0
	flush := func(docs []meiliDoc) error {
		if len(docs) == 0 {
			return nil
		}
		t, err := ix.AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("meilisearch add documents: %w", err)
		}
		tasks = append(tasks, t.TaskUID)
		return nil
	}
	err := db.InReadTx(ctx, m.pool, systemScope(consortiumID), func(tx pgx.Tx) error {
		var arg any = offers
		if all {
			arg = nil
		}
		acc, err := loadAccess(ctx, tx, consortiumID, offers)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, sourceRowSQL, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		var docs []meiliDoc
		var r sourceRow
		for rows.Next() {
			if err := rows.Scan(&r.ConsortiumID, &r.OfferID, &r.SupplierID, &r.Status, &r.Visibility, &r.CategoryID,
				&r.Brand, &r.Title, &r.Description, &r.Currency, &r.Wholesale, &r.SuggestedRetail, &r.ShipsDirect,
				&r.InWarehouse, &r.Regions, &r.InStock, &r.SKUs, &r.GTINs, &r.CreatedAt); err != nil {
				return err
			}
			count++
			docs = append(docs, acc.documents(&r, gen)...)
			if len(docs) >= m.opts.BatchSize {
				if err := flush(docs); err != nil {
					return err
				}
				docs = nil
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return flush(docs)
	})
	if err != nil {
		return 0, fmt.Errorf("search: index: %w", err)
	}
	stale := fmt.Sprintf("consortium_id = %s AND indexed_at < %d", quote(consortiumID.String()), gen)
	if !all {
		stale += " AND offer_id IN " + quoteList(uuidStrings(offers))
	}
	t, err := ix.DeleteDocumentsByFilterWithContext(ctx, stale, nil)
	if err != nil {
		return 0, fmt.Errorf("meilisearch delete stale documents: %w", err)
	}
	for _, id := range append(tasks, t.TaskUID) {
		if err := m.wait(ctx, id); err != nil {
			return 0, err
		}
	}
	return count, nil
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
