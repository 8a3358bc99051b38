// Package kratostest runs a real Ory Kratos (v1.3.1, built by
// scripts/kratos-build.sh) for tests, and drives its API flows.
package kratostest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the Kratos version the binary and the config are pinned to.
const Version = "v1.3.1"

// SchemaID is the id of the identity schema ("person": traits email + name).
const SchemaID = "person"

//go:embed identity.schema.json
var identitySchema []byte

// Kratos is a running Kratos server. URLs have no trailing slash.
type Kratos struct {
	PublicURL string
	AdminURL  string
	ConfigDir string // holds kratos.yml, identity.schema.json and kratos.log

	logPath string
	client  *http.Client
}

// Binary returns the path of the Kratos binary: $KRATOS_BIN, else
// <repo root>/.cache/bin/kratos, else $CACHE/kratos-v1.3.1/kratos. It returns
// "" when none exists.
func Binary() string {
	if p := os.Getenv("KRATOS_BIN"); p != "" {
		if isFile(p) {
			return p
		}
		return ""
	}
	if root := repoRoot(); root != "" {
		if p := filepath.Join(root, ".cache", "bin", "kratos"); isFile(p) {
			return p
		}
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		if p := filepath.Join(cache, "guildmart", "kratos-"+Version, "kratos"); isFile(p) {
			return p
		}
	}
	return ""
}

