package fulfillment

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// SetSupplierSLA sets how many hours the calling supplier has to accept or reject a
// drop-ship order (new orders only; 1–720).
func (s *Service) SetSupplierSLA(ctx context.Context, p tenants.Principal, hours int) (int, error) {
	if !p.Allows(tenants.FamilySupplierSettings) {
		return 0, apperr.Forbidden("only a supplier's owner or admin sets its fulfilment SLA")
	}
	if hours < 1 || hours > 720 {
		return 0, apperr.Invalid("slaHours", "must be between 1 and 720")
	}
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO supplier_fulfillment_settings (consortium_id, member_id, sla_hours) VALUES ($1, $2, $3)
			ON CONFLICT (consortium_id, member_id) DO UPDATE SET sla_hours = EXCLUDED.sla_hours, updated_at = now()`,
			p.ConsortiumID, p.MemberID, hours)
		return err
	})
	return hours, err
}

// SupplierSLA returns the calling supplier's SLA in hours (the default when unset).
func (s *Service) SupplierSLA(ctx context.Context, p tenants.Principal) (int, error) {
	hours := s.cfg.SLAHours
	if p.Kind != tenants.KindMember {
		return hours, nil
	}
	err := readBatch(ctx, s.pool, p.Scope(), uuid.Nil, func(b *pgx.Batch) {
		b.Queue(`SELECT sla_hours FROM supplier_fulfillment_settings WHERE consortium_id = $1 AND member_id = $2`, p.ConsortiumID, p.MemberID).
			Query(func(rows pgx.Rows) error {
				for rows.Next() {
					if err := rows.Scan(&hours); err != nil {
						return err
					}
				}
				return rows.Err()
			})
	})
	return hours, err
}

// slaBatch is how many overdue orders one run of the SLA job takes on.
const slaBatch = 200

// EscalateOverdue treats every supplier order still NEW after its SLA as rejected by
// the supplier: its lines are rerouted to warehouses holding stock or cancelled, and the
// supplier is told (fulfillment_order.cancelled). Each order in its own transaction, in
// its consortium's system scope. It returns how many orders it escalated.
func (s *Service) EscalateOverdue(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT consortium_id, fulfillment_order_id FROM gm_fulfillment_overdue($1)`, slaBatch)
	if err != nil {
		return 0, err
	}
	type due struct{ consortium, fo uuid.UUID }
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.consortium, &d.fo); err != nil {
			return 0, err
		}
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		done, err := s.escalate(ctx, d.consortium, d.fo)
		if err != nil {
			return n, fmt.Errorf("escalate fulfillment order %s: %w", d.fo, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (s *Service) escalate(ctx context.Context, consortium, id uuid.UUID) (bool, error) {
	done := false
	var deliveries []uuid.UUID
	err := inTx(ctx, s.pool, systemScope(consortium), uuid.Nil, func(tx pgx.Tx) error {
		f, err := lockFO(ctx, tx, `f.consortium_id = $1 AND f.kind = 'SUPPLIER' AND f.status = 'NEW' AND f.sla_due_at < now()`, []any{consortium}, id)
		if apperr.Code(err) == apperr.ENOTFOUND {
			return nil // answered or escalated meanwhile
		}
		if err != nil {
			return err
		}
		lines, err := pickLines(f, nil)
		if err != nil {
			return nil
		}
		why := "no answer from the supplier within its SLA"
		if err := removeLines(ctx, tx, f, lines, "REJECTED", why); err != nil {
			return err
		}
		if err := s.reroute(ctx, tx, consortium, f, lines, why, "system:sla"); err != nil {
			return err
		}
		cur, err := reloadFO(ctx, tx, f)
		if err != nil {
			return err
		}
		if deliveries, err = emitFOEvent(ctx, tx, cur, "fulfillment_order.cancelled"); err != nil {
			return err
		}
		done = true
		return s.enqueueDeliveries(ctx, tx, consortium, deliveries)
	})
	return done, err
}
