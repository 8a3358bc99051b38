package fulfillment

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Stock is a variant's stock in a warehouse: suppliers' consigned goods, run by the
// operator. Available = OnHand − Reserved is what checkouts can still reserve.
type Stock struct {
	WarehouseID uuid.UUID
	VariantID   uuid.UUID
	SupplierID  uuid.UUID
	SKU         string
	OnHand      int
	Reserved    int
	UpdatedAt   time.Time
}

// Available is what can still be reserved.
func (s *Stock) Available() int { return s.OnHand - s.Reserved }

// StockMovement is one change of stock.
type StockMovement struct {
	ID                 uuid.UUID
	WarehouseID        uuid.UUID
	VariantID          uuid.UUID
	Kind               string // RECEIPT, ADJUSTMENT, RESERVATION, RELEASE, SHIPMENT
	OnHandDelta        int
	ReservedDelta      int
	Reason             string
	Reference          string
	FulfillmentOrderID uuid.UUID
	Actor              string
	CreatedAt          time.Time
}

// StockReceipt is an inbound receipt of consigned goods.
type StockReceipt struct {
	WarehouseID    uuid.UUID
	VariantID      uuid.UUID
	Quantity       int
	Reference      string // e.g. the supplier's delivery note
	IdempotencyKey string
}

// StockAdjustment corrects on-hand stock (count, damage, loss) with a reason.
type StockAdjustment struct {
	WarehouseID uuid.UUID
	VariantID   uuid.UUID
	Delta       int
	Reason      string
}

// MaxStockQuantity bounds one receipt or adjustment.
const MaxStockQuantity = 1_000_000_000

const stockCols = `s.warehouse_id, s.variant_id, s.supplier_id, v.sku, s.on_hand, s.reserved, s.updated_at`

func scanStock(row pgx.Row) (*Stock, error) {
	var s Stock
	err := row.Scan(&s.WarehouseID, &s.VariantID, &s.SupplierID, &s.SKU, &s.OnHand, &s.Reserved, &s.UpdatedAt)
	return &s, err
}

func readStock(ctx context.Context, tx pgx.Tx, consortium, warehouse, variant uuid.UUID) (*Stock, error) {
	return scanStock(tx.QueryRow(ctx, `SELECT `+stockCols+` FROM warehouse_stock s
		JOIN offer_variants v ON v.consortium_id = s.consortium_id AND v.id = s.variant_id
		WHERE s.consortium_id = $1 AND s.warehouse_id = $2 AND s.variant_id = $3`, consortium, warehouse, variant))
}

// stockVariant checks the warehouse is an active one of p's consortium and the variant
// one p may stock (the operator: any; a supplier: its own), returning its supplier.
func stockVariant(ctx context.Context, tx pgx.Tx, p tenants.Principal, warehouse, variant uuid.UUID) (uuid.UUID, error) {
	var supplier *uuid.UUID
	var whOK bool
	err := tx.QueryRow(ctx, `SELECT (SELECT supplier_id FROM offer_variants WHERE consortium_id = $1 AND id = $2),
		EXISTS (SELECT 1 FROM warehouses WHERE consortium_id = $1 AND id = $3 AND status = 'ACTIVE')`, p.ConsortiumID, variant, warehouse).
		Scan(&supplier, &whOK)
	if err != nil {
		return uuid.Nil, err
	}
	var errs []error
	if !whOK {
		errs = append(errs, apperr.Invalid("warehouseId", "is not an active warehouse of the consortium"))
	}
	if supplier == nil || (p.Kind == tenants.KindMember && *supplier != p.MemberID) {
		errs = append(errs, apperr.Invalid("variantId", "is not a variant you can stock"))
	}
	if len(errs) > 0 {
		return uuid.Nil, errors.Join(errs...)
	}
	return *supplier, nil
}

