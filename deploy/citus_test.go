package deploy_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
)

// Tables that distribute.sql does not place, and why. Everything else in schema public
// must be placed there.
var unplaced = map[string]string{
	"schema_version": "tern's migration bookkeeping: one row, read by /readyz; stays on the coordinator",
	"river_*":        "River's job queue (SKIP LOCKED, LISTEN/NOTIFY, advisory locks): stays on the coordinator, see docs/scaling.md",
}

type placement struct {
	kind   string // reference, distributed, local
	column string // distribution column
	group  string // colocation group (the table that started it)
	order  int    // position in the script
}

type distribution struct {
	tables  map[string]placement
	dropped map[string]string // constraint -> table: cross-group keys the script drops
	errs    []string
}

var (
	reReference   = regexp.MustCompile(`(?m)^SELECT create_reference_table\('(\w+)'\);`)
	reDistributed = regexp.MustCompile(`(?m)^SELECT create_distributed_table\('(\w+)', '(\w+)', colocate_with => '(\w+)'\);`)
	reLocal       = regexp.MustCompile(`(?m)^-- local: (\w+) — \S`)
	reDrop        = regexp.MustCompile(`(?m)^ALTER TABLE (\w+) DROP CONSTRAINT (\w+);`)
	reAnyCall     = regexp.MustCompile(`(?m)^SELECT (create_\w+|citus_\w+)\(`)
)

// parseDistribution reads deploy/citus/distribute.sql in statement order.
func parseDistribution(sql string) distribution {
	d := distribution{tables: map[string]placement{}, dropped: map[string]string{}}
	type hit struct {
		at   int
		kind string
		m    []string
	}
	var hits []hit
	for kind, re := range map[string]*regexp.Regexp{"reference": reReference, "distributed": reDistributed, "local": reLocal} {
		for _, idx := range re.FindAllStringSubmatchIndex(sql, -1) {
			m := make([]string, len(idx)/2)
			for i := range m {
				m[i] = sql[idx[2*i]:idx[2*i+1]]
			}
			hits = append(hits, hit{idx[0], kind, m})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	for i, h := range hits {
		name := h.m[1]
		if _, dup := d.tables[name]; dup {
			d.errs = append(d.errs, fmt.Sprintf("%s is placed twice", name))
		}
		p := placement{kind: h.kind, order: i}
		if h.kind == "distributed" {
			p.column = h.m[2]
			switch with := h.m[3]; with {
			case "none":
				p.group = name
			default:
				prev, ok := d.tables[with]
				if !ok || prev.kind != "distributed" {
					d.errs = append(d.errs, fmt.Sprintf("%s: colocate_with %s, which is not distributed before it", name, with))
				}
				p.group = prev.group
				if prev.column != "" && prev.column != p.column {
					d.errs = append(d.errs, fmt.Sprintf("%s is distributed by %s but colocated with %s, distributed by %s", name, p.column, with, prev.column))
				}
			}
		}
		d.tables[name] = p
	}
	if n := len(reAnyCall.FindAllString(sql, -1)); n != len(reReference.FindAllString(sql, -1))+len(reDistributed.FindAllString(sql, -1)) {
		d.errs = append(d.errs, "distribute.sql has Citus calls this test does not read: keep to create_reference_table('t') and create_distributed_table('t', 'col', colocate_with => 'x')")
	}
	for _, m := range reDrop.FindAllStringSubmatch(sql, -1) {
		d.dropped[m[2]] = m[1]
	}
	return d
}

func TestDistributionScriptParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, sql, want string }{
		{"OK", "SELECT create_reference_table('a');\nSELECT create_distributed_table('b', 'k', colocate_with => 'none');\nSELECT create_distributed_table('c', 'k', colocate_with => 'b');\n", ""},
		{"ErrTwice", "SELECT create_reference_table('a');\nSELECT create_reference_table('a');\n", "placed twice"},
		{"ErrColocateLater", "SELECT create_distributed_table('c', 'k', colocate_with => 'b');\nSELECT create_distributed_table('b', 'k', colocate_with => 'none');\n", "not distributed before"},
		{"ErrColocateOtherColumn", "SELECT create_distributed_table('b', 'k', colocate_with => 'none');\nSELECT create_distributed_table('c', 'j', colocate_with => 'b');\n", "distributed by j"},
		{"ErrUnreadCall", "SELECT create_distributed_table('b','k');\n", "does not read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(parseDistribution(tc.sql).errs, "; ")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("errors %q, want %q", got, tc.want)
			}
		})
	}
}

type constraint struct {
	table, name, kind string // kind p, u, f, or i (a unique index that is no constraint)
	cols              []string
	refTable          string
	refCols           []string
}

// schemaConstraints reads primary keys, unique constraints and indexes, and foreign keys
// of schema public; unique index expressions show as "(expr)".
const schemaConstraintsSQL = `
SELECT c.conrelid::regclass::text, c.conname, c.contype::text,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       coalesce(c.confrelid::regclass::text, ''),
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE r.relnamespace = 'public'::regnamespace AND c.contype IN ('p', 'u', 'f')
UNION ALL
SELECT i.indrelid::regclass::text, x.relname::text, 'i',
       ARRAY(SELECT coalesce(a.attname::text, '(expr)') FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, o)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o),
       '', '{}'::text[]
FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
WHERE r.relnamespace = 'public'::regnamespace AND i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`

