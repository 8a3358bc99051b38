package imports_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/guildmart/guildmart/catalog/imports"
)

// BenchmarkImport100k imports a generated 100,000-row file (25,000 offers × 4 variants)
// end to end: upload checks, the job row with the file, then the job itself (parse,
// validate, COPY, merges), each iteration as a new supplier so every row is created.
// csv-populated imports the file into a catalog that already holds it twice, as two other
// suppliers' 200,000 variants (imported before the timer starts).
//
//	go test ./catalog/imports -run '^$' -bench Import100k -benchtime 3x
//
// BENCH_KEEP=FILE keeps the databases (FILE gets the URLs of the last one run).
func BenchmarkImport100k(b *testing.B) {
	for _, c := range []struct {
		name, format string
		before       int
	}{{"csv", "csv", 0}, {"jsonl", "jsonl", 0}, {"csv-populated", "csv", 2}} {
		format := c.format
		b.Run(c.name, func(b *testing.B) {
			e := newEnv(b)
			var buf bytes.Buffer
			if err := imports.Generate(&buf, format, 25000, 4, 1); err != nil {
				b.Fatal(err)
			}
			file := buf.String()
			for i := range c.before {
				e.mustImport(b, e.mustMember(b, fmt.Sprintf("other-%d", i), true, false), format, file)
			}
			b.SetBytes(int64(len(file)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sup := e.mustMember(b, fmt.Sprintf("bench-%s-%d", format, i), true, false)
				b.StartTimer()
				job := e.mustImport(b, sup, format, file)
				if job.Created != 100000 || job.Failed != 0 {
					b.Fatalf("job = %+v", job)
				}
			}
			if f := os.Getenv("BENCH_KEEP"); f != "" {
				// Leaves the database for EXPLAIN by hand: its URLs go to the file BENCH_KEEP names.
				if err := e.d.Keep(f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
