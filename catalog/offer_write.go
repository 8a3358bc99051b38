package catalog

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// CreateOffer publishes a new offer, with its variants, for the caller's supplier member
// (owner, admin, staff or supplier-ops of a member that is a supplier).
func (s *Service) CreateOffer(ctx context.Context, p tenants.Principal, in OfferCreate) (*Offer, error) {
	if err := requireOfferEditor(p); err != nil {
		return nil, err
	}
	var o *Offer
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		currency, err := consortiumCurrency(ctx, tx, p.ConsortiumID)
		if err != nil {
			return err
		}
		if err := in.Validate(currency); err != nil {
			return err
		}
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "offerCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			return s.insertOffer(ctx, tx, p, &in)
		})
		if err != nil {
			return err
		}
		o, err = s.offerInTx(ctx, tx, p, id)
		return err
	})
	if db.IsUniqueViolation(err, "offers_handle_key") {
		return nil, apperr.Conflict("handle", "you already have an offer with handle %q", in.Handle)
	}
	if db.IsUniqueViolation(err, "offer_variants_sku_key") {
		return nil, apperr.Conflict("variants", "a SKU is already used by another of your variants")
	}
	return o, err
}

func (s *Service) insertOffer(ctx context.Context, tx pgx.Tx, p tenants.Principal, in *OfferCreate) (uuid.UUID, error) {
	id := uuid.New()
	if in.Handle == "" {
		in.Handle = id.String()
	}
	vfield := func(i int) string { return "variants." + itoa(i) + "." }
	catErr := checkCategory(ctx, tx, p.ConsortiumID, in.CategoryID)
	allow, listErr := memberIDsByHandle(ctx, tx, p.ConsortiumID, p.MemberID, in.AllowList)
	whs, whErr := resolveVariantWarehouses(ctx, tx, p.ConsortiumID, in.Variants, vfield)
	skuErr := checkSKUsFree(ctx, tx, p.ConsortiumID, p.MemberID, in.Variants, vfield)
	if err := errors.Join(catErr, listErr, whErr, skuErr); err != nil {
		return uuid.Nil, err
	}
	_, err := tx.Exec(ctx, `INSERT INTO offers (consortium_id, id, supplier_id, handle, title, description, brand, category_id, images, attributes, status, visibility)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ConsortiumID, id, p.MemberID, in.Handle, in.Title, in.Description, in.Brand, in.CategoryID, nonNil(in.Images), attrsJSON(in.Attributes), in.Status, in.Visibility)
	if err != nil {
		return uuid.Nil, err
	}
	if err := replaceAllowList(ctx, tx, p.ConsortiumID, id, in.Visibility, allow); err != nil {
		return uuid.Nil, err
	}
	if len(in.Variants) > 0 {
		if _, err := insertVariants(ctx, tx, p.ConsortiumID, p.MemberID, id, in.Variants, whs); err != nil {
			return uuid.Nil, err
		}
	}
	return id, s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, OfferIDs: []uuid.UUID{id}})
}

// UpdateOffer changes the set fields of one of the caller's own offers. Changes of status,
// visibility or allow-list bump the offer's version and are recorded in its change log.
func (s *Service) UpdateOffer(ctx context.Context, p tenants.Principal, id uuid.UUID, in OfferUpdate) (*Offer, error) {
	if err := requireOfferEditor(p); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var o *Offer
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		if err := requireSupplier(ctx, tx, p); err != nil {
			return err
		}
		var status, visibility string
		var allow []uuid.UUID
		var activeVariants int
		err := tx.QueryRow(ctx, `SELECT o.status, o.visibility,
			  coalesce((SELECT array_agg(member_id) FROM offer_visibility ov WHERE ov.consortium_id = o.consortium_id AND ov.offer_id = o.id), '{}'),
			  (SELECT count(*) FROM offer_variants v WHERE v.consortium_id = o.consortium_id AND v.offer_id = o.id AND v.status = 'ACTIVE')
			FROM offers o WHERE o.consortium_id = $1 AND o.id = $2 AND o.supplier_id = $3 FOR UPDATE OF o`,
			p.ConsortiumID, id, p.MemberID).Scan(&status, &visibility, &allow, &activeVariants)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("offer")
		} else if err != nil {
			return err
		}
		newStatus, newVis, newAllow := status, visibility, allow
		if in.Status != nil {
			newStatus = *in.Status
		}
		if in.Visibility != nil {
			newVis = *in.Visibility
		}
		if err := statusMove(status, newStatus, activeVariants); err != nil {
			return err
		}
		if in.AllowList != nil {
			if err := validateVisibility(newVis, true, *in.AllowList); err != nil {
				return err
			}
			if newAllow, err = memberIDsByHandle(ctx, tx, p.ConsortiumID, p.MemberID, *in.AllowList); err != nil {
				return err
			}
		}
		if newVis == VisibilityConsortium {
			newAllow = nil
		}
		if in.CategoryID != nil && *in.CategoryID != uuid.Nil {
			if err := checkCategory(ctx, tx, p.ConsortiumID, in.CategoryID); err != nil {
				return err
			}
		}
		changes := diff(offerState(status, visibility, allow), offerState(newStatus, newVis, newAllow))
		bump := 0
		if len(changes) > 0 {
			bump = 1
		}
		var images []string
		if in.Images != nil {
			images = nonNil(*in.Images)
		}
		var attrs map[string]string
		if in.Attributes != nil {
			attrs = attrsJSON(*in.Attributes)
		}
		var version int
		err = tx.QueryRow(ctx, `UPDATE offers SET title = coalesce($4, title), description = coalesce($5, description), brand = coalesce($6, brand),
			  category_id = CASE WHEN $7 THEN nullif($8::uuid, '00000000-0000-0000-0000-000000000000') ELSE category_id END,
			  images = coalesce($9, images), attributes = coalesce($10, attributes), status = $11, visibility = $12,
			  version = version + $13, updated_at = now()
			WHERE consortium_id = $1 AND id = $2 AND supplier_id = $3 RETURNING version`,
			p.ConsortiumID, id, p.MemberID, in.Title, in.Description, in.Brand, in.CategoryID != nil, in.CategoryID,
			images, attrs, newStatus, newVis, bump).Scan(&version)
		if err != nil {
			return err
		}
		if _, ok := changes["allowList"]; ok || (in.AllowList != nil) {
			if err := replaceAllowList(ctx, tx, p.ConsortiumID, id, newVis, newAllow); err != nil {
				return err
			}
		}
		if bump == 1 {
			if err := insertChange(ctx, tx, p.ConsortiumID, id, nil, p.MemberID, version, Actor(p), changes); err != nil {
				return err
			}
		}
		if err := s.offersChanged(ctx, tx, OffersChangedArgs{ConsortiumID: p.ConsortiumID, OfferIDs: []uuid.UUID{id}}); err != nil {
			return err
		}
		o, err = s.offerInTx(ctx, tx, p, id)
		return err
	})
	return o, err
}

// DiscontinueOffer marks one of the caller's offers DISCONTINUED: it stays visible to
// entitled sellers (their listings show it unavailable) but can no longer be ordered.
func (s *Service) DiscontinueOffer(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Offer, error) {
	st := StatusDiscontinued
	return s.UpdateOffer(ctx, p, id, OfferUpdate{Status: &st})
}

func (s *Service) offerInTx(ctx context.Context, tx pgx.Tx, p tenants.Principal, id uuid.UUID) (*Offer, error) {
	m := map[uuid.UUID]*Offer{}
	if err := s.offersByIDsTx(ctx, tx, viewerOf(p), []uuid.UUID{id}, m); err != nil {
		return nil, err
	}
	if m[id] == nil {
		return nil, apperr.NotFound("offer")
	}
	return m[id], nil
}

func checkCategory(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM categories WHERE consortium_id = $1 AND id = $2)`, consortium, *id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("categoryId", "no such category")
	}
	return nil
}

