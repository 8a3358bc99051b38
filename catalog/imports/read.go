package imports

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
)

const jobCols = `id, consortium_id, supplier_id, format, status, total_rows, processed, created, updated, failed,
	coalesce(error, ''), created_at, started_at, finished_at`

func scanJob(row pgx.Row) (*Job, error) {
	var j Job
	err := row.Scan(&j.ID, &j.ConsortiumID, &j.SupplierID, &j.Format, &j.Status, &j.TotalRows, &j.Processed,
		&j.Created, &j.Updated, &j.Failed, &j.Error, &j.CreatedAt, &j.StartedAt, &j.FinishedAt)
	return &j, err
}

// readerFilter is the application-level tenant wall beside RLS: members read their own
// jobs, the operator every job of its consortium, nobody else anything.
func readerFilter(p tenants.Principal) (supplier *uuid.UUID, err error) {
	switch {
	case p.IsOperator():
		return nil, nil
	case p.Kind == tenants.KindMember:
		id := p.MemberID
		return &id, nil
	}
	return nil, apperr.Forbidden("only members and the operator may read import jobs")
}

// Job returns an import job the caller may see.
func (s *Service) Job(ctx context.Context, p tenants.Principal, id uuid.UUID) (*Job, error) {
	supplier, err := readerFilter(p)
	if err != nil {
		return nil, err
	}
	var j *Job
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var err error
		j, err = scanJob(tx.QueryRow(ctx, `SELECT `+jobCols+` FROM import_jobs
			WHERE consortium_id = $1 AND id = $2 AND ($3::uuid IS NULL OR supplier_id = $3)`, p.ConsortiumID, id, supplier))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.NotFound("import job")
	}
	return j, err
}

// Jobs lists the import jobs the caller may see, newest first, a page at a time.
func (s *Service) Jobs(ctx context.Context, p tenants.Principal, pg tenants.Page) (js []*Job, hasNext bool, err error) {
	supplier, err := readerFilter(p)
	if err != nil {
		return nil, false, err
	}
	limit := pg.Limit()
	afterAt, afterID, err := decodeJobCursor(pg.After)
	if err != nil {
		return nil, false, err
	}
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+jobCols+` FROM import_jobs
			WHERE consortium_id = $1 AND ($2::uuid IS NULL OR supplier_id = $2)
			  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
			ORDER BY created_at DESC, id DESC LIMIT $5`, p.ConsortiumID, supplier, afterAt, afterID, limit+1)
		if err != nil {
			return err
		}
		js, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Job, error) { return scanJob(r) })
		return err
	})
	if len(js) > limit {
		js, hasNext = js[:limit], true
	}
	return js, hasNext, err
}

// JobCursor is the cursor of j in Jobs.
func JobCursor(j *Job) string {
	return base64.RawURLEncoding.EncodeToString([]byte(j.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + j.ID.String()))
}

func decodeJobCursor(c string) (*time.Time, uuid.UUID, error) {
	if c == "" {
		return nil, uuid.Nil, nil
	}
	bad := apperr.Invalid("after", "not a cursor of this list")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, uuid.Nil, bad
	}
	ts, idStr, ok := strings.Cut(string(b), "|")
	t, err1 := time.Parse(time.RFC3339Nano, ts)
	id, err2 := uuid.Parse(idStr)
	if !ok || err1 != nil || err2 != nil {
		return nil, uuid.Nil, bad
	}
	return &t, id, nil
}