// ReceiveStock books an inbound receipt: a supplier consigning its goods, or the
// operator receiving them. The same idempotency key books it once.
func (s *Service) ReceiveStock(ctx context.Context, p tenants.Principal, in StockReceipt) (*Stock, error) {
	if err := p.Require(tenants.FamilyFulfilment); err != nil {
		return nil, err
	}
	var errs []error
	if in.Quantity < 1 || in.Quantity > MaxStockQuantity {
		errs = append(errs, apperr.Invalid("quantity", "must be between 1 and %d", MaxStockQuantity))
	}
	if len(in.Reference) > 200 {
		errs = append(errs, apperr.Invalid("reference", "must be at most 200 characters"))
	}
	if len(in.IdempotencyKey) > 200 {
		errs = append(errs, apperr.Invalid("idempotencyKey", "must be at most 200 characters"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var st *Stock
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		supplier, err := stockVariant(ctx, tx, p, in.WarehouseID, in.VariantID)
		if err != nil {
			return err
		}
		_, _, err = db.Idempotent(ctx, tx, p.Scope(), "stockReceive", in.IdempotencyKey, func() (uuid.UUID, error) {
			var id uuid.UUID
			err := tx.QueryRow(ctx, `WITH up AS (
					INSERT INTO warehouse_stock (consortium_id, warehouse_id, variant_id, supplier_id, on_hand) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (consortium_id, warehouse_id, variant_id) DO UPDATE SET on_hand = warehouse_stock.on_hand + EXCLUDED.on_hand,
						updated_at = now()
					RETURNING 1)
				INSERT INTO stock_movements (consortium_id, warehouse_id, variant_id, supplier_id, kind, on_hand_delta, reference, actor)
				SELECT $1, $2, $3, $4, 'RECEIPT', $5, $6, $7 FROM up RETURNING id`,
				p.ConsortiumID, in.WarehouseID, in.VariantID, supplier, in.Quantity, in.Reference, actor(p)).Scan(&id)
			return id, err
		})
		if err != nil {
			return err
		}
		st, err = readStock(ctx, tx, p.ConsortiumID, in.WarehouseID, in.VariantID)
		return err
	})
	return st, err
}

// AdjustStock changes on-hand stock by delta with a reason (operator only). Stock never
// goes under what is reserved.
func (s *Service) AdjustStock(ctx context.Context, p tenants.Principal, in StockAdjustment) (*Stock, error) {
	if err := p.RequireOperator(); err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	var errs []error
	if in.Delta == 0 || in.Delta > MaxStockQuantity || in.Delta < -MaxStockQuantity {
		errs = append(errs, apperr.Invalid("delta", "must be a non-zero change of at most %d units", MaxStockQuantity))
	}
	if in.Reason == "" || len(in.Reason) > 500 {
		errs = append(errs, apperr.Invalid("reason", "must be 1–500 characters"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var st *Stock
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		supplier, err := stockVariant(ctx, tx, p, in.WarehouseID, in.VariantID)
		if err != nil {
			return err
		}
		var onHand, reserved int
		err = tx.QueryRow(ctx, `SELECT on_hand, reserved FROM warehouse_stock WHERE consortium_id = $1 AND warehouse_id = $2 AND variant_id = $3
			FOR UPDATE`, p.ConsortiumID, in.WarehouseID, in.VariantID).Scan(&onHand, &reserved)
		exists := err == nil
		if err != nil && err != pgx.ErrNoRows {
			return err
		}
		if onHand+in.Delta < reserved {
			return apperr.Conflict("delta", "would leave %d on hand with %d reserved", onHand+in.Delta, reserved)
		}
		change := `INSERT INTO warehouse_stock (consortium_id, warehouse_id, variant_id, supplier_id, on_hand) VALUES ($1, $2, $3, $4, $5) RETURNING 1`
		if exists {
			change = `UPDATE warehouse_stock SET on_hand = on_hand + $5, updated_at = now()
				WHERE consortium_id = $1 AND warehouse_id = $2 AND variant_id = $3 AND supplier_id = $4 RETURNING 1`
		}
		if _, err := tx.Exec(ctx, `WITH up AS (`+change+`)
			INSERT INTO stock_movements (consortium_id, warehouse_id, variant_id, supplier_id, kind, on_hand_delta, reason, actor)
			SELECT $1, $2, $3, $4, 'ADJUSTMENT', $5, $6, $7 FROM up`,
			p.ConsortiumID, in.WarehouseID, in.VariantID, supplier, in.Delta, in.Reason, actor(p)); err != nil {
			return err
		}
		st, err = readStock(ctx, tx, p.ConsortiumID, in.WarehouseID, in.VariantID)
		return err
	})
	if db.IsCheckViolation(err) {
		return nil, apperr.Conflict("delta", "would take stock under what is reserved")
	}
	return st, err
}

// StockFilter selects stock rows: the operator's of every warehouse, a supplier's own.
type StockFilter struct {
	WarehouseID uuid.UUID
	VariantID   uuid.UUID
	First       int
	After       string // opaque: the previous page's last row
}

// StockPage is a page of stock rows by warehouse then SKU.
type StockPage struct {
	Stock   []*Stock
	Cursors []string
	HasNext bool
}

// StockLevels lists stock p may see (the operator: all; a supplier: its own goods).
func (s *Service) StockLevels(ctx context.Context, p tenants.Principal, f StockFilter) (*StockPage, error) {
	page := &StockPage{}
	if !p.IsOperator() && p.Kind != tenants.KindMember {
		return page, nil
	}
	aw, av, err := parseStockCursor(f.After)
	if err != nil {
		return nil, err
	}
	var member *uuid.UUID
	if p.Kind == tenants.KindMember {
		member = &p.MemberID
	}
	limit := pageSize(f.First)
	err = readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT `+stockCols+` FROM warehouse_stock s JOIN offer_variants v ON v.consortium_id = s.consortium_id AND v.id = s.variant_id
			WHERE s.consortium_id = $1 AND ($2::uuid IS NULL OR s.supplier_id = $2)
			  AND ($3::uuid IS NULL OR s.warehouse_id = $3) AND ($4::uuid IS NULL OR s.variant_id = $4)
			  AND ($6::uuid IS NULL OR (s.warehouse_id, s.variant_id) > ($5, $6))
			ORDER BY s.warehouse_id, s.variant_id LIMIT $7`,
			p.ConsortiumID, member, nilIfZero(f.WarehouseID), nilIfZero(f.VariantID), aw, av, limit+1).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				st, err := scanStock(rows)
				if err != nil {
					return err
				}
				page.Stock = append(page.Stock, st)
			}
			return rows.Err()
		})
	})
	if len(page.Stock) > limit {
		page.Stock, page.HasNext = page.Stock[:limit], true
	}
	for _, st := range page.Stock {
		page.Cursors = append(page.Cursors, stockCursor(st))
	}
	return page, err
}

// Stock cursors are the keyset (warehouse, variant) of the previous page's last row.
func stockCursor(st *Stock) string {
	return base64.RawURLEncoding.EncodeToString([]byte(st.WarehouseID.String() + ":" + st.VariantID.String()))
}

func parseStockCursor(c string) (*uuid.UUID, *uuid.UUID, error) {
	if c == "" {
		return nil, nil, nil
	}
	bad := apperr.Invalid("after", "is not a valid cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, nil, bad
	}
	ws, vs, ok := strings.Cut(string(b), ":")
	w, err1 := uuid.Parse(ws)
	v, err2 := uuid.Parse(vs)
	if !ok || err1 != nil || err2 != nil {
		return nil, nil, bad
	}
	return &w, &v, nil
}

// StockMovements lists the movements of one warehouse's variant, newest first (the
// operator, or the goods' supplier).
func (s *Service) StockMovements(ctx context.Context, p tenants.Principal, warehouse, variant uuid.UUID, first int) ([]*StockMovement, error) {
	var out []*StockMovement
	if !p.IsOperator() && p.Kind != tenants.KindMember {
		return out, nil
	}
	var member *uuid.UUID
	if p.Kind == tenants.KindMember {
		member = &p.MemberID
	}
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT id, warehouse_id, variant_id, kind, on_hand_delta, reserved_delta, reason, reference, fulfillment_order_id, actor, created_at
			FROM stock_movements WHERE consortium_id = $1 AND warehouse_id = $2 AND variant_id = $3 AND ($4::uuid IS NULL OR supplier_id = $4)
			ORDER BY created_at DESC, id DESC LIMIT $5`, p.ConsortiumID, warehouse, variant, member, pageSize(first)).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var m StockMovement
				var fo *uuid.UUID
				if err := rows.Scan(&m.ID, &m.WarehouseID, &m.VariantID, &m.Kind, &m.OnHandDelta, &m.ReservedDelta, &m.Reason, &m.Reference,
					&fo, &m.Actor, &m.CreatedAt); err != nil {
					return err
				}
				m.FulfillmentOrderID = orNil(fo)
				out = append(out, &m)
			}
			return rows.Err()
		})
	})
	return out, err
}
