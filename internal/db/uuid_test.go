package db_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestUUIDEncoding sends uuid.UUID values the ways the application does (a parameter, a
// pointer, nil, an array, a COPY row) through a pool from Open, which encodes them
// itself instead of through their driver.Valuer, and reads back the same ids.
func TestUUIDEncoding(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	a, b := uuid.New(), uuid.Must(uuid.NewV7())
	var one, none, ptr *uuid.UUID
	var many []uuid.UUID
	if err := d.Owner.QueryRow(ctx, `SELECT $1::uuid, $2::uuid, $3::uuid, $4::uuid[]`, a, (*uuid.UUID)(nil), &b, []uuid.UUID{a, uuid.Nil, b}).
		Scan(&one, &none, &ptr, &many); err != nil {
		t.Fatal(err)
	}
	if one == nil || *one != a || none != nil || ptr == nil || *ptr != b || len(many) != 3 || many[0] != a || many[1] != uuid.Nil || many[2] != b {
		t.Fatalf("read back %v %v %v %v", one, none, ptr, many)
	}
	conn, err := d.Owner.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE ids (id uuid, ids uuid[])`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"ids"}, []string{"id", "ids"}, pgx.CopyFromRows([][]any{{&b, []uuid.UUID{b, a}}, {(*uuid.UUID)(nil), []uuid.UUID{}}})); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := conn.QueryRow(ctx, `SELECT id::text || ' ' || ids::text || ' ' || (SELECT count(*) FROM ids WHERE id IS NULL AND ids = '{}') FROM ids WHERE id IS NOT NULL`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if want := b.String() + " {" + b.String() + "," + a.String() + "} 1"; text != want {
		t.Fatalf("copied %q, want %q", text, want)
	}
}