// TestDistributable proves the migrated schema can be distributed as distribute.sql
// says: every table placed, every tenant table's primary key and unique keys led by or
// holding its distribution column, and every foreign key one Citus keeps.
func TestDistributable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := pgtest.New(t)
	dist := parseDistribution(read(t, "deploy/citus/distribute.sql"))
	for _, e := range dist.errs {
		t.Error(e)
	}

	rows, err := d.Owner.Query(ctx, `SELECT c.relname::text FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables[n] = true
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	isUnplaced := func(n string) bool {
		_, ok := unplaced[n]
		return ok || strings.HasPrefix(n, "river_")
	}

	t.Run("OKEveryTablePlaced", func(t *testing.T) {
		for n := range tables {
			if _, ok := dist.tables[n]; !ok && !isUnplaced(n) {
				t.Errorf("table %s is not placed in deploy/citus/distribute.sql: distribute it by its tenant key "+
					"(create_distributed_table, colocated with its group), make it a reference table, or list it as local, with a reason", n)
			}
		}
		for n := range dist.tables {
			if !tables[n] {
				t.Errorf("distribute.sql places %s, which the schema does not have", n)
			}
		}
	})

	// Distribution columns: present and NOT NULL.
	cols := map[string]map[string]bool{} // table -> column -> not null
	crow, err := d.Owner.Query(ctx, `SELECT c.relname::text, a.attname::text, a.attnotnull FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped`)
	if err != nil {
		t.Fatal(err)
	}
	for crow.Next() {
		var tbl, col string
		var nn bool
		if err := crow.Scan(&tbl, &col, &nn); err != nil {
			t.Fatal(err)
		}
		if cols[tbl] == nil {
			cols[tbl] = map[string]bool{}
		}
		cols[tbl][col] = nn
	}

	crows, err := d.Owner.Query(ctx, schemaConstraintsSQL)
	if err != nil {
		t.Fatal(err)
	}
	var cons []constraint
	for crows.Next() {
		var c constraint
		if err := crows.Scan(&c.table, &c.name, &c.kind, &c.cols, &c.refTable, &c.refCols); err != nil {
			t.Fatal(err)
		}
		cons = append(cons, c)
	}
	if crows.Err() != nil {
		t.Fatal(crows.Err())
	}

	violations := map[string]string{} // foreign keys Citus would reject -> why
	t.Run("OKTenantKeys", func(t *testing.T) {
		hasPK := map[string]bool{}
		for _, c := range cons {
			p, ok := dist.tables[c.table]
			if !ok || p.kind != "distributed" {
				continue
			}
			switch c.kind {
			case "p":
				hasPK[c.table] = true
				if c.cols[0] != p.column {
					t.Errorf("%s: primary key %s (%s) does not lead with the tenant key %s", c.table, c.name, strings.Join(c.cols, ", "), p.column)
				}
			case "u", "i":
				if !contains(c.cols, p.column) {
					t.Errorf("%s: unique %s (%s) lacks the tenant key %s: Citus enforces uniqueness per shard only", c.table, c.name, strings.Join(c.cols, ", "), p.column)
				}
			}
		}
		for n, p := range dist.tables {
			if p.kind != "distributed" || !tables[n] {
				continue
			}
			if nn, ok := cols[n][p.column]; !ok || !nn {
				t.Errorf("%s: distribution column %s missing or nullable", n, p.column)
			}
			if !hasPK[n] {
				t.Errorf("%s has no primary key", n)
			}
		}
	})

	t.Run("OKForeignKeys", func(t *testing.T) {
		for _, c := range cons {
			if c.kind != "f" {
				continue
			}
			from, okFrom := dist.tables[c.table]
			to, okTo := dist.tables[c.refTable]
			why := ""
			switch {
			case !okFrom || !okTo:
				if !(isUnplaced(c.table) && isUnplaced(c.refTable)) {
					why = "links a table that stays on the coordinator with one that does not"
				}
			case from.kind == "local" || to.kind == "local":
				why = "links a local table"
			case from.kind == "reference" && to.kind == "distributed":
				why = "a reference table cannot point at a distributed table"
			case from.kind == "distributed" && to.kind == "distributed":
				i := index(c.cols, from.column)
				switch {
				case from.group != to.group:
					why = fmt.Sprintf("crosses colocation groups (%s by %s -> %s by %s)", c.table, from.column, c.refTable, to.column)
				case i != 0:
					why = fmt.Sprintf("does not lead with the tenant key %s", from.column)
				case c.refCols[i] != to.column:
					why = fmt.Sprintf("maps %s to %s.%s, not to its tenant key %s", from.column, c.refTable, c.refCols[i], to.column)
				}
			}
			if okFrom && okTo && to.order > from.order && c.table != c.refTable && why == "" {
				why = fmt.Sprintf("distribute.sql places %s before %s, which it references", c.table, c.refTable)
			}
			if why != "" {
				violations[c.name] = fmt.Sprintf("%s.%s (%s) -> %s: %s", c.table, c.name, strings.Join(c.cols, ", "), c.refTable, why)
			}
		}
		for name, why := range violations {
			if tbl, ok := dist.dropped[name]; !ok || !strings.HasPrefix(why, tbl+".") {
				t.Errorf("foreign key Citus rejects: %s", why)
			}
		}
		for name, tbl := range dist.dropped {
			if _, ok := violations[name]; !ok {
				t.Errorf("distribute.sql drops %s on %s, which is no longer a foreign key Citus rejects: remove the line", name, tbl)
			}
		}
		if testing.Verbose() {
			for _, why := range violations {
				t.Logf("dropped on Citus by distribute.sql: %s", why)
			}
		}
	})
}

func contains(xs []string, x string) bool { return index(xs, x) >= 0 }

func index(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
