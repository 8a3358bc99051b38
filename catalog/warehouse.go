package catalog

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Warehouse is a consortium warehouse that holds suppliers' consigned stock.
type Warehouse struct {
	ID            uuid.UUID
	Handle        string
	Name          string
	Latitude      float64
	Longitude     float64
	Region        string
	RegionsServed []string
	HandlingDays  int
	Status        string
	CreatedAt     time.Time
}

// WarehouseCreate is the input of CreateWarehouse.
type WarehouseCreate struct {
	Handle        string
	Name          string
	Latitude      float64
	Longitude     float64
	Region        string
	RegionsServed []string
	HandlingDays  int
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

// Validate checks the input.
func (in WarehouseCreate) Validate() error {
	errs := []error{tenants.ValidateHandle("handle", in.Handle), tenants.ValidateName("name", in.Name)}
	if in.Latitude < -90 || in.Latitude > 90 || in.Latitude != in.Latitude {
		errs = append(errs, apperr.Invalid("latitude", "must be between -90 and 90"))
	}
	if in.Longitude < -180 || in.Longitude > 180 || in.Longitude != in.Longitude {
		errs = append(errs, apperr.Invalid("longitude", "must be between -180 and 180"))
	}
	if !ValidRegion(in.Region) {
		errs = append(errs, apperr.Invalid("region", "must be a region code such as DE or DE-BY"))
	}
	for i, r := range in.RegionsServed {
		if !ValidRegion(r) {
			errs = append(errs, apperr.Invalid("regionsServed."+itoa(i), "must be a region code such as DE or DE-BY"))
		}
	}
	if in.HandlingDays < 0 || in.HandlingDays > 60 {
		errs = append(errs, apperr.Invalid("handlingDays", "must be between 0 and 60"))
	}
	return errors.Join(errs...)
}

const warehouseCols = `id, handle, name, latitude, longitude, region, regions_served, handling_days, status, created_at`

func scanWarehouse(row pgx.Row) (*Warehouse, error) {
	var w Warehouse
	err := row.Scan(&w.ID, &w.Handle, &w.Name, &w.Latitude, &w.Longitude, &w.Region, &w.RegionsServed, &w.HandlingDays, &w.Status, &w.CreatedAt)
	return &w, err
}

// CreateWarehouse adds a consortium warehouse (operator only). Without RegionsServed it
// serves its own region.
func (s *Service) CreateWarehouse(ctx context.Context, p tenants.Principal, in WarehouseCreate) (*Warehouse, error) {
	if err := p.RequireOperator(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if len(in.RegionsServed) == 0 {
		in.RegionsServed = []string{in.Region}
	}
	var w *Warehouse
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "warehouseCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			var id uuid.UUID
			err := tx.QueryRow(ctx, `INSERT INTO warehouses (consortium_id, handle, name, latitude, longitude, region, regions_served, handling_days)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				p.ConsortiumID, in.Handle, strings.TrimSpace(in.Name), in.Latitude, in.Longitude, in.Region, in.RegionsServed, in.HandlingDays).Scan(&id)
			return id, err
		})
		if err != nil {
			return err
		}
		w, err = scanWarehouse(tx.QueryRow(ctx, `SELECT `+warehouseCols+` FROM warehouses WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, id))
		return err
	})
	if db.IsUniqueViolation(err, "warehouses_handle_key") {
		return nil, apperr.Conflict("handle", "a warehouse with handle %q exists", in.Handle)
	}
	return w, err
}

// Warehouses lists the consortium's warehouses by handle (every party of the consortium
// may see them: suppliers consign to them, sellers see where goods ship from).
func (s *Service) Warehouses(ctx context.Context, p tenants.Principal) ([]*Warehouse, error) {
	return readAll(ctx, s.pool, p, `SELECT `+warehouseCols+` FROM warehouses WHERE consortium_id = $1 ORDER BY handle`,
		[]any{p.ConsortiumID}, func(r pgx.CollectableRow) (*Warehouse, error) { return scanWarehouse(r) })
}

// WarehouseByID returns one warehouse of the caller's consortium.
func (s *Service) WarehouseByID(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Warehouse, error) {
	ws, err := s.WarehousesByIDs(ctx, p, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if ws[0] == nil {
		return nil, apperr.NotFound("warehouse")
	}
	return ws[0], nil
}

// WarehousesByIDs returns the warehouses among ids in ids' order (nil where unknown).
func (s *Service) WarehousesByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Warehouse, error) {
	byID := map[uuid.UUID]*Warehouse{}
	ws, err := readAll(ctx, s.pool, p, `SELECT `+warehouseCols+` FROM warehouses WHERE consortium_id = $1 AND id = ANY($2)`,
		[]any{p.ConsortiumID, ids}, func(r pgx.CollectableRow) (*Warehouse, error) { return scanWarehouse(r) })
	for _, w := range ws {
		byID[w.ID] = w
	}
	out := make([]*Warehouse, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// warehouseIDsByHandle returns the ids of the consortium's ACTIVE warehouses among
// handles, in one statement; unknown and closed handles are absent.
func warehouseIDsByHandle(ctx context.Context, tx pgx.Tx, consortium uuid.UUID, handles []string) (map[string]uuid.UUID, error) {
	known := map[string]uuid.UUID{}
	if len(handles) == 0 {
		return known, nil
	}
	rows, err := tx.Query(ctx, `SELECT handle, id FROM warehouses WHERE consortium_id = $1 AND handle = ANY($2) AND status = 'ACTIVE'`, consortium, handles)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var h string
		var id uuid.UUID
		if err := rows.Scan(&h, &id); err != nil {
			return nil, err
		}
		known[h] = id
	}
	return known, rows.Err()
}
