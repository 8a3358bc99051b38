// Package pgcluster creates, starts and stops a local PostgreSQL cluster with the
// system's initdb and pg_ctl, as the postgres OS user when the process runs as root
// (PostgreSQL refuses to run as root). Both `guildmart dev` and the tests use it.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Names of the roles and database a Guildmart cluster holds.
const (
	OwnerRole = "guildmart"     // owns the tables, runs migrations
	AppRole   = "guildmart_app" // what the application connects as: no ownership, no BYPASSRLS
	Database  = "guildmart"
)

// Cluster is a local PostgreSQL cluster.
type Cluster struct {
	Dir   string // data directory
	Port  int
	bin   string
	cred  *syscall.Credential
	Fsync bool
}

// BinDir finds the directory of initdb and pg_ctl.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	for _, v := range []string{"17", "16", "15"} {
		d := "/usr/lib/postgresql/" + v + "/bin"
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install them with `apt-get install postgresql` (15 or newer) or set PG_BINDIR, or set DATABASE_URL to an existing server")
}

// New describes a cluster in dir listening on port (on 127.0.0.1 and a socket in dir).
func New(dir string, port int) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: abs, Port: port, bin: bin, Fsync: true}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root, and PostgreSQL refuses root: create a `postgres` OS user (the postgresql package does) or run as another user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return c, nil
}

func (c *Cluster) cmd(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Dir = "/"
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd
}

// Initialized reports whether the data directory holds a cluster.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION"))
	return err == nil
}

// Init creates the cluster (trust auth on loopback and its socket only).
func (c *Cluster) Init(ctx context.Context) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		// The postgres user must own the data dir and traverse its parents.
		if err := os.Chown(c.Dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return err
		}
		for p := filepath.Dir(c.Dir); p != "/" && p != "."; p = filepath.Dir(p) {
			if st, err := os.Stat(p); err == nil && st.Mode().Perm()&0o001 == 0 {
				_ = os.Chmod(p, st.Mode().Perm()|0o011)
			}
		}
	}
	out, err := c.cmd(ctx, "initdb", "-D", c.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %v: %s", err, lastLines(string(out), 5))
	}
	return nil
}

// PortFree reports whether nothing listens on 127.0.0.1:port.
func PortFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// FreePort asks the kernel for an unused loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	if !PortFree(c.Port) {
		return fmt.Errorf("port %d is in use: stop what listens there or set GUILDMART_PG_PORT to a free port", c.Port)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", c.Port, c.Dir)
	if !c.Fsync {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	out, err := c.cmd(ctx, "pg_ctl", "-D", c.Dir, "-o", opts, "-l", filepath.Join(c.Dir, "log"), "-w", "-t", "60", "start").CombinedOutput()
	if err != nil {
		logTail, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s %s", err, lastLines(string(out), 3), lastLines(string(logTail), 5))
	}
	return nil
}

// Stop stops the server (fast mode: rolls back open transactions, closes connections).
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := c.cmd(ctx, "pg_ctl", "-D", c.Dir, "-m", "fast", "-w", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v: %s", err, lastLines(string(out), 3))
	}
	return nil
}

// URL is a connection URL for role to database on this cluster.
func (c *Cluster) URL(role, database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", role, c.Port, database)
}

// Bootstrap creates the owner and application roles and the database, if missing.
func (c *Cluster) Bootstrap(ctx context.Context, database string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres", "postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return BootstrapRoles(ctx, conn, database)
}

// BootstrapRoles creates the roles and database over a superuser connection.
func BootstrapRoles(ctx context.Context, conn *pgx.Conn, database string) error {
	// Roles are cluster-wide: test binaries of several packages bootstrap the same shared
	// cluster at once, and "IF NOT EXISTS" alone races (a duplicate pg_authid key). One
	// transaction holding an advisory lock makes the check and the create one step.
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, stmt := range []string{
		`SELECT pg_advisory_xact_lock(7460139)`, // "gm roles"
		fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s LOGIN; END IF; END $$`, OwnerRole, OwnerRole),
		fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN CREATE ROLE %s LOGIN NOBYPASSRLS; END IF; END $$`, AppRole, AppRole),
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, database).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s OWNER %s`, pgx.Identifier{database}.Sanitize(), OwnerRole)); err != nil {
			return err
		}
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
