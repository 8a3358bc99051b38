// Package stripemock starts Stripe's official API mock (stripe-mock) for tests: the
// binary from STRIPE_MOCK, the repository's .cache/bin (scripts/stripe-mock.sh installs
// it there; make test does), or PATH.
package stripemock

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Skip is what tests say when stripe-mock is missing.
const Skip = "stripe-mock not found: run scripts/stripe-mock.sh (links .cache/bin/stripe-mock) or set STRIPE_MOCK"

// Start runs stripe-mock on free ports and waits until it accepts connections; it
// returns its URL and a stop function, or "" and a no-op when the binary is missing.
// The process dies with the test binary (Pdeathsig), since pgtest.Main exits without
// running defers.
func Start() (url string, stop func()) {
	bin := Binary()
	if bin == "" {
		return "", func() {}
	}
	httpPort, httpsPort := freePort(), freePort()
	cmd := exec.Command(bin, "-http-port", fmt.Sprint(httpPort), "-https-port", fmt.Sprint(httpsPort))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", func() {}
	}
	stop = func() { _ = cmd.Process.Kill() }
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr, stop
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", func() {}
}

// Need skips t when url is "" (no stripe-mock).
func Need(t testing.TB, url string) {
	t.Helper()
	if url == "" {
		t.Skip(Skip)
	}
}

// Binary finds the stripe-mock binary, "" if there is none.
func Binary() string {
	if bin := os.Getenv("STRIPE_MOCK"); bin != "" {
		return bin
	}
	if root := repoRoot(); root != "" {
		p := filepath.Join(root, ".cache", "bin", "stripe-mock")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	return ""
}

func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
