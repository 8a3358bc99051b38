package fulfillment_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// CPU time, not only wall time: on a shared two-core machine, throughput moves with
// whatever else runs, while the CPU a checkout costs the database server and the
// application barely does. The benchmarks report both; the CPU figures are what to
// compare across runs.

// clkTck is the kernel's clock tick (USER_HZ): /proc reports CPU time in ticks.
const clkTck = 100

// cpuMeter reads the CPU time used so far by the test cluster (the postmaster, every
// live backend and background process, and the backends that have exited, which the
// postmaster has reaped into its children's time) and by this process.
type cpuMeter struct {
	postmaster int
}

// newCPUMeter finds the cluster's postmaster (the parent of a backend); it returns nil
// where /proc is not readable (the figures are then left out).
func newCPUMeter(b *testing.B) *cpuMeter {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.SuperURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	st, err := procStat(pid)
	if err != nil {
		return nil
	}
	return &cpuMeter{postmaster: st.ppid}
}

// server is the cluster's CPU time so far.
func (m *cpuMeter) server() time.Duration {
	pm, err := procStat(m.postmaster)
	if err != nil {
		return 0
	}
	ticks := pm.utime + pm.stime + pm.cutime + pm.cstime
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if st, err := procStat(pid); err == nil && st.ppid == m.postmaster {
			ticks += st.utime + st.stime
		}
	}
	return time.Duration(ticks) * time.Second / clkTck
}

// client is this process's CPU time so far.
func (m *cpuMeter) client() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type stat struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

// procStat parses /proc/PID/stat (fields after the parenthesised command name).
func procStat(pid int) (stat, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i-3], 10, 64); return n }
	return stat{ppid: int(num(4)), utime: num(14), stime: num(15), cutime: num(16), cstime: num(17)}, nil
}
