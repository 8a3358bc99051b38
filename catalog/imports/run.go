package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/internal/db"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// Args returns the River arguments that run j.
func (j *Job) Args() Args {
	return Args{JobID: j.ID, ConsortiumID: j.ConsortiumID, SupplierID: j.SupplierID}
}

// run is one execution of a job.
type run struct {
	svc       *Service
	enq       jobs.Enqueuer // for the search updates; nil skips them
	args      Args
	scope     db.Scope
	format    string
	actor     string
	size      int64
	committed map[int]bool // chunks committed before this run started
	refs      refs

	mu          sync.Mutex
	written     int // rows written by this run (for import_analyze)
	nextAnalyze int
}

// Run executes an import job now (the River worker calls it; so can a CLI or a test).
// All its SQL runs in the supplier's own RLS scope. It reads the file a slice at a time,
// validates rows, and writes whole offers in numbered chunks of about chunkRows rows, one
// transaction each, which also records the chunk as done, its row errors and the job's
// counts. A retried job skips the chunks already done, so counts stay exact.
func (s *Service) Run(ctx context.Context, a Args) error {
	enq := s.jobs
	if enq == nil {
		// The worker's service is built before the River client exists; inside a job
		// River hands the client over in the context.
		if c, err := river.ClientFromContextSafely[pgx.Tx](ctx); err == nil {
			enq = c
		}
	}
	r := &run{svc: s, enq: enq, args: a, scope: tenants.Principal{
		Kind: tenants.KindMember, ConsortiumID: a.ConsortiumID, MemberID: a.SupplierID, Role: tenants.RoleSupplierOps,
	}.Scope()}
	start, err := r.start(ctx)
	if err != nil || !start {
		return err
	}
	src, err := newSource(r.format, &payloadReader{ctx: ctx, run: r})
	if err != nil {
		if e := apperr.As(err); e != nil {
			// The header was checked at upload, so this is a file changed since.
			return r.svc.markFailed(ctx, a, e.Message)
		}
		return err
	}
	// One goroutine parses and validates while writers commit earlier chunks, each in
	// its own transaction on its own connection: chunks hold disjoint offers and SKUs,
	// so they never wait for each other, and PostgreSQL gets every core.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *chunk, s.writers)
	errs := make(chan error, s.writers+1)
	go func() {
		defer close(chunks)
		errs <- r.parse(ctx, src, chunks)
	}()
	var wg sync.WaitGroup
	for range s.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := r.flush(ctx, c); err != nil {
					errs <- err
					cancel()
					for range chunks {
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	var first error
	for err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return r.finish(ctx)
}

// parse reads the file into numbered chunks, leaving out those committed before.
func (r *run) parse(ctx context.Context, src rowSource, out chan<- *chunk) error {
	seq := 0
	g := newGrouper(&r.refs, r.svc.chunkRows, func(c *chunk) error {
		seq++
		c.seq = seq
		if r.committed[c.seq] {
			return nil
		}
		select {
		case out <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	for {
		row, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := g.add(row); err != nil {
			return err
		}
	}
	return g.close()
}

// start claims the job: it reports false when there is nothing to do.
func (r *run) start(ctx context.Context) (bool, error) {
	a := r.args
	start := false
	err := db.InTx(ctx, r.svc.pool, r.scope, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT format, status, created_by, payload_bytes FROM import_jobs
			WHERE consortium_id = $1 AND id = $2 AND supplier_id = $3 FOR UPDATE`, a.ConsortiumID, a.JobID, a.SupplierID).
			Scan(&r.format, &status, &r.actor, &r.size)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted, or not this supplier's: nothing to run
		} else if err != nil {
			return err
		}
		if status == StatusSucceeded || status == StatusFailed {
			return nil
		}
		r.committed = map[int]bool{}
		rows, err := tx.Query(ctx, `SELECT chunk FROM import_job_chunks WHERE consortium_id = $1 AND job_id = $2`, a.ConsortiumID, a.JobID)
		if err != nil {
			return err
		}
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&n}, func() error { r.committed[n] = true; return nil }); err != nil {
			return err
		}
		var memberStatus string
		var supplier bool
		if err := tx.QueryRow(ctx, `SELECT status, is_supplier FROM members WHERE consortium_id = $1 AND id = $2`,
			a.ConsortiumID, a.SupplierID).Scan(&memberStatus, &supplier); err != nil {
			return err
		}
		if memberStatus != tenants.MemberActive || !supplier {
			_, err := tx.Exec(ctx, finishSQL, a.ConsortiumID, a.JobID, StatusFailed, "the member is no longer an active supplier")
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_jobs SET status = 'RUNNING', started_at = coalesce(started_at, now()), error = NULL
			WHERE consortium_id = $1 AND id = $2`, a.ConsortiumID, a.JobID); err != nil {
			return err
		}
		if err := r.loadRefs(ctx, tx); err != nil {
			return err
		}
		start = true
		return nil
	})
	return start, err
}

func (r *run) loadRefs(ctx context.Context, tx pgx.Tx) error {
	c := r.args.ConsortiumID
	if err := tx.QueryRow(ctx, `SELECT currency FROM consortia WHERE id = $1`, c).Scan(&r.refs.currency); err != nil {
		return fmt.Errorf("consortium currency: %w", err)
	}
	r.refs.categories = map[string]uuid.UUID{}
	rows, err := tx.Query(ctx, `SELECT path, id FROM categories WHERE consortium_id = $1`, c)
	if err != nil {
		return err
	}
	var path string
	var id uuid.UUID
	if _, err := pgx.ForEachRow(rows, []any{&path, &id}, func() error {
		r.refs.categories[path] = id
		return nil
	}); err != nil {
		return err
	}
	r.refs.warehouses = map[string]warehouseRef{}
	rows, err = tx.Query(ctx, `SELECT handle, id, status FROM warehouses WHERE consortium_id = $1`, c)
	if err != nil {
		return err
	}
	var handle, status string
	_, err = pgx.ForEachRow(rows, []any{&handle, &id, &status}, func() error {
		r.refs.warehouses[handle] = warehouseRef{id: id, closed: status != "ACTIVE"}
		return nil
	})
	return err
}

// flush writes one chunk, its errors and the job's progress in one transaction, unless
// another run of the job committed the chunk already.
func (r *run) flush(ctx context.Context, c *chunk) error {
	a := r.args
	if err := r.maybeAnalyze(ctx); err != nil {
		return err
	}
	err := db.InTx(ctx, r.svc.pool, r.scope, func(tx pgx.Tx) error {
		// Losing the last commits in a server crash is harmless: the chunk's done mark is
		// in the same transaction, so the retried job writes them again. JIT is off
		// because the RLS subplans inflate the merges' estimated costs past
		// jit_above_cost, and compiling them took seconds per chunk, many times the
		// statements' run time.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off; SET LOCAL jit = off`); err != nil {
			return err
		}
		// A second run of the job (River rescuing it while the first still works) waits
		// here for the first's transaction and then skips the chunk.
		tag, err := tx.Exec(ctx, `INSERT INTO import_job_chunks (consortium_id, job_id, chunk, last_row)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, a.ConsortiumID, a.JobID, c.seq, c.lastLine)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errSuperseded
		}
		n, err := r.merge(ctx, tx, c)
		if err != nil {
			return err
		}
		if errs := rowErrorRows(c.errs); len(errs) > 0 {
			// INSERT from arrays, not COPY: COPY FROM does not apply row-level security.
			rowNums, fields, msgs := make([]int32, len(errs)), make([]string, len(errs)), make([]string, len(errs))
			for i, e := range errs {
				rowNums[i], fields[i], msgs[i] = int32(e.Row), e.Field, e.Message
			}
			if _, err := tx.Exec(ctx, `INSERT INTO import_job_errors (consortium_id, job_id, row_number, field, message)
				SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::text[])`, a.ConsortiumID, a.JobID, rowNums, fields, msgs); err != nil {
				return fmt.Errorf("write row errors: %w", err)
			}
		}
		// Last, so concurrent writers hold the job row only for their commit.
		_, err = tx.Exec(ctx, `UPDATE import_jobs SET processed = processed + $3, created = created + $4,
			updated = updated + $5, failed = failed + $6 WHERE consortium_id = $1 AND id = $2`,
			a.ConsortiumID, a.JobID, c.rows, n.created, n.updated, c.failed)
		return err
	})
	if errors.Is(err, errSuperseded) {
		return nil
	}
	if err == nil {
		r.mu.Lock()
		r.written += c.rows - c.failed
		r.mu.Unlock()
	}
	return err
}

// maybeAnalyze refreshes the key columns' statistics (import_analyze in
// 003_catalog_import.sql) after the first chunk and whenever the rows written
// quadrupled, so the key lookups keep their index as the tables grow under the load.
func (r *run) maybeAnalyze(ctx context.Context) error {
	r.mu.Lock()
	due := r.written > 0 && r.written >= r.nextAnalyze
	if due {
		r.nextAnalyze = 4 * r.written
	}
	r.mu.Unlock()
	if !due {
		return nil
	}
	return db.InTx(ctx, r.svc.pool, r.scope, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT import_analyze()`)
		return err
	})
}

// finishSQL ends a job: the file is dropped, the total is what was read.
const finishSQL = `WITH file AS (DELETE FROM import_job_files WHERE consortium_id = $1 AND job_id = $2)
	UPDATE import_jobs SET status = $3, error = nullif($4, ''), finished_at = now(),
	total_rows = CASE WHEN $3 = 'SUCCEEDED' THEN processed ELSE total_rows END
	WHERE consortium_id = $1 AND id = $2`

func (r *run) finish(ctx context.Context) error {
	a := r.args
	return db.InTx(ctx, r.svc.pool, r.scope, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, finishSQL+` AND status = 'RUNNING'`, a.ConsortiumID, a.JobID, StatusSucceeded, "")
		return err
	})
}

// markFailed ends a job that cannot run, with a message for the supplier.
func (s *Service) markFailed(ctx context.Context, a Args, msg string) error {
	scope := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: a.ConsortiumID, MemberID: a.SupplierID, Role: tenants.RoleSupplierOps}.Scope()
	return db.InTx(ctx, s.pool, scope, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, finishSQL+` AND status NOT IN ('SUCCEEDED', 'FAILED')`, a.ConsortiumID, a.JobID, StatusFailed, msg)
		return err
	})
}
