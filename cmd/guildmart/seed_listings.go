package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/federation"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5/pgxpool"
)

// demoShops are the demo storefronts' windows: which suppliers' offers each seller
// republishes (per collection), and its default pricing rule. The reference storefront
// at /s/{handle} shows them.
var demoShops = []struct {
	seller, storefront string
	rule               federation.Rule
	collections        []demoCollection
}{
	{"hanse-dealer", "hanse-shop", federation.Rule{Kind: federation.MarkupPercent, PercentBps: 4000, Rounding: federation.RoundCharm99, BasisQuantity: 1, ClampToFloor: true},
		[]demoCollection{
			{"workshop", "Workshop", "Tools and garden gear for the trade.", []string{"acme-tools"}, 14},
			{"home-living", "Home & living", "Kitchen, lighting and bedding from Nordic suppliers.", []string{"nordic-home"}, 12},
			{"wear", "Workwear", "Jackets, shirts and accessories.", []string{"sunrise-textiles"}, 8},
			{"outdoor", "Outdoor", "Our own range for cycling and camping.", []string{"hanse-dealer"}, 6},
		}},
	{"lily-shop", "lily", federation.Rule{Kind: federation.MarkupPercent, PercentBps: 6000, Rounding: federation.RoundWhole, BasisQuantity: 1, ClampToFloor: true},
		[]demoCollection{
			{"favourites", "Lily's favourites", "Hand-picked for the corner shop.", []string{"nordic-home", "sunrise-textiles"}, 12},
			{"gifts", "Gifts", "Small things people like to give.", []string{"hanse-dealer", "acme-tools"}, 8},
		}},
}

type demoCollection struct {
	handle, title, description string
	suppliers                  []string
	offers                     int
}

// seedListings is the demo listings' seed hook: each demo storefront republishes its
// share of the demo catalog in collections, with its own markup. Idempotent: a
// storefront with listings is left alone. It needs the demo catalog, so wire_web.go
// registers it (init functions run in file-name order, after wire_catalog.go's).
func seedListings(ctx context.Context, env *Env, owner *pgxpool.Pool, s *seeded) error {
	jc, err := jobs.New(owner, jobs.Options{}) // inserts only: jobs (webhooks, indexing) run in the app's workers
	if err != nil {
		return err
	}
	fed := federation.NewService(owner, jc)
	tsvc := tenants.NewService(owner)
	total := 0
	for _, shop := range demoShops {
		m := s.Members[shop.seller]
		if m == nil {
			continue
		}
		seller := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: s.Consortium.ID, MemberID: m.ID, Role: tenants.RoleOwner}
		sf, err := tsvc.StorefrontByHandle(ctx, seller, shop.storefront)
		if err != nil {
			return fmt.Errorf("seed listings: storefront %s: %w", shop.storefront, err)
		}
		var listed bool
		if err := owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM listings WHERE storefront_id = $1)`, sf.ID).Scan(&listed); err != nil {
			return err
		}
		if listed {
			continue
		}
		rule := shop.rule
		if _, err := fed.SetPricingRule(ctx, seller, federation.RuleTarget{Kind: federation.TargetStorefront, ID: sf.ID}, &rule); err != nil {
			return fmt.Errorf("seed listings: %s pricing rule: %w", shop.storefront, err)
		}
		for _, c := range shop.collections {
			var colID uuid.UUID
			err := owner.QueryRow(ctx, `SELECT id FROM storefront_collections WHERE storefront_id = $1 AND handle = $2`, sf.ID, c.handle).Scan(&colID)
			if err != nil { // not there yet (a run interrupted before publishing keeps it)
				col, err := fed.CreateCollection(ctx, seller, federation.CollectionCreate{StorefrontID: sf.ID, Handle: c.handle, Title: c.title, Description: c.description})
				if err != nil {
					return fmt.Errorf("seed listings: collection %s: %w", c.handle, err)
				}
				colID = col.ID
			}
			offers, err := demoOffersFor(ctx, owner, s, m.ID, sf.ID, c)
			if err != nil {
				return err
			}
			if len(offers) == 0 {
				continue
			}
			res, err := fed.PublishListings(ctx, seller, federation.BulkPublishInput{StorefrontID: sf.ID, OfferIDs: offers, CollectionID: colID})
			if err != nil {
				return fmt.Errorf("seed listings: publish into %s/%s: %w", shop.storefront, c.handle, err)
			}
			total += len(res.ListingIDs)
		}
	}
	if total > 0 {
		fmt.Fprintf(env.Stderr, "guildmart: seeded %d demo listings in %d storefronts\n", total, len(demoShops))
	}
	return nil
}

// demoOffersFor picks c.offers ACTIVE offers of c's suppliers the seller is entitled to
// and has not listed in the storefront yet, spread evenly over the suppliers and
// their categories, in a stable order (so every demo database looks the same).
func demoOffersFor(ctx context.Context, owner *pgxpool.Pool, s *seeded, seller, storefront uuid.UUID, c demoCollection) ([]uuid.UUID, error) {
	var suppliers []uuid.UUID
	for _, h := range c.suppliers {
		if m := s.Members[h]; m != nil {
			suppliers = append(suppliers, m.ID)
		}
	}
	rows, err := owner.Query(ctx, `
		SELECT id FROM (
			SELECT o.id, row_number() OVER (PARTITION BY o.supplier_id, o.category_id ORDER BY o.handle) AS rn, o.supplier_id, o.category_id, o.handle
			FROM offers o
			WHERE o.consortium_id = $1 AND o.supplier_id = ANY ($2) AND o.status = 'ACTIVE'
			  AND offer_entitled(o.consortium_id, o.id, o.supplier_id, o.status, o.visibility, $3)
			  AND EXISTS (SELECT 1 FROM offer_variants v WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id AND v.status = 'ACTIVE')
			  AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.storefront_id = $4 AND l.offer_id = o.id)
		) x ORDER BY rn, supplier_id, category_id, handle LIMIT $5`,
		s.Consortium.ID, suppliers, seller, storefront, c.offers)
	if err != nil {
		return nil, fmt.Errorf("seed listings: pick offers: %w", err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
