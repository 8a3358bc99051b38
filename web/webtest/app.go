package webtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/pgcluster"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// App is one running guildmart process (gateway, workers, web pages) on its own test
// database, seeded with the demo association.
type App struct {
	URL   string            // e.g. http://127.0.0.1:41234
	Keys  map[string]string // demo API keys by role: "operator", "supplier", "seller", "storefront"
	Owner *pgxpool.Pool     // the database as its owner (bypasses RLS): for asserting only
	DB    *pgtest.DB
	log   *syncBuffer
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds ./cmd/guildmart once per test process into the user's cache directory
// (one file, overwritten by the next run, so repeated runs leave nothing behind).
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			buildErr = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "guildmart", "webtest")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			buildErr = err
			return
		}
		tmp := filepath.Join(dir, fmt.Sprintf("guildmart-%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-o", tmp, "./cmd/guildmart")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/guildmart: %v\n%s", err, out)
			return
		}
		binPath = filepath.Join(dir, "guildmart")
		buildErr = os.Rename(tmp, binPath)
	})
	if buildErr != nil {
		t.Fatalf("webtest: %v", buildErr)
	}
	return binPath
}

// Start boots guildmart for t: a fresh migrated database (pgtest), `guildmart dev`
// pointed at it through DATABASE_URL, which seeds the demo association, serves the
// gateway and the web pages and runs the job workers in one process. It returns once
// /readyz answers 200 and stops the process when t ends. extraEnv ("NAME=value") is
// added to the process's environment, e.g. STRIPE_SECRET_KEY.
func Start(t testing.TB, extraEnv ...string) *App {
	t.Helper()
	bin := binary(t)
	d := pgtest.New(t)
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	env := cleanEnv(os.Environ())
	env = append(env, "DATABASE_URL="+d.AppURL, "MIGRATION_DATABASE_URL="+d.OwnerURL,
		"GUILDMART_DATA_DIR="+dataDir, fmt.Sprintf("GUILDMART_ADDR=127.0.0.1:%d", port),
		"GUILDMART_SHUTDOWN_GRACE=3s", "LOG_LEVEL=warn")
	env = append(env, extraEnv...)
	a := &App{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Owner: d.Owner, DB: d, log: &syncBuffer{}}
	cmd := exec.Command(bin, "dev")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, a.log, a.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("guildmart output (last lines):\n%s", lastLines(a.log.String(), 60))
		}
	})
	if err := waitReady(a.URL, done); err != nil {
		t.Fatalf("webtest: guildmart did not become ready: %v\n%s", err, lastLines(a.log.String(), 60))
	}
	a.Keys, err = readKeys(filepath.Join(dataDir, "demo-keys.txt"))
	if err != nil {
		t.Fatalf("webtest: demo keys: %v", err)
	}
	return a
}

// cleanEnv drops settings of the caller's environment that would point the process at
// other services (a developer's Kratos, Meilisearch, Stripe or database).
func cleanEnv(in []string) []string {
	var out []string
	for _, kv := range in {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "GUILDMART_"), strings.HasPrefix(name, "KRATOS_"),
			strings.HasPrefix(name, "MEILI_"), strings.HasPrefix(name, "STRIPE_"),
			strings.HasPrefix(name, "OTEL_"), name == "DATABASE_URL", name == "MIGRATION_DATABASE_URL":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// waitReady polls /readyz until it answers 200, the process exits, or two minutes pass
// (start-up on a busy two-core machine; seeding and indexing happen before serving).
func waitReady(base string, done <-chan error) error {
	deadline := time.Now().Add(2 * time.Minute)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-done:
			return fmt.Errorf("guildmart exited: %v", err)
		case <-time.After(150 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 from %s/readyz within 2 minutes", base)
		}
	}
}

func readKeys(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) == 3 {
			keys[parts[0]] = parts[2]
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no keys in %s", path)
	}
	return keys, sc.Err()
}

// Request is one GraphQL call: Key is sent as a bearer token, Storefront as the
// X-Storefront header of an anonymous shopper (either may be empty).
type Request struct {
	Key, Storefront string
	Query           string
	Vars            map[string]any
}

// Response is the decoded GraphQL answer.
type Response struct {
	Data   map[string]any   `json:"data"`
	Errors []map[string]any `json:"errors"`
}

// Do sends r to /graphql and returns the answer; transport failures fail t.
func (a *App) Do(t testing.TB, r Request) Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": r.Query, "variables": r.Vars})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, a.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Key != "" {
		req.Header.Set("Authorization", "Bearer "+r.Key)
	}
	if r.Storefront != "" {
		req.Header.Set("X-Storefront", r.Storefront)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webtest: POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var out Response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("webtest: POST /graphql: status %d, undecodable answer: %v", resp.StatusCode, err)
	}
	return out
}

// GQL runs query with the API key key (a secret, e.g. a.Keys["seller"], or "" for
// none) and returns its data; GraphQL errors fail t. Use it for setup through the API.
func (a *App) GQL(t testing.TB, key, query string, vars map[string]any) map[string]any {
	t.Helper()
	res := a.Do(t, Request{Key: key, Query: query, Vars: vars})
	if len(res.Errors) > 0 {
		b, _ := json.Marshal(res.Errors)
		t.Fatalf("webtest: GraphQL errors: %s\nquery: %s", b, query)
	}
	return res.Data
}

// Output returns what the process printed so far (logs at warn and above, demo keys).
func (a *App) Output() string { return a.log.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
