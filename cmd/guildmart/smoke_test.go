package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/pgcluster"
)

// TestSmoke boots the real binary on the embedded default (its own cluster in a temp
// dir, free ports), waits for /readyz, creates a key with the CLI, runs viewer, and stops
// it with SIGINT, which must also stop the cluster.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and a PostgreSQL cluster")
	}
	bin := filepath.Join(t.TempDir(), "guildmart")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	httpPort, _ := pgcluster.FreePort()
	pgPort, _ := pgcluster.FreePort()
	env := append(os.Environ(), "DATABASE_URL=", "MIGRATION_DATABASE_URL=",
		"GUILDMART_DATA_DIR="+dataDir, fmt.Sprintf("GUILDMART_ADDR=127.0.0.1:%d", httpPort),
		fmt.Sprintf("GUILDMART_PG_PORT=%d", pgPort), "LOG_LEVEL=warn")
	var out bytes.Buffer
	dev := exec.Command(bin, "dev")
	dev.Env, dev.Stdout, dev.Stderr = env, &out, &out
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- dev.Wait() }()
	defer func() {
		if dev.ProcessState == nil {
			_ = dev.Process.Kill()
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("dev exited early: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready in time\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "searchable offers indexed") {
		t.Errorf("dev did not index the demo catalog:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "operator") || !strings.Contains(out.String(), "/graphql") {
		t.Errorf("dev output lacks the URL or demo keys:\n%s", out.String())
	}

	cli := exec.Command(bin, "apikey", "create", "--member", "acme-tools", "--role", "STAFF")
	cli.Env = env
	var stderr bytes.Buffer
	cli.Stderr = &stderr
	key, err := cli.Output()
	if err != nil {
		t.Fatalf("apikey create: %v\n%s", err, stderr.String())
	}
	secret := strings.TrimSpace(string(key))
	if !strings.HasPrefix(secret, "gm_") || strings.Contains(secret, "\n") {
		t.Fatalf("apikey create printed %q, want the key alone", key)
	}
	req, _ := http.NewRequestWithContext(context.Background(), "POST", base+"/graphql",
		strings.NewReader(`{"query":"{ viewer { kind role member { handle } } }"}`))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data struct {
			Viewer struct {
				Kind, Role string
				Member     struct{ Handle string }
			}
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if v := body.Data.Viewer; v.Kind != "MEMBER" || v.Role != "STAFF" || v.Member.Handle != "acme-tools" {
		t.Fatalf("viewer = %+v", v)
	}

	_ = dev.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dev exited with %v\n%s", err, out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("dev did not stop on SIGINT")
	}
	if _, err := os.Stat(filepath.Join(dataDir, "pg", "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("cluster still running after dev stopped")
	}
}
