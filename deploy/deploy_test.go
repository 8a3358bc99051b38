package deploy_test

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// root is the repository root (tests run in deploy/).
const root = ".."

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// yamlDocs parses every document of a YAML file into generic maps.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(read(t, path)))
	var docs []map[string]any
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// dig walks maps and lists: dig(m, "spec", "template", 0) …
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		out = append(out, str(x))
	}
	return out
}

var (
	binaryOnce     sync.Once
	binaryEnv      map[string]bool
	binaryCommands map[string]bool
	binaryErr      error
)

// sdkEnv are variables the OpenTelemetry SDK reads itself (the binary's code reads only
// the ones that decide whether tracing is on); they may be set wherever tracing is.
var sdkEnv = []string{"OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
	"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_TIMEOUT",
	"OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_CERTIFICATE"}

var (
	envRead   = regexp.MustCompile(`(?:[Gg]etenv|LookupEnv)\(\s*"([A-Z][A-Z0-9_]*)"`)
	envHelper = regexp.MustCompile(`\(\s*getenv\s*,\s*"([A-Z][A-Z0-9_]*)"`) // intVar(getenv, "X", …)
	register  = regexp.MustCompile(`register\(\s*"([a-z-]+)"`)
)

// binary returns the environment variables the guildmart binary reads and its commands,
// from the source of every package of this module that cmd/guildmart links (go list
// -deps), so a variable read by a package the binary does not include does not count.
func binary(t *testing.T) (env, commands map[string]bool) {
	t.Helper()
	binaryOnce.Do(func() {
		out, err := exec.Command("go", "list", "-deps", "-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{end}}{{end}}`, "../cmd/guildmart").Output()
		if err != nil {
			binaryErr = err
			return
		}
		binaryEnv, binaryCommands = map[string]bool{}, map[string]bool{}
		for _, n := range sdkEnv {
			binaryEnv[n] = true
		}
		for _, dir := range strings.Fields(string(out)) {
			files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					binaryErr = err
					return
				}
				for _, re := range []*regexp.Regexp{envRead, envHelper} {
					for _, m := range re.FindAllStringSubmatch(string(b), -1) {
						binaryEnv[m[1]] = true
					}
				}
				if filepath.Base(dir) == "guildmart" {
					for _, m := range register.FindAllStringSubmatch(string(b), -1) {
						binaryCommands[m[1]] = true
					}
				}
			}
		}
	})
	if binaryErr != nil {
		t.Fatalf("reading the binary's sources: %v", binaryErr)
	}
	return binaryEnv, binaryCommands
}

func TestBinaryScan(t *testing.T) {
	t.Parallel()
	env, cmds := binary(t)
	// The scan itself must find what config.go and the commands obviously have, or every
	// check built on it would pass vacuously.
	for _, n := range []string{"DATABASE_URL", "MIGRATION_DATABASE_URL", "GUILDMART_ADDR", "GUILDMART_ADMIN_ADDR",
		"GUILDMART_SHUTDOWN_GRACE", "GUILDMART_WORKERS", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if !env[n] {
			t.Errorf("scan of the binary's sources did not find %s", n)
		}
	}
	for _, c := range []string{"serve", "work", "migrate", "seed", "version"} {
		if !cmds[c] {
			t.Errorf("scan did not find the %q command", c)
		}
	}
	if env["GUILDMART_TEST_PG_URL"] {
		t.Error("a test-only variable counted as read by the binary")
	}
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
