// Package schema embeds the GraphQL SDL (one file per area, joined at start-up) and the
// SQL migrations (numbered, forward-only, run by the owner role).
package schema

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed *.graphql
var sdl embed.FS

// Migrations is the directory of numbered SQL migrations.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// SDL joins every *.graphql file, in name order, into one schema document.
func SDL() string {
	entries, err := fs.ReadDir(sdl, ".")
	if err != nil {
		panic(err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		data, err := fs.ReadFile(sdl, n)
		if err != nil {
			panic(err)
		}
		b.Write(data)
		b.WriteString("\n")
	}
	return b.String()
}