// Errors returns a page of a job's row errors in file order; the cursor is the row
// number and field of the last error seen (ErrorCursor).
func (s *Service) Errors(ctx context.Context, p tenants.Principal, jobID uuid.UUID, pg tenants.Page) (es []RowError, hasNext bool, err error) {
	supplier, err := readerFilter(p)
	if err != nil {
		return nil, false, err
	}
	limit := pg.Limit()
	afterRow, afterField, err := decodeErrorCursor(pg.After)
	if err != nil {
		return nil, false, err
	}
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		var visible bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM import_jobs
			WHERE consortium_id = $1 AND id = $2 AND ($3::uuid IS NULL OR supplier_id = $3))`,
			p.ConsortiumID, jobID, supplier).Scan(&visible); err != nil {
			return err
		}
		if !visible {
			return apperr.NotFound("import job")
		}
		rows, err := tx.Query(ctx, `SELECT row_number, field, message FROM import_job_errors
			WHERE consortium_id = $1 AND job_id = $2 AND (row_number, field) > ($3, $4)
			ORDER BY row_number, field LIMIT $5`, p.ConsortiumID, jobID, afterRow, afterField, limit+1)
		if err != nil {
			return err
		}
		es, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (RowError, error) {
			var e RowError
			err := r.Scan(&e.Row, &e.Field, &e.Message)
			return e, err
		})
		return err
	})
	if len(es) > limit {
		es, hasNext = es[:limit], true
	}
	return es, hasNext, err
}

// ErrorCursor is the cursor of e in Errors.
func ErrorCursor(e RowError) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(e.Row) + ":" + e.Field))
}

func decodeErrorCursor(c string) (int, string, error) {
	if c == "" {
		return -1, "", nil
	}
	bad := apperr.Invalid("after", "not a cursor of this list")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", bad
	}
	rs, field, ok := strings.Cut(string(b), ":")
	row, err := strconv.Atoi(rs)
	if !ok || err != nil {
		return 0, "", bad
	}
	return row, field, nil
}

// JobErrors is one job's page of row errors in ErrorsOfJobs.
type JobErrors struct {
	Errors  []RowError
	HasNext bool
}

// ErrorsOfJobs returns the same page of row errors for each of several jobs in one query
// (the GraphQL loader of ImportJob.errors), in jobIDs' order; jobs the caller may not
// see get an empty page.
func (s *Service) ErrorsOfJobs(ctx context.Context, p tenants.Principal, jobIDs []uuid.UUID, pg tenants.Page) ([]JobErrors, error) {
	supplier, err := readerFilter(p)
	if err != nil {
		return nil, err
	}
	limit := pg.Limit()
	afterRow, afterField, err := decodeErrorCursor(pg.After)
	if err != nil {
		return nil, err
	}
	byJob := make(map[uuid.UUID]*JobErrors, len(jobIDs))
	err = db.InReadTx(ctx, s.pool, p.Scope(), func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT j.id, e.row_number, e.field, e.message
			FROM import_jobs j
			CROSS JOIN LATERAL (SELECT row_number, field, message FROM import_job_errors e
			                     WHERE e.consortium_id = j.consortium_id AND e.job_id = j.id AND (e.row_number, e.field) > ($4, $5)
			                     ORDER BY e.row_number, e.field LIMIT $6) e
			WHERE j.consortium_id = $1 AND j.id = ANY ($2) AND ($3::uuid IS NULL OR j.supplier_id = $3)
			ORDER BY j.id, e.row_number, e.field`, p.ConsortiumID, jobIDs, supplier, afterRow, afterField, limit+1)
		if err != nil {
			return err
		}
		var id uuid.UUID
		var e RowError
		_, err = pgx.ForEachRow(rows, []any{&id, &e.Row, &e.Field, &e.Message}, func() error {
			je := byJob[id]
			if je == nil {
				je = &JobErrors{}
				byJob[id] = je
			}
			if len(je.Errors) == limit {
				je.HasNext = true
			} else {
				je.Errors = append(je.Errors, e)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]JobErrors, len(jobIDs))
	for i, id := range jobIDs {
		if je := byJob[id]; je != nil {
			out[i] = *je
		}
	}
	return out, nil
}

// MaxInlineBytes caps a file sent inside a GraphQL mutation (offersImport); larger
// files go to POST /v1/imports/offers.
const MaxInlineBytes = 512 << 10
