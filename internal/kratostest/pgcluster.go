package kratostest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// Postgres is a throwaway PostgreSQL cluster for tests (see StartPostgres).
type Postgres struct {
	Dir  string // data directory; also holds the Unix socket and the server log
	Port int
	bin  string
	cred *syscall.Credential // non-nil when commands run as the postgres OS user
}

// StartPostgres initialises and starts a throwaway PostgreSQL 15 cluster
// (trust auth, fsync off) on a free loopback port. Call Stop when done.
// It is kept self-contained so it can later be replaced by internal/pgtest.
// When running as root, initdb/pg_ctl run as the "postgres" OS user.
func StartPostgres() (*Postgres, error) {
	bin := os.Getenv("PG_BIN")
	if bin == "" {
		bin = "/usr/lib/postgresql/15/bin"
		if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
			if d := string(bytes.TrimSpace(out)); fileExists(filepath.Join(d, "initdb")) {
				bin = d
			}
		}
	}
	if !fileExists(filepath.Join(bin, "initdb")) {
		return nil, fmt.Errorf("postgres: initdb not found in %s (set PG_BIN)", bin)
	}
	dir, err := os.MkdirTemp("", "gm-pg-")
	if err != nil {
		return nil, err
	}
	p := &Postgres{Dir: dir, bin: bin}
	fail := func(err error) (*Postgres, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fail(fmt.Errorf("postgres: running as root but no postgres OS user: %w", err))
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	p.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()

	if err := p.run("initdb", "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		return fail(err)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", p.Port, dir)
	if err := p.run("pg_ctl", "-D", dir, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return fail(fmt.Errorf("%w\n%s", err, log))
	}
	return p, nil
}

// CreateDatabase creates an empty database and returns its DSN.
func (p *Postgres) CreateDatabase(name string) (string, error) {
	if err := p.run("createdb", "-h", p.Dir, "-p", strconv.Itoa(p.Port), "-U", "postgres", name); err != nil {
		return "", err
	}
	return p.DSN(name), nil
}

// DSN returns a TCP DSN for database name on this cluster.
func (p *Postgres) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, name)
}

// Stop stops the cluster and removes its data directory.
func (p *Postgres) Stop() {
	if p == nil {
		return
	}
	_ = p.run("pg_ctl", "-D", p.Dir, "-m", "immediate", "-w", "stop")
	os.RemoveAll(p.Dir)
}

func (p *Postgres) run(name string, args ...string) error {
	cmd := exec.Command(filepath.Join(p.bin, name), args...)
	cmd.Dir = p.Dir
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postgres: %s: %w\n%s", name, err, out)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
