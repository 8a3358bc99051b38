package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/catalog/imports"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestImportCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	c, err := tenants.CreateConsortium(ctx, d.Owner, tenants.ConsortiumCreate{Handle: "c1", Name: "C1", Currency: "EUR", FeeBps: 500})
	if err != nil {
		t.Fatal(err)
	}
	ts := tenants.NewService(d.App)
	op := tenants.Principal{Kind: tenants.KindOperator, ConsortiumID: c.ID}
	m, err := ts.InviteMember(ctx, op, tenants.MemberInvite{Handle: "acme", LegalName: "Acme", IsSupplier: true})
	if err == nil {
		_, err = ts.ActivateMember(ctx, op, m.ID)
	}
	if err == nil {
		err = imports.SeedReferenceData(ctx, d.App, c.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var gen bytes.Buffer
	if err := imports.Generate(&gen, "jsonl", 50, 2, 3); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "offers.jsonl")
	if err := os.WriteFile(good, gen.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		return map[string]string{"DATABASE_URL": d.AppURL, "MIGRATION_DATABASE_URL": d.OwnerURL, "LOG_LEVEL": "error"}[k]
	}
	runCLI := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, getenv, &out, &errOut)
		return out.String(), errOut.String(), err
	}

	t.Run("OK", func(t *testing.T) {
		out, progress, err := runCLI("import", "offers", good, "--member", "acme")
		if err != nil {
			t.Fatalf("%v\n%s", err, progress)
		}
		if !strings.Contains(out, "JSONL SUCCEEDED: 100 rows, 100 created, 0 updated, 0 failed") {
			t.Fatalf("summary: %q", out)
		}
		if !strings.Contains(progress, "[##############################] 100%") {
			t.Fatalf("no progress bar: %q", progress)
		}
	})

	t.Run("ErrRows", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.csv")
		file := strings.Join(imports.Columns[:], ",") + "\nx-1,Title,,,,,,,X-1,,,,-1.00,2.00,,,,1,,,,,,,,,wh-berlin\n"
		if err := os.WriteFile(bad, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _, err := runCLI("import", "offers", "--member", "acme", bad)
		if err == nil || !strings.Contains(err.Error(), "1 rows were not imported") {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(out, "line 2, wholesale_price: must not be negative") {
			t.Fatalf("summary: %q", out)
		}
	})

	t.Run("ErrUsage", func(t *testing.T) {
		if _, _, err := runCLI("import", "offers", good); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Fatalf("err = %v", err)
		}
		if _, _, err := runCLI("import", "offers", good, "--member", "nobody"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("err = %v", err)
		}
	})
}
