package payments_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/pgtest"
)

// stripeMockURL is the stripe-mock this package started, "" when the binary is missing
// (the card tests then skip, saying how to install it).
var stripeMockURL string

func TestMain(m *testing.M) {
	if cmd := startStripeMock(); cmd != nil {
		defer func() { _ = cmd.Process.Kill() }()
	}
	pgtest.Main(m)
}

// startStripeMock runs stripe-mock (STRIPE_MOCK, .cache/bin or PATH) on free ports and
// waits until it accepts connections. Pdeathsig kills it with the test binary, since
// pgtest.Main exits without running defers.
func startStripeMock() *exec.Cmd {
	bin := os.Getenv("STRIPE_MOCK")
	if bin == "" {
		if p, err := filepath.Abs("../../.cache/bin/stripe-mock"); err == nil {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		if p, err := exec.LookPath("stripe-mock"); err == nil {
			bin = p
		}
	}
	if bin == "" {
		return nil
	}
	httpPort, httpsPort := freePort(), freePort()
	cmd := exec.Command(bin, "-http-port", fmt.Sprint(httpPort), "-https-port", fmt.Sprint(httpsPort))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil
	}
	addr := fmt.Sprintf("127.0.0.1:%d", httpPort)
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			stripeMockURL = "http://" + addr
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return nil
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func needStripeMock(t *testing.T) {
	t.Helper()
	if stripeMockURL == "" {
		t.Skip("stripe-mock not found: run scripts/stripe-mock.sh (links .cache/bin/stripe-mock) or set STRIPE_MOCK")
	}
}
