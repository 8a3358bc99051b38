package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/ids"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/guildmart/guildmart/tenants"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

const importUsage = "import: usage: guildmart import offers FILE --member HANDLE [--format csv|jsonl] [--queue] [--consortium HANDLE]"

// importService is the process's import service, set once the app is wired; the worker
// is registered before (the job client is built first) and looks it up per job.
var importService atomic.Pointer[imports.Service]

func init() {
	jobs.Register(imports.WorkersOf(importService.Load))
	wireHooks = append(wireHooks, func(_ context.Context, _ *Env, a *app) error {
		importService.Store(a.svc.Imports)
		return nil
	})
	routeHooks = append(routeHooks, func(a *app) {
		// Suppliers' systems upload files here with their API key (docs/api/imports.md).
		a.server.HandleAuthed("POST /v1/imports/offers", a.svc.Imports.UploadHandler())
	})
	register("import", "bulk-import offers: import offers FILE --member HANDLE (progress bar, then a summary)", func(ctx context.Context, env *Env) error {
		if len(env.Args) == 0 || env.Args[0] != "offers" {
			return errors.New(importUsage)
		}
		fs := flag.NewFlagSet("import offers", flag.ContinueOnError)
		fs.SetOutput(env.Stderr)
		member := fs.String("member", "", "handle of the supplier the offers belong to")
		format := fs.String("format", "", "csv or jsonl (default: from the file name)")
		queue := fs.Bool("queue", false, "queue the job for the workers (guildmart work/dev) instead of running it here; still shows progress")
		consortium := fs.String("consortium", "", "consortium handle (needed when there are several)")
		// Flags may come before or after FILE.
		if err := fs.Parse(env.Args[1:]); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return errors.New(importUsage)
		}
		file := rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 || *member == "" {
			return errors.New(importUsage)
		}
		if *format == "" {
			switch strings.ToLower(filepath.Ext(file)) {
			case ".jsonl", ".ndjson":
				*format = "jsonl"
			default:
				*format = "csv"
			}
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		dbs, err := openDatabases(ctx, env)
		if err != nil {
			return err
		}
		defer dbs.stop()
		pool, err := openPool(ctx, dbs.AppURL)
		if err != nil {
			return err
		}
		defer pool.Close()
		return importOffers(ctx, env, pool, importOptions{consortium: *consortium, member: *member, format: *format, queue: *queue}, f)
	})
}

type importOptions struct {
	consortium, member, format string
	queue                      bool
}

// importOffers uploads body as the member's owner and follows the job to its end. The
// job runs in this process unless queue is set; either way River has it queued, and a
// worker that picks it up after this process finished it finds nothing left to do.
func importOffers(ctx context.Context, env *Env, pool *pgxpool.Pool, o importOptions, body io.Reader) error {
	ts := tenants.NewService(pool)
	cid, err := ts.ResolveConsortium(ctx, o.consortium)
	if err != nil {
		return err
	}
	m, err := ts.MemberByHandle(ctx, tenants.Principal{Kind: tenants.KindSystem, ConsortiumID: cid}, o.member)
	if err != nil {
		return fmt.Errorf("member %q: %w", o.member, err)
	}
	p := tenants.Principal{Kind: tenants.KindMember, ConsortiumID: cid, MemberID: m.ID, Role: tenants.RoleOwner}
	// An insert-only River client: it has no workers, so it does not insist on knowing
	// every job kind the import enqueues (search updates).
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return err
	}
	svc := imports.NewService(pool, rc)
	job, err := svc.Create(ctx, p, o.format, body)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "guildmart: import %s queued: %d rows\n", ids.Global(imports.GlobalKind, job.ID), job.TotalRows)
	runErr := make(chan error, 1)
	if o.queue {
		fmt.Fprintln(env.Stderr, "guildmart: waiting for a worker (guildmart work or dev); Ctrl-C stops watching, not the job")
	} else {
		go func() { runErr <- svc.Run(ctx, job.Args()) }()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		var ran error
		select {
		case <-ctx.Done():
			fmt.Fprintln(env.Stderr)
			return ctx.Err()
		case ran = <-runErr:
		case <-tick.C:
		}
		cur, err := svc.Job(ctx, p, job.ID)
		if err != nil {
			return err
		}
		fmt.Fprint(env.Stderr, "\r"+progressBar(cur, 30))
		if ran != nil {
			fmt.Fprintln(env.Stderr)
			return fmt.Errorf("import stopped: %w (run the command again to carry on)", ran)
		}
		if cur.Done() {
			fmt.Fprintln(env.Stderr)
			return importSummary(ctx, env, svc, p, cur)
		}
	}
}

// progressBar draws "[#####.....]  50%  500/1000 rows  created 480  updated 0  failed 20".
func progressBar(j *imports.Job, width int) string {
	n := int(j.Progress() * float64(width))
	return fmt.Sprintf("[%s%s] %3.0f%%  %d/%d rows  created %d  updated %d  failed %d ",
		strings.Repeat("#", n), strings.Repeat(".", width-n), 100*j.Progress(), j.Processed, j.TotalRows, j.Created, j.Updated, j.Failed)
}

// importSummary prints the counts and the first row errors.
func importSummary(ctx context.Context, env *Env, svc *imports.Service, p tenants.Principal, j *imports.Job) error {
	w := env.Stdout
	fmt.Fprintf(w, "%s %s: %d rows, %d created, %d updated, %d failed\n", j.Format, j.Status, j.Processed, j.Created, j.Updated, j.Failed)
	if j.Status == imports.StatusFailed {
		return fmt.Errorf("import failed: %s", j.Error)
	}
	if j.Failed == 0 {
		return nil
	}
	const first = 20
	es, more, err := svc.Errors(ctx, p, j.ID, tenants.Page{First: first})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Row errors (line, column: message):")
	for _, e := range es {
		field := e.Field
		if field == "" {
			field = "(row)"
		}
		fmt.Fprintf(w, "  line %d, %s: %s\n", e.Row, field, e.Message)
	}
	if more {
		fmt.Fprintf(w, "  … more: query importJob(id: %q) { errors } in GraphQL\n", ids.Global(imports.GlobalKind, j.ID))
	}
	// A non-zero exit status tells scripts that rows were left out.
	return fmt.Errorf("%d rows were not imported", j.Failed)
}
