package catalog

import (
	"context"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// offerSelect reads offers the viewer ($1 consortium, $2 role, $3 member) may see; the
// allow-list is shown only to the supplier and the operator.
const offerSelect = `SELECT o.id, o.consortium_id, o.supplier_id, o.handle, o.title, o.description, o.brand, o.category_id,
	o.images, o.attributes, o.status, o.visibility,
	CASE WHEN $2::text IN ('operator', 'system') OR o.supplier_id = $3::uuid THEN coalesce((SELECT array_agg(ov.member_id ORDER BY ov.member_id)
	  FROM offer_visibility ov WHERE ov.consortium_id = o.consortium_id AND ov.offer_id = o.id), '{}') END,
	o.version, o.created_at, o.updated_at
	FROM offers o WHERE ` + offerVisibleSQL

func scanOffer(row pgx.Row) (*Offer, error) {
	var o Offer
	var attrs map[string]string
	err := row.Scan(&o.ID, &o.ConsortiumID, &o.SupplierID, &o.Handle, &o.Title, &o.Description, &o.Brand, &o.CategoryID,
		&o.Images, &attrs, &o.Status, &o.Visibility, &o.AllowList, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	o.Attributes = attrsFrom(attrs)
	return &o, err
}

func collectOffers(rows pgx.Rows, err error) ([]*Offer, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Offer, error) { return scanOffer(r) })
}

// OfferByID returns an offer the caller may see; NotFound otherwise (whether it exists
// is not revealed).
func (s *Service) OfferByID(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Offer, error) {
	os, err := s.OffersByIDs(ctx, p, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if os[0] == nil {
		return nil, apperr.NotFound("offer")
	}
	return os[0], nil
}

// OffersByIDs returns the offers among ids in ids' order, nil where the caller may not
// see one: the batch function of the offer loader, one statement for the whole batch.
func (s *Service) OffersByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Offer, error) {
	out := make([]*Offer, len(ids))
	byID := map[uuid.UUID]*Offer{}
	v := viewerOf(p)
	os, err := readAll(ctx, s.pool, p, offerSelect+` AND o.id = ANY($4)`, v.args(ids), func(r pgx.CollectableRow) (*Offer, error) { return scanOffer(r) })
	for _, o := range os {
		byID[o.ID] = o
	}
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

func (s *Service) offersByIDsTx(ctx context.Context, tx pgx.Tx, v viewer, ids []uuid.UUID, into map[uuid.UUID]*Offer) error {
	os, err := collectOffers(tx.Query(ctx, offerSelect+` AND o.id = ANY($4)`, v.args(ids)...))
	for _, o := range os {
		into[o.ID] = o
	}
	return err
}

// OfferFilter narrows Offers.
type OfferFilter struct {
	SupplierID uuid.UUID // uuid.Nil: the caller's own offers
	Status     string    // "" for all
	tenants.Page
}

// Offers lists one supplier's offers by handle, a page at a time: for a supplier its own
// offers in full; for anyone else only those it is entitled to see.
func (s *Service) Offers(ctx context.Context, p tenants.Principal, f OfferFilter) (os []*Offer, hasNext bool, err error) {
	if f.SupplierID == uuid.Nil {
		if p.Kind != tenants.KindMember {
			return nil, false, apperr.Invalid("supplierId", "name the supplier whose offers to list")
		}
		f.SupplierID = p.MemberID
	}
	if f.Status != "" && !oneOf(f.Status, StatusDraft, StatusActive, StatusDiscontinued) {
		return nil, false, apperr.Invalid("status", "must be one of DRAFT, ACTIVE, DISCONTINUED")
	}
	after := ""
	if f.After != "" {
		parts, err := decodeCursor(f.After, 1)
		if err != nil {
			return nil, false, err
		}
		after = parts[0]
	}
	limit := f.Limit()
	v := viewerOf(p)
	os, err = readAll(ctx, s.pool, p, offerSelect+` AND o.supplier_id = $4 AND o.handle > $5 AND ($6 = '' OR o.status = $6)
		ORDER BY o.handle LIMIT $7`, v.args(f.SupplierID, after, f.Status, limit+1), func(r pgx.CollectableRow) (*Offer, error) { return scanOffer(r) })
	if len(os) > limit {
		os, hasNext = os[:limit], true
	}
	return os, hasNext, err
}
