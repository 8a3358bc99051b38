package imports_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/jobs"
	"github.com/riverqueue/river"
)

// A job writes in chunks, each committing its rows and the job's counts; when a chunk
// fails the job shows the progress so far, and the retry carries on after the last
// committed chunk with exact counts.
func TestProgressAndResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.svc.SetChunkRows(2)
	e.svc.SetWriters(1) // chunks commit in order, so the state after the failure is known
	var rows []string
	for _, h := range []string{"p-1", "p-2", "p-3", "p-4", "boom", "p-6"} {
		rows = append(rows, goodRow(h, strings.ToUpper(h), nil))
	}
	// The third chunk (lines 6-7) fails in the database until the trigger goes.
	if _, err := e.d.Owner.Exec(ctx, `
		CREATE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.handle = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER test_boom BEFORE INSERT ON offers FOR EACH ROW EXECUTE FUNCTION test_boom()`); err != nil {
		t.Fatal(err)
	}
	job, err := e.svc.Create(ctx, e.acme, "csv", strings.NewReader(csvFile(rows...)))
	if err != nil {
		t.Fatal(err)
	}
	if job.Progress() != 0 {
		t.Fatalf("queued progress %v", job.Progress())
	}

	t.Run("OKProgressWhileUnfinished", func(t *testing.T) {
		if err := e.svc.Run(ctx, job.Args()); err == nil || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("Run = %v, want the trigger's error", err)
		}
		j, err := e.svc.Job(ctx, e.acme, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != imports.StatusRunning || j.Processed != 4 || j.Created != 4 || j.TotalRows != 6 || j.StartedAt == nil ||
			j.FinishedAt != nil || j.Progress() < 0.66 || j.Progress() > 0.67 {
			t.Fatalf("job after 2 of 3 chunks = %+v (progress %v)", j, j.Progress())
		}
		if n := e.count(t, `SELECT count(*) FROM offers WHERE supplier_id = $1`, e.acme.MemberID); n != 4 {
			t.Fatalf("%d offers written", n)
		}
	})

	t.Run("OKResumeAfterLastChunk", func(t *testing.T) {
		if _, err := e.d.Owner.Exec(ctx, `DROP TRIGGER test_boom ON offers`); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Run(ctx, job.Args()); err != nil {
			t.Fatal(err)
		}
		j, err := e.svc.Job(ctx, e.acme, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != imports.StatusSucceeded || j.Processed != 6 || j.Created != 6 || j.Updated != 0 || j.Progress() != 1 {
			t.Fatalf("job = %+v", j)
		}
		// Running a finished job again does nothing.
		if err := e.svc.Run(ctx, job.Args()); err != nil {
			t.Fatal(err)
		}
		if j2, _ := e.svc.Job(ctx, e.acme, job.ID); j2.Processed != 6 || j2.Created != 6 {
			t.Fatalf("rerun of a finished job changed it: %+v", j2)
		}
	})
}

// Several writers commit chunks at once; counts, rows and chunk marks stay exact.
func TestParallelWriters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.SetChunkRows(3)
	e.svc.SetWriters(4)
	var buf bytes.Buffer
	if err := imports.Generate(&buf, "csv", 40, 2, 11); err != nil {
		t.Fatal(err)
	}
	job := e.mustImport(t, e.acme, "csv", buf.String())
	if job.Status != imports.StatusSucceeded || job.Created != 80 || job.Processed != 80 || job.Failed != 0 {
		t.Fatalf("job = %+v", job)
	}
	if n := e.count(t, `SELECT count(*) FROM import_job_chunks WHERE job_id = $1`, job.ID); n != 20 {
		t.Fatalf("%d chunks marked, want 20 (2 offers of 2 rows each)", n)
	}
	if n := e.count(t, `SELECT count(*) FROM offer_variants WHERE supplier_id = $1`, e.acme.MemberID); n != 80 {
		t.Fatalf("%d variants", n)
	}
	again := e.mustImport(t, e.acme, "csv", buf.String())
	if again.Created != 0 || again.Updated != 80 {
		t.Fatalf("rerun = %+v", again)
	}
}

// The worker runs through a real River client, and the job's search updates are
// enqueued for the search worker.
func TestWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	client, err := jobs.New(e.d.App, jobs.Options{Work: true, Registrations: []jobs.Registration{imports.Workers(e.d.App), searchStub}})
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer client.Stop(ctx)
	svc := imports.NewService(e.d.App, client)
	var buf bytes.Buffer
	if err := imports.Generate(&buf, "csv", 30, 2, 7); err != nil {
		t.Fatal(err)
	}
	job, err := svc.Create(ctx, e.acme, "csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-done:
			if ev.Kind == river.EventKindJobFailed {
				t.Fatalf("job %s failed: %+v", ev.Job.Kind, ev.Job.Errors)
			}
		case <-timeout:
			t.Fatal("the import job did not finish")
		}
		if j, err := svc.Job(ctx, e.acme, job.ID); err == nil && j.Done() {
			if j.Status != imports.StatusSucceeded || j.Created != 60 || j.Failed != 0 {
				t.Fatalf("job = %+v", j)
			}
			break
		}
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'catalog_offers_changed'`); n != 1 {
		t.Fatalf("%d search update jobs, want 1 (30 offers)", n)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i, format := range []string{"csv", "jsonl"} {
		t.Run("OK"+strings.ToUpper(format), func(t *testing.T) {
			var a, b bytes.Buffer
			if err := imports.Generate(&a, format, 40, 3, 42); err != nil {
				t.Fatal(err)
			}
			if err := imports.Generate(&b, format, 40, 3, 42); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("the same seed wrote different files")
			}
			p := e.mustMember(t, fmt.Sprintf("gen-%d", i), true, false)
			job := e.mustImport(t, p, format, a.String())
			if job.Created != 120 || job.Failed != 0 {
				t.Fatalf("job %+v errors %+v", job, e.allErrors(t, p, job.ID))
			}
			if n := e.count(t, `SELECT count(*) FROM variant_price_tiers t JOIN offer_variants v ON v.id = t.variant_id WHERE v.supplier_id = $1`, p.MemberID); n == 0 {
				t.Fatal("no tiers generated")
			}
			if n := e.count(t, `SELECT count(DISTINCT category_id) FROM offers WHERE supplier_id = $1`, p.MemberID); n < 5 {
				t.Fatalf("%d categories used", n)
			}
		})
	}
	t.Run("ErrFormat", func(t *testing.T) {
		if err := imports.Generate(&bytes.Buffer{}, "xml", 1, 1, 1); err == nil {
			t.Fatal("want an error")
		}
	})
}