// Start migrates the empty PostgreSQL database dsn and serves Kratos on two
// free loopback ports until the test ends. It skips the test when
// GUILDMART_SKIP_KRATOS=1 or when no Kratos binary is found. The tail of
// Kratos' log is logged when the test fails or KRATOSTEST_LOG=1.
func Start(tb testing.TB, dsn string) *Kratos {
	tb.Helper()
	if os.Getenv("GUILDMART_SKIP_KRATOS") == "1" {
		tb.Skip("GUILDMART_SKIP_KRATOS=1: skipping tests that need a real Ory Kratos.")
	}
	bin := Binary()
	if bin == "" {
		if p := os.Getenv("KRATOS_BIN"); p != "" {
			tb.Skipf("KRATOS_BIN=%s does not exist: run scripts/kratos-build.sh or fix KRATOS_BIN to run these tests.", p)
		}
		tb.Skip("Ory Kratos binary not found: run scripts/kratos-build.sh (or set KRATOS_BIN) to run these tests.")
	}
	if dsn == "" {
		tb.Fatal("kratostest: empty DSN")
	}

	dir := tb.TempDir()
	publicPort, adminPort, deadPort := freePort(tb), freePort(tb), freePort(tb)
	k := &Kratos{
		PublicURL: fmt.Sprintf("http://127.0.0.1:%d", publicPort),
		AdminURL:  fmt.Sprintf("http://127.0.0.1:%d", adminPort),
		ConfigDir: dir,
		logPath:   filepath.Join(dir, "kratos.log"),
		client:    &http.Client{Timeout: 15 * time.Second},
	}
	schemaPath := filepath.Join(dir, "identity.schema.json")
	if err := os.WriteFile(schemaPath, identitySchema, 0o644); err != nil {
		tb.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "kratos.yml")
	cfg := fmt.Sprintf(configTemplate, Version, publicPort, publicPort, adminPort, adminPort,
		SchemaID, SchemaID, (&url.URL{Scheme: "file", Path: schemaPath}).String(), deadPort)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	logf, err := os.OpenFile(k.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { logf.Close() })

	env := kratosEnv(dsn)

	// Migrate.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mig := exec.CommandContext(ctx, bin, "migrate", "sql", "-e", "--yes", "-c", cfgPath)
	mig.Env, mig.Stdout, mig.Stderr, mig.Dir = env, logf, logf, dir
	if err := mig.Run(); err != nil {
		tb.Fatalf("kratostest: kratos migrate failed: %v\n%s", err, k.logTail())
	}

	// Serve.
	srv := exec.Command(bin, "serve", "-c", cfgPath, "--dev", "--watch-courier=false", "--sqa-opt-out")
	srv.Env, srv.Stdout, srv.Stderr, srv.Dir = env, logf, logf, dir
	if err := srv.Start(); err != nil {
		tb.Fatalf("kratostest: start kratos: %v", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = srv.Wait(); close(exited) }()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			_ = srv.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = srv.Process.Kill()
				<-exited
			}
		})
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() || os.Getenv("KRATOSTEST_LOG") == "1" {
			tb.Log(k.logTail())
		}
	})

	deadline := time.Now().Add(60 * time.Second)
	ready := k.AdminURL + "/admin/health/ready"
	for {
		select {
		case <-exited:
			tb.Fatalf("kratostest: kratos serve exited early (%v)\n%s", waitErr, k.logTail())
		default:
		}
		if resp, err := k.client.Get(ready); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return k
			}
		}
		if time.Now().After(deadline) {
			stop()
			tb.Fatalf("kratostest: kratos not ready after 60s at %s\n%s", ready, k.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Register creates an identity through the native (API) registration flow
// with the password method and returns its session token and identity id.
func (k *Kratos) Register(tb testing.TB, email, password, name string) (sessionToken, identityID string) {
	tb.Helper()
	flowID := k.initFlow(tb, "/self-service/registration/api")
	var out struct {
		SessionToken string `json:"session_token"`
		Identity     struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	k.submit(tb, "/self-service/registration?flow="+url.QueryEscape(flowID), map[string]any{
		"method":   "password",
		"password": password,
		"traits":   map[string]string{"email": email, "name": name},
	}, &out)
	if out.SessionToken == "" || out.Identity.ID == "" {
		tb.Fatalf("kratostest: registration returned no session token or identity (is the session hook configured?)")
	}
	return out.SessionToken, out.Identity.ID
}

// Login signs in through the native (API) login flow with the password
// method and returns a new session token.
func (k *Kratos) Login(tb testing.TB, email, password string) (sessionToken string) {
	tb.Helper()
	flowID := k.initFlow(tb, "/self-service/login/api")
	var out struct {
		SessionToken string `json:"session_token"`
	}
	k.submit(tb, "/self-service/login?flow="+url.QueryEscape(flowID), map[string]any{
		"method":     "password",
		"identifier": email,
		"password":   password,
	}, &out)
	if out.SessionToken == "" {
		tb.Fatalf("kratostest: login returned no session token")
	}
	return out.SessionToken
}

func (k *Kratos) initFlow(tb testing.TB, path string) string {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, k.PublicURL+path, nil)
	req.Header.Set("Accept", "application/json")
	var flow struct {
		ID string `json:"id"`
	}
	k.do(tb, req, &flow)
	if flow.ID == "" {
		tb.Fatalf("kratostest: GET %s returned no flow id", path)
	}
	return flow.ID
}

func (k *Kratos) submit(tb testing.TB, path string, body any, out any) {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, k.PublicURL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	k.do(tb, req, out)
}

func (k *Kratos) do(tb testing.TB, req *http.Request, out any) {
	tb.Helper()
	resp, err := k.client.Do(req)
	if err != nil {
		tb.Fatalf("kratostest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("kratostest: %s %s: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("kratostest: %s %s: HTTP %d: %s", req.Method, req.URL.Path, resp.StatusCode, truncate(body, 2000))
	}
	if err := json.Unmarshal(body, out); err != nil {
		tb.Fatalf("kratostest: %s %s: decode: %v", req.Method, req.URL.Path, err)
	}
}

// logTail returns the last lines of the Kratos log.
func (k *Kratos) logTail() string {
	b, err := os.ReadFile(k.logPath)
	if err != nil {
		return "(no kratos log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return "--- tail of " + k.logPath + " ---\n" + strings.Join(lines, "\n")
}

// kratosEnv is the current environment with DSN set to dsn (an empty DSN
// variable would override the config and make Kratos exit) and telemetry off.
func kratosEnv(dsn string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DSN=") || strings.HasPrefix(kv, "SQA_OPT_OUT=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DSN="+dsn, "SQA_OPT_OUT=true")
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if isFile(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// configTemplate args: version, public port ×2, admin port ×2, schema id ×2,
// schema URL, dead SMTP port.
const configTemplate = `version: %s
serve:
  public:
    base_url: http://127.0.0.1:%d/
    host: 127.0.0.1
    port: %d
  admin:
    base_url: http://127.0.0.1:%d/
    host: 127.0.0.1
    port: %d
selfservice:
  default_browser_return_url: http://127.0.0.1:8080/
  allowed_return_urls:
    - http://127.0.0.1:8080/
  methods:
    password:
      enabled: true
      config:
        haveibeenpwned_enabled: false
    link:
      enabled: true
    code:
      enabled: true
  flows:
    registration:
      enabled: true
      after:
        password:
          hooks:
            - hook: session
    login:
      lifespan: 10m
    recovery:
      enabled: true
      use: link
identity:
  default_schema_id: %s
  schemas:
    - id: %s
      url: %s
secrets:
  cookie:
    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE-32
  cipher:
    - 32-LONG-SECRET-NOT-SECURE-AT-ALL
courier:
  smtp:
    connection_uri: smtp://test:test@127.0.0.1:%d/?disable_starttls=true
log:
  level: info
  format: text
`
