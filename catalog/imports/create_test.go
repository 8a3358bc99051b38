package imports_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/apperr"
	"github.com/guildmart/guildmart/tenants"
)

// zeros is an endless reader of "a", for oversized bodies without holding them.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	good := csvFile(goodRow("c-1", "C-1", nil))

	t.Run("OK", func(t *testing.T) {
		job, err := e.svc.Create(ctx, e.acme, "CSV", strings.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if job.Status != imports.StatusQueued || job.TotalRows != 1 || job.Format != imports.FormatCSV || job.SupplierID != e.acme.MemberID {
			t.Fatalf("job = %+v", job)
		}
		// The River job was enqueued in the same transaction, with the supplier's scope.
		if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'catalog.import_offers' AND args->>'job_id' = $1`, job.ID.String()); n != 1 {
			t.Fatalf("%d river jobs", n)
		}
	})

	t.Run("OKLargeFileStoredInParts", func(t *testing.T) {
		// 30,000 rows, about 6.4 MB: two 4 MiB parts that read back as the file.
		var buf bytes.Buffer
		if err := imports.Generate(&buf, "csv", 7500, 4, 7); err != nil {
			t.Fatal(err)
		}
		big := e.mustMember(t, "big", true, false)
		job, err := e.svc.Create(ctx, big, "csv", bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		var parts int
		var stored []byte
		if err := e.d.Owner.QueryRow(ctx, `SELECT count(*), string_agg(data, ''::bytea ORDER BY part) FROM import_job_files WHERE job_id = $1`,
			job.ID).Scan(&parts, &stored); err != nil {
			t.Fatal(err)
		}
		if want := (buf.Len() + 4<<20 - 1) / (4 << 20); parts != want || parts < 2 || !bytes.Equal(stored, buf.Bytes()) {
			t.Fatalf("%d parts (want %d) holding %d bytes of %d, equal %v", parts, want, len(stored), buf.Len(), bytes.Equal(stored, buf.Bytes()))
		}
		if err := e.svc.Run(ctx, job.Args()); err != nil {
			t.Fatal(err)
		}
		if job, err = e.svc.Job(ctx, big, job.ID); err != nil || job.Created != 30000 || job.Failed != 0 {
			t.Fatalf("job = %+v, %v", job, err)
		}
	})

	rejects := []struct {
		name   string
		p      tenants.Principal
		format string
		body   io.Reader
		code   string
		msg    string
	}{
		{"ErrEmpty", e.acme, "csv", strings.NewReader(""), apperr.EINVALID, "the file is empty"},
		{"ErrBlank", e.acme, "jsonl", strings.NewReader("\n\n  \n"), apperr.EINVALID, "the file is empty"},
		{"ErrTooLarge", e.acme, "csv", io.MultiReader(strings.NewReader(header+"\n"), io.LimitReader(zeros{}, imports.MaxFileBytes)), apperr.EINVALID, "larger than 64 MiB"},
		{"ErrHeaderOnly", e.acme, "csv", strings.NewReader(header + "\n"), apperr.EINVALID, "has no rows"},
		{"ErrUnknownColumn", e.acme, "csv", strings.NewReader(strings.Replace(good, "warehouses", "warehouse", 1)), apperr.EINVALID, `unknown columns: "warehouse"; missing columns: warehouses`},
		{"ErrMissingColumn", e.acme, "csv", strings.NewReader("offer_handle,title,sku\nx,y,z\n"), apperr.EINVALID, "missing columns: description"},
		{"ErrDuplicateColumn", e.acme, "csv", strings.NewReader(header + ",sku\n"), apperr.EINVALID, "duplicate columns: sku"},
		{"ErrHeaderEncoding", e.acme, "csv", strings.NewReader("offer_handle,t\xefitle\n"), apperr.EINVALID, "not UTF-8"},
		{"ErrUTF16", e.acme, "csv", bytes.NewReader([]byte("\xff\xfeo\x00f\x00f\x00")), apperr.EINVALID, "not UTF-8"},
		{"ErrJSONLEncoding", e.acme, "jsonl", strings.NewReader("{\"offer_handle\": \"caf\xe9\"}\n"), apperr.EINVALID, "not UTF-8"},
		{"ErrNotJSONL", e.acme, "jsonl", strings.NewReader(good), apperr.EINVALID, "one JSON object per line"},
		{"ErrFormat", e.acme, "xlsx", strings.NewReader(good), apperr.EINVALID, `unknown format "xlsx"`},
		{"ErrOperator", e.op, "csv", strings.NewReader(good), apperr.EFORBIDDEN, "only a supplier member"},
		{"ErrStorefrontKey", tenants.Principal{Kind: tenants.KindStorefront, ConsortiumID: e.c, MemberID: e.acme.MemberID, StorefrontID: uuid.New(), Role: tenants.RoleStorefront}, "csv", strings.NewReader(good), apperr.EFORBIDDEN, "only a supplier member"},
		{"ErrSellerOnly", e.mustMember(t, "shop", false, true), "csv", strings.NewReader(good), apperr.EFORBIDDEN, "only a supplier member"},
	}
	for _, tc := range rejects {
		t.Run(tc.name, func(t *testing.T) {
			before := e.count(t, `SELECT count(*) FROM import_jobs`) + e.count(t, `SELECT count(*) FROM river_job`)
			_, err := e.svc.Create(ctx, tc.p, tc.format, tc.body)
			if apperr.Code(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %s containing %q", err, tc.code, tc.msg)
			}
			if after := e.count(t, `SELECT count(*) FROM import_jobs`) + e.count(t, `SELECT count(*) FROM river_job`); after != before {
				t.Fatal("a rejected upload wrote rows")
			}
		})
	}

	t.Run("ErrSuspendedMember", func(t *testing.T) {
		p := e.mustMember(t, "gone", true, false)
		if _, err := e.ts.SuspendMember(ctx, e.op, p.MemberID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Create(ctx, p, "csv", strings.NewReader(good)); apperr.Code(err) != apperr.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("OKSupplierOpsKey", func(t *testing.T) {
		p := e.acme
		p.Role, p.KeyID = tenants.RoleSupplierOps, uuid.New()
		job, err := e.svc.Create(ctx, p, "csv", strings.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Run(ctx, job.Args()); err != nil {
			t.Fatal(err)
		}
		// The change log names who uploaded: catalog.Actor of the principal.
		job2 := e.mustImport(t, p, "csv", csvFile(goodRow("c-1", "C-1", map[string]string{"wholesale_price": "10.50"})))
		if job2.Updated != 1 {
			t.Fatalf("job = %+v", job2)
		}
		var actor string
		if err := e.d.Owner.QueryRow(ctx, `SELECT actor FROM offer_changes ORDER BY id DESC LIMIT 1`).Scan(&actor); err != nil {
			t.Fatal(err)
		}
		if actor != "member:"+p.MemberID.String()+"/key:"+p.KeyID.String() {
			t.Fatalf("actor %q", actor)
		}
	})
}
