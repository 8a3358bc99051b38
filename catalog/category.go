package catalog

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

// Category is a node of the consortium's category tree. Path is the chain of handles
// from the root ("home/kitchen/knives"), so a subtree is a path prefix.
type Category struct {
	ID        uuid.UUID
	ParentID  *uuid.UUID
	Handle    string
	Name      string
	Path      string
	CreatedAt time.Time
}

// Depth is 0 for a root category.
func (c *Category) Depth() int { return strings.Count(c.Path, "/") }

// CategoryCreate is the input of CreateCategory.
type CategoryCreate struct {
	ParentID *uuid.UUID // nil for a root
	Handle   string
	Name     string
	// IdempotencyKey, when set, makes a retry return the first result.
	IdempotencyKey string
}

var categoryHandleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// MaxCategoryDepth bounds the tree (path depth 0..MaxCategoryDepth-1).
const MaxCategoryDepth = 8

// Validate checks the input.
func (in CategoryCreate) Validate() error {
	var errs []error
	if !categoryHandleRE.MatchString(in.Handle) {
		errs = append(errs, apperr.Invalid("handle", "must be 1–63 lowercase letters, digits or dashes"))
	}
	errs = append(errs, tenants.ValidateName("name", in.Name))
	return errors.Join(errs...)
}

const categoryCols = `id, parent_id, handle, name, path, created_at`

func scanCategory(row pgx.Row) (*Category, error) {
	var c Category
	err := row.Scan(&c.ID, &c.ParentID, &c.Handle, &c.Name, &c.Path, &c.CreatedAt)
	return &c, err
}

// CreateCategory adds a category under ParentID (operator only).
func (s *Service) CreateCategory(ctx context.Context, p tenants.Principal, in CategoryCreate) (*Category, error) {
	if err := p.RequireOperator(); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	var c *Category
	err := db.InTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		path := in.Handle
		if in.ParentID != nil {
			var parentPath string
			err := tx.QueryRow(ctx, `SELECT path FROM categories WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, *in.ParentID).Scan(&parentPath)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.Invalid("parentId", "no such category")
			} else if err != nil {
				return err
			}
			if strings.Count(parentPath, "/")+1 >= MaxCategoryDepth {
				return apperr.Invalid("parentId", "categories nest at most %d levels", MaxCategoryDepth)
			}
			path = parentPath + "/" + in.Handle
		}
		id, _, err := db.Idempotent(ctx, tx, p.Scope(), "categoryCreate", in.IdempotencyKey, func() (uuid.UUID, error) {
			var id uuid.UUID
			err := tx.QueryRow(ctx, `INSERT INTO categories (consortium_id, parent_id, handle, name, path)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.ConsortiumID, in.ParentID, in.Handle, in.Name, path).Scan(&id)
			return id, err
		})
		if err != nil {
			return err
		}
		c, err = scanCategory(tx.QueryRow(ctx, `SELECT `+categoryCols+` FROM categories WHERE consortium_id = $1 AND id = $2`, p.ConsortiumID, id))
		return err
	})
	if db.IsUniqueViolation(err, "categories_path_key") {
		return nil, apperr.Conflict("handle", "a category %q exists at this place in the tree", in.Handle)
	}
	return c, err
}

// Categories returns the whole tree in path order (parents before children): trees are
// small and clients render them whole.
func (s *Service) Categories(ctx context.Context, p tenants.Principal) ([]*Category, error) {
	return readAll(ctx, s.pool, p, `SELECT `+categoryCols+` FROM categories WHERE consortium_id = $1 ORDER BY path`,
		[]any{p.ConsortiumID}, func(r pgx.CollectableRow) (*Category, error) { return scanCategory(r) })
}

// CategoriesByIDs returns the categories among ids, in ids' order (nil where unknown):
// the batch function of the category loader.
func (s *Service) CategoriesByIDs(ctx context.Context, p tenants.Principal, ids []uuid.UUID) ([]*Category, error) {
	byID := map[uuid.UUID]*Category{}
	cs, err := readAll(ctx, s.pool, p, `SELECT `+categoryCols+` FROM categories WHERE consortium_id = $1 AND id = ANY($2)`,
		[]any{p.ConsortiumID, ids}, func(r pgx.CollectableRow) (*Category, error) { return scanCategory(r) })
	for _, c := range cs {
		byID[c.ID] = c
	}
	out := make([]*Category, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, err
}

// CategoryChildren returns the direct children of each parent in parentIDs, in
// parentIDs' order: the batch function of Category.children.
func (s *Service) CategoryChildren(ctx context.Context, p tenants.Principal, parentIDs []uuid.UUID) ([][]*Category, error) {
	byParent := map[uuid.UUID][]*Category{}
	cs, err := readAll(ctx, s.pool, p, `SELECT `+categoryCols+` FROM categories WHERE consortium_id = $1 AND parent_id = ANY($2) ORDER BY path`,
		[]any{p.ConsortiumID, parentIDs}, func(r pgx.CollectableRow) (*Category, error) { return scanCategory(r) })
	for _, c := range cs {
		byParent[*c.ParentID] = append(byParent[*c.ParentID], c)
	}
	out := make([][]*Category, len(parentIDs))
	for i, id := range parentIDs {
		out[i] = byParent[id]
	}
	return out, err
}