// memberIDsByHandle resolves an allow-list; unknown handles are errors on allowList.i.
// The supplier itself always sees its offers, so its own handle is dropped.
func memberIDsByHandle(ctx context.Context, tx pgx.Tx, consortium, self uuid.UUID, handles []string) ([]uuid.UUID, error) {
	if len(handles) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT handle, id FROM members WHERE consortium_id = $1 AND handle = ANY($2)`, consortium, handles)
	if err != nil {
		return nil, err
	}
	known := map[string]uuid.UUID{}
	for rows.Next() {
		var h string
		var id uuid.UUID
		if err := rows.Scan(&h, &id); err != nil {
			return nil, err
		}
		known[h] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var errs []error
	var out []uuid.UUID
	seen := map[uuid.UUID]bool{self: true}
	for i, h := range handles {
		id, ok := known[h]
		switch {
		case !ok:
			errs = append(errs, apperr.Invalid("allowList."+itoa(i), "unknown member %q", h))
		case !seen[id]:
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, errors.Join(errs...)
}

func replaceAllowList(ctx context.Context, tx pgx.Tx, consortium, offerID uuid.UUID, visibility string, members []uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM offer_visibility WHERE consortium_id = $1 AND offer_id = $2`, consortium, offerID); err != nil {
		return err
	}
	if visibility != VisibilityAllowList || len(members) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO offer_visibility (consortium_id, offer_id, member_id) SELECT $1, $2, unnest($3::uuid[])`, consortium, offerID, members)
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
