package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// OfferChange is one recorded change that matters to listings: who made it, when, and
// each changed field's old and new value (JSON; prices in minor units). VariantID is nil
// for offer-level changes (status, visibility, allow-list); Version is the offer's or
// the variant's version after the change.
type OfferChange struct {
	ID         int64
	OfferID    uuid.UUID
	VariantID  *uuid.UUID
	SupplierID uuid.UUID
	Version    int
	Actor      string
	Changes    map[string]FieldChange
	ChangedAt  time.Time
}

// FieldChange is a field's value before and after (JSON null when absent).
type FieldChange struct {
	Old json.RawMessage `json:"old"`
	New json.RawMessage `json:"new"`
}

// Fields returns the changed field names, sorted.
func (c *OfferChange) Fields() []string {
	out := make([]string, 0, len(c.Changes))
	for f := range c.Changes {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Cursor is the change's position in its offer's history.
func (c *OfferChange) Cursor() string { return int64Cursor(c.ID) }

// state is a snapshot of the fields that matter to listings, keyed by API field name.
type state map[string]any

func offerState(status, visibility string, allowList []uuid.UUID) state {
	list := append([]uuid.UUID{}, allowList...)
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i][:], list[j][:]) < 0 })
	if visibility != VisibilityAllowList {
		list = nil
	}
	return state{"status": status, "visibility": visibility, "allowList": list}
}

func variantState(status string, in VariantCreate) state {
	tiers := make([][2]int64, len(in.Prices.Tiers))
	for i, t := range in.Prices.Tiers {
		tiers[i] = [2]int64{int64(t.MinQuantity), t.Price}
	}
	return state{
		"status":               status,
		"currency":             in.Currency,
		"wholesalePrice":       in.Prices.Wholesale,
		"priceTiers":           tiers,
		"suggestedRetailPrice": in.Prices.SuggestedRetail,
		"minimumResalePrice":   in.Prices.MinimumResale,
		"availability":         in.Availability,
		"quantity":             in.Quantity,
		"leadTimeDays":         in.LeadTimeDays,
	}
}

// diff returns the fields whose JSON differs between before and after (before nil: all
// of after, with null old values, as for a new variant).
func diff(before, after state) map[string]FieldChange {
	out := map[string]FieldChange{}
	for k, nv := range after {
		n, _ := json.Marshal(nv)
		o := json.RawMessage("null")
		if before != nil {
			o, _ = json.Marshal(before[k])
		}
		if !bytes.Equal(o, n) {
			out[k] = FieldChange{Old: o, New: n}
		}
	}
	return out
}

func insertChange(ctx context.Context, tx pgx.Tx, consortium, offerID uuid.UUID, variantID *uuid.UUID, supplier uuid.UUID, version int, actor string, changes map[string]FieldChange) error {
	_, err := tx.Exec(ctx, `INSERT INTO offer_changes (consortium_id, offer_id, variant_id, supplier_id, version, actor, changes)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, consortium, offerID, variantID, supplier, version, actor, changes)
	return err
}

// OfferChanges returns an offer's change log, oldest first, a page at a time. Only the
// supplier of the offer and the operator read it: it holds list prices, which a seller
// with a negotiated discount does not see.
func (s *Service) OfferChanges(ctx context.Context, p tenants.Principal, offerID uuid.UUID, pg tenants.Page) (cs []*OfferChange, hasNext bool, err error) {
	var after int64
	if pg.After != "" {
		if after, err = parseInt64Cursor(pg.After); err != nil {
			return nil, false, err
		}
	}
	limit := pg.Limit()
	v := viewerOf(p)
	// One statement: the offer row exists when the caller may read its log; its changes
	// hang off it (a NULL change id means "no changes on this page").
	found := false
	rows, err := readAll(ctx, s.pool, p, `SELECT c.id, c.offer_id, c.variant_id, c.supplier_id, c.version, c.actor, c.changes, c.changed_at
		FROM offers o LEFT JOIN LATERAL (
		  SELECT * FROM offer_changes c WHERE c.consortium_id = o.consortium_id AND c.offer_id = o.id AND c.id > $5
		  ORDER BY c.id LIMIT $6) c ON true
		WHERE o.id = $4 AND `+offerVisibleSQL+` AND ($2::text IN ('operator', 'system') OR o.supplier_id = $3::uuid)
		ORDER BY c.id`, v.args(offerID, after, limit+1), func(r pgx.CollectableRow) (*OfferChange, error) {
		var c OfferChange
		var id *int64
		var offer, supplier *uuid.UUID
		var version *int
		var actor *string
		var changed *time.Time
		err := r.Scan(&id, &offer, &c.VariantID, &supplier, &version, &actor, &c.Changes, &changed)
		found = true
		if err != nil || id == nil {
			return nil, err
		}
		c.ID, c.OfferID, c.SupplierID, c.Version, c.Actor, c.ChangedAt = *id, *offer, *supplier, *version, *actor, *changed
		return &c, nil
	})
	if err != nil {
		return nil, false, err
	}
	if !found {
		return nil, false, apperr.NotFound("offer")
	}
	for _, c := range rows {
		if c != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) > limit {
		cs, hasNext = cs[:limit], true
	}
	return cs, hasNext, err
}
