package deploy_test

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guildmart/guildmart/internal/pgcluster"
)

// interpolate resolves compose's ${VAR:-default} and ${VAR} the way an empty
// environment would.
func interpolate(s string) string { return composeVar.ReplaceAllString(s, "$1") }

var composeVar = regexp.MustCompile(`\$\{[A-Z0-9_]+(?::?-([^}]*))?\}`)

type service struct {
	name string
	m    map[string]any
}

func (s service) env() map[string]string {
	out := map[string]string{}
	for k, v := range dig(s.m, "environment").(map[string]any) {
		out[k] = interpolate(str(v))
	}
	return out
}

func composeServices(t *testing.T) (map[string]service, map[string]any) {
	t.Helper()
	docs := yamlDocs(t, "deploy/compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("compose.yaml has %d documents, want 1", len(docs))
	}
	out := map[string]service{}
	for name, m := range dig(docs[0], "services").(map[string]any) {
		out[name] = service{name, m.(map[string]any)}
	}
	return out, docs[0]
}

// isGuildmart: the service runs the image built from deploy/Dockerfile.
func (s service) isGuildmart() bool {
	return str(dig(s.m, "build", "dockerfile")) == "deploy/Dockerfile"
}

func TestCompose(t *testing.T) {
	t.Parallel()
	services, doc := composeServices(t)
	env, commands := binary(t)

	t.Run("OKEveryComponent", func(t *testing.T) {
		for _, name := range []string{"postgres", "meilisearch", "stripe-mock", "kratos-migrate", "kratos", "migrate", "gateway", "worker"} {
			if _, ok := services[name]; !ok {
				t.Errorf("no %s service", name)
			}
		}
		want := map[string][]string{"migrate": {"migrate", "up"}, "gateway": {"serve"}, "worker": {"work"}, "seed": {"seed"}}
		for name, cmd := range want {
			if got := strs(dig(services[name].m, "command")); strings.Join(got, " ") != strings.Join(cmd, " ") || !services[name].isGuildmart() {
				t.Errorf("%s runs %q (Guildmart image %v), want guildmart %q", name, got, services[name].isGuildmart(), cmd)
			}
		}
	})

	t.Run("OKImagesPinned", func(t *testing.T) {
		for _, s := range services {
			img := interpolate(str(dig(s.m, "image")))
			if i := strings.LastIndex(img, ":"); i < 0 || strings.HasSuffix(img, ":latest") {
				t.Errorf("%s: image %q is not pinned to a tag", s.name, img)
			}
		}
	})

	t.Run("OKCommandsAndEnvironmentKnownToTheBinary", func(t *testing.T) {
		n := 0
		for _, s := range services {
			if !s.isGuildmart() {
				continue
			}
			n++
			if c := strs(dig(s.m, "command")); len(c) == 0 || !commands[c[0]] {
				t.Errorf("%s: command %q is not a guildmart command (%v)", s.name, c, sorted(commands))
			}
			for k := range s.env() {
				if !env[k] {
					t.Errorf("%s sets %s, which the guildmart binary never reads", s.name, k)
				}
			}
			if _, ok := s.env()["DATABASE_URL"]; !ok {
				t.Errorf("%s: no DATABASE_URL: the binary would start its embedded cluster, which the image lacks", s.name)
			}
		}
		if n < 4 {
			t.Fatalf("%d services use the Guildmart image, want migrate, gateway, worker and seed", n)
		}
	})

	t.Run("OKRoles", func(t *testing.T) {
		for _, s := range services {
			if !s.isGuildmart() {
				continue
			}
			e := s.env()
			u, err := url.Parse(e["DATABASE_URL"])
			if err != nil || u.User.Username() != pgcluster.AppRole || strings.TrimPrefix(u.Path, "/") != pgcluster.Database {
				t.Errorf("%s: DATABASE_URL %q must connect as %s to %s", s.name, e["DATABASE_URL"], pgcluster.AppRole, pgcluster.Database)
			}
			mig, has := e["MIGRATION_DATABASE_URL"]
			switch s.name {
			case "migrate", "seed":
				u, err := url.Parse(mig)
				if err != nil || u.User.Username() != pgcluster.OwnerRole {
					t.Errorf("%s: MIGRATION_DATABASE_URL %q must connect as the owner %s", s.name, mig, pgcluster.OwnerRole)
				}
			default:
				if has {
					t.Errorf("%s has the owner's MIGRATION_DATABASE_URL: only migrate and seed need it", s.name)
				}
			}
		}
		init := read(t, "deploy/postgres/init.sh")
		for _, want := range []string{"CREATE ROLE " + pgcluster.OwnerRole + " LOGIN", "CREATE ROLE " + pgcluster.AppRole + " LOGIN NOBYPASSRLS",
			"CREATE DATABASE " + pgcluster.Database + " OWNER " + pgcluster.OwnerRole} {
			if !strings.Contains(init, want) {
				t.Errorf("postgres/init.sh lacks %q", want)
			}
		}
	})

	t.Run("OKDependencies", func(t *testing.T) {
		for _, s := range services {
			deps, _ := dig(s.m, "depends_on").(map[string]any)
			for dep, v := range deps {
				d, ok := services[dep]
				if !ok {
					t.Errorf("%s depends on %s, which is not a service", s.name, dep)
					continue
				}
				switch cond := str(dig(v, "condition")); cond {
				case "service_healthy":
					if dig(d.m, "healthcheck") == nil {
						t.Errorf("%s waits for %s to be healthy, but it has no healthcheck", s.name, dep)
					}
				case "service_completed_successfully":
					if str(dig(d.m, "restart")) != "no" {
						t.Errorf("%s waits for one-shot %s, which must have restart: \"no\"", s.name, dep)
					}
				case "service_started":
				default:
					t.Errorf("%s -> %s: condition %q", s.name, dep, cond)
				}
			}
		}
		for _, name := range []string{"gateway", "worker"} {
			if str(dig(services[name].m, "depends_on", "migrate", "condition")) != "service_completed_successfully" {
				t.Errorf("%s must start after migrate completed", name)
			}
		}
	})

	t.Run("OKHealthchecksOnReadyz", func(t *testing.T) {
		dockerfile := read(t, "deploy/Dockerfile")
		for name, addrVar := range map[string]string{"gateway": "GUILDMART_ADDR", "worker": "GUILDMART_ADMIN_ADDR"} {
			s := services[name]
			test := strs(dig(s.m, "healthcheck", "test"))
			if len(test) != 3 || test[0] != "CMD" || !strings.Contains(dockerfile, test[1]) {
				t.Errorf("%s: healthcheck %q must run a probe the image has", name, test)
				continue
			}
			u, err := url.Parse(test[2])
			_, port, _ := net.SplitHostPort(s.env()[addrVar])
			if err != nil || u.Path != "/readyz" || u.Port() != port {
				t.Errorf("%s: healthcheck %s must probe /readyz on %s's port %s", name, test[2], addrVar, port)
			}
			if name == "gateway" {
				if ports := strs(dig(s.m, "ports")); len(ports) != 1 || !strings.HasSuffix(ports[0], ":"+port) {
					t.Errorf("gateway publishes %q, want its container port %s", ports, port)
				}
			}
			grace, err1 := time.ParseDuration(s.env()["GUILDMART_SHUTDOWN_GRACE"])
			stop, err2 := time.ParseDuration(str(dig(s.m, "stop_grace_period")))
			if err1 != nil || err2 != nil || stop <= grace {
				t.Errorf("%s: stop_grace_period %v must exceed GUILDMART_SHUTDOWN_GRACE %v so in-flight work finishes", name, stop, grace)
			}
		}
	})

	t.Run("OKMountsAndVolumes", func(t *testing.T) {
		declared, _ := dig(doc, "volumes").(map[string]any)
		for _, s := range services {
			for _, v := range strs(dig(s.m, "volumes")) {
				src := strings.Split(v, ":")[0]
				if strings.HasPrefix(src, ".") {
					if _, err := os.Stat(filepath.Join(".", src)); err != nil {
						t.Errorf("%s mounts %s, which does not exist", s.name, src)
					}
				} else if _, ok := declared[src]; !ok {
					t.Errorf("%s uses volume %s, not declared", s.name, src)
				}
			}
		}
		kratos := read(t, "deploy/kratos/kratos.yml")
		m := regexp.MustCompile(`file:///etc/config/kratos/(\S+)`).FindStringSubmatch(kratos)
		if m == nil {
			t.Fatal("kratos.yml names no identity schema under the mounted directory")
		}
		if _, err := os.Stat(filepath.Join("kratos", m[1])); err != nil {
			t.Errorf("kratos.yml's identity schema %s is not in deploy/kratos", m[1])
		}
	})
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	d := read(t, "deploy/Dockerfile")
	main := read(t, "cmd/guildmart/main.go")
	for _, tc := range []struct{ name, pattern string }{
		{"MultiStage", `(?m)^FROM golang:\$\{GO_VERSION\} AS build$`},
		{"StaticBinary", `CGO_ENABLED=0 GOOS=linux go build [^\n]*-X main\.version=\$\{VERSION\}[^\n]*\n\s*-o /out/guildmart \./cmd/guildmart`},
		{"VersionBuildArg", `(?m)^ARG VERSION=`},
		{"MinimalBase", `(?m)^FROM (gcr\.io/distroless/static[^\s]*|scratch)$`},
		{"NonRootUser", `(?m)^USER [1-9][0-9]*(:[1-9][0-9]*)?$`},
		{"Ports", `(?m)^EXPOSE 8080 9090$`},
		{"Entrypoint", `(?m)^ENTRYPOINT \["/usr/local/bin/guildmart"\]$`},
		{"Probe", `COPY --from=build /out/healthcheck /usr/local/bin/healthcheck`},
	} {
		if !regexp.MustCompile(tc.pattern).MatchString(d) {
			t.Errorf("%s: Dockerfile does not match %s", tc.name, tc.pattern)
		}
	}
	if !strings.Contains(main, "var version = ") {
		t.Error("cmd/guildmart has no main.version for -ldflags -X to set")
	}
	ignore := read(t, ".dockerignore")
	for _, needed := range []string{"schema", "gateway", "cmd", "internal", "deploy/healthcheck", "go.mod"} {
		for _, line := range strings.Split(ignore, "\n") {
			if strings.TrimSpace(line) == needed {
				t.Errorf(".dockerignore drops %s, which the build needs", needed)
			}
		}
	}
}
