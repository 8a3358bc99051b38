package deploy_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guildmart/guildmart/gateway"
	"github.com/guildmart/guildmart/internal/pgtest"
	"github.com/guildmart/guildmart/tenants"
)

// The API group/version each kind of the base is written against (the stable ones).
var k8sAPIVersions = map[string]string{
	"Deployment": "apps/v1", "Service": "v1", "HorizontalPodAutoscaler": "autoscaling/v2",
	"PodDisruptionBudget": "policy/v1", "Job": "batch/v1", "ConfigMap": "v1", "Secret": "v1",
	"ServiceAccount": "v1",
}

type k8sObject struct {
	file string
	m    map[string]any
}

func (o k8sObject) kind() string { return str(o.m["kind"]) }
func (o k8sObject) name() string { return str(dig(o.m, "metadata", "name")) }
func (o k8sObject) String() string {
	return fmt.Sprintf("%s %s (%s)", o.kind(), o.name(), o.file)
}

// k8sBase loads the kustomization's resources, and the example Secret beside them.
func k8sBase(t *testing.T) (objs []k8sObject, secrets map[string]map[string]any) {
	t.Helper()
	kust := yamlDocs(t, "deploy/k8s/kustomization.yaml")[0]
	listed := map[string]bool{"kustomization.yaml": true, "secret.example.yaml": true}
	for _, f := range strs(kust["resources"]) {
		listed[f] = true
		for _, d := range yamlDocs(t, "deploy/k8s/"+f) {
			objs = append(objs, k8sObject{f, d})
		}
	}
	files, _ := filepath.Glob("k8s/*.yaml")
	for _, f := range files {
		if !listed[filepath.Base(f)] {
			t.Errorf("%s is not in kustomization.yaml's resources", f)
		}
	}
	secrets = map[string]map[string]any{}
	for _, d := range yamlDocs(t, "deploy/k8s/secret.example.yaml") {
		secrets[str(dig(d, "metadata", "name"))] = dig(d, "stringData").(map[string]any)
	}
	return objs, secrets
}

func matches(selector, labels any) bool {
	sel, _ := selector.(map[string]any)
	lab, _ := labels.(map[string]any)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if lab[k] != v {
			return false
		}
	}
	return true
}

// TestK8s is a structural check of the base: kubeconform (or any schema validator) needs
// schemas from the network, which this build has not, so the fields that matter are
// checked here against the binary and the gateway instead.
func TestK8s(t *testing.T) {
	t.Parallel()
	objs, secrets := k8sBase(t)
	env, commands := binary(t)
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		byKind[o.kind()] = append(byKind[o.kind()], o)
		if want, ok := k8sAPIVersions[o.kind()]; !ok || str(o.m["apiVersion"]) != want || o.name() == "" {
			t.Errorf("%v: apiVersion %q, want %q and a name", o, o.m["apiVersion"], want)
		}
	}
	for _, kind := range []string{"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "ConfigMap"} {
		if len(byKind[kind]) == 0 {
			t.Errorf("the base has no %s", kind)
		}
	}
	config := map[string]string{}
	for _, cm := range byKind["ConfigMap"] {
		for k, v := range dig(cm.m, "data").(map[string]any) {
			config[k] = str(v)
			if !env[k] {
				t.Errorf("ConfigMap %s sets %s, which the binary never reads", cm.name(), k)
			}
		}
	}
	for name, data := range secrets {
		for k := range data {
			if !env[k] {
				t.Errorf("Secret %s holds %s, which the binary never reads", name, k)
			}
		}
	}
	grace, err := time.ParseDuration(config["GUILDMART_SHUTDOWN_GRACE"])
	if err != nil {
		t.Fatalf("GUILDMART_SHUTDOWN_GRACE: %v", err)
	}
	listenPort := func(v string) int {
		_, p, _ := net.SplitHostPort(v)
		n, _ := strconv.Atoi(p)
		return n
	}
	wantArgs := map[string]string{"guildmart-gateway": "serve", "guildmart-worker": "work", "guildmart-migrate": "migrate up"}
	probePort := map[string]int{"serve": listenPort(config["GUILDMART_ADDR"]), "work": listenPort(config["GUILDMART_ADMIN_ADDR"])}

	workloads := append(append([]k8sObject{}, byKind["Deployment"]...), byKind["Job"]...)
	for _, o := range workloads {
		t.Run(o.name(), func(t *testing.T) {
			pod := dig(o.m, "spec", "template")
			if o.kind() == "Deployment" && !matches(dig(o.m, "spec", "selector", "matchLabels"), dig(pod, "metadata", "labels")) {
				t.Error("selector does not match the pod template's labels")
			}
			spec := dig(pod, "spec")
			if dig(spec, "securityContext", "runAsNonRoot") != true || dig(spec, "automountServiceAccountToken") != false {
				t.Error("pod must set runAsNonRoot and not mount a service account token")
			}
			if o.kind() == "Deployment" {
				if tg, _ := dig(spec, "terminationGracePeriodSeconds").(int); time.Duration(tg)*time.Second <= grace {
					t.Errorf("terminationGracePeriodSeconds %d must exceed GUILDMART_SHUTDOWN_GRACE %v", tg, grace)
				}
			}
			containers := list(dig(spec, "containers"))
			if len(containers) != 1 {
				t.Fatalf("%d containers, want 1", len(containers))
			}
			c := containers[0]
			args := strs(dig(c, "args"))
			if str(dig(c, "image")) != "guildmart" || len(args) == 0 || !commands[args[0]] || strings.Join(args, " ") != wantArgs[o.name()] {
				t.Errorf("runs image %q args %q, want the guildmart image (kustomize sets the tag) with %q", dig(c, "image"), args, wantArgs[o.name()])
			}
			sc := dig(c, "securityContext")
			if dig(sc, "readOnlyRootFilesystem") != true || dig(sc, "allowPrivilegeEscalation") != false || strings.Join(strs(dig(sc, "capabilities", "drop")), ",") != "ALL" {
				t.Error("container must have a read-only root, no privilege escalation, and drop ALL capabilities")
			}
			for _, r := range []string{"requests", "limits"} {
				for _, res := range []string{"cpu", "memory"} {
					if dig(c, "resources", r, res) == nil {
						t.Errorf("no resources.%s.%s", r, res)
					}
				}
			}
			var hasDB bool
			for _, ef := range list(dig(c, "envFrom")) {
				if cm := str(dig(ef, "configMapRef", "name")); cm != "" {
					found := false
					for _, x := range byKind["ConfigMap"] {
						found = found || x.name() == cm
					}
					if !found {
						t.Errorf("envFrom ConfigMap %s is not in the base", cm)
					}
				}
				if s := str(dig(ef, "secretRef", "name")); s != "" {
					data, ok := secrets[s]
					if !ok {
						t.Errorf("envFrom Secret %s is not in secret.example.yaml", s)
					}
					_, db := data["DATABASE_URL"]
					hasDB = hasDB || db
					if _, owner := data["MIGRATION_DATABASE_URL"]; owner && o.kind() != "Job" {
						t.Errorf("%s mounts the owner's connection (%s): only the migration Job may", o.name(), s)
					}
				}
			}
			for _, e := range list(dig(c, "env")) {
				if n := str(dig(e, "name")); !env[n] {
					t.Errorf("env %s is never read by the binary", n)
				}
			}
			if !hasDB {
				t.Error("no DATABASE_URL: the binary would try its embedded cluster, which the image lacks")
			}
			if o.kind() != "Deployment" {
				return
			}
			ports := map[string]int{}
			for _, p := range list(dig(c, "ports")) {
				ports[str(dig(p, "name"))], _ = dig(p, "containerPort").(int)
			}
			for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
				got := str(dig(c, probe, "httpGet", "path"))
				port := ports[str(dig(c, probe, "httpGet", "port"))]
				if got != path || port != probePort[args[0]] {
					t.Errorf("%s: GET %s on port %d, want %s on %d (where `%s` listens)", probe, got, port, path, probePort[args[0]], args[0])
				}
			}
		})
	}

	t.Run("OKGatewayServiceHPAAndPDB", func(t *testing.T) {
		var gw k8sObject
		for _, d := range byKind["Deployment"] {
			if d.name() == "guildmart-gateway" {
				gw = d
			}
		}
		labels := dig(gw.m, "spec", "template", "metadata", "labels")
		svc := byKind["Service"][0]
		if !matches(dig(svc.m, "spec", "selector"), labels) {
			t.Error("the Service does not select the gateway's pods")
		}
		if tp := str(dig(svc.m, "spec", "ports", 0, "targetPort")); tp != str(dig(gw.m, "spec", "template", "spec", "containers", 0, "ports", 0, "name")) {
			t.Errorf("Service targetPort %q is not the gateway's port name", tp)
		}
		hpa := byKind["HorizontalPodAutoscaler"][0]
		if str(dig(hpa.m, "spec", "scaleTargetRef", "kind")) != "Deployment" || str(dig(hpa.m, "spec", "scaleTargetRef", "name")) != gw.name() {
			t.Error("the HPA does not scale the gateway Deployment")
		}
		if min, _ := dig(hpa.m, "spec", "minReplicas").(int); min < 2 {
			t.Errorf("HPA minReplicas %d: one pod is no availability", min)
		}
		found := false
		for _, pdb := range byKind["PodDisruptionBudget"] {
			found = found || matches(dig(pdb.m, "spec", "selector", "matchLabels"), labels)
		}
		if !found {
			t.Error("no PodDisruptionBudget covers the gateway's pods")
		}
	})
}

// TestProbeEndpoints proves the probes' paths are real: the gateway answers them (and
// `guildmart work` mounts the same handler for them on its admin address).
func TestProbeEndpoints(t *testing.T) {
	t.Parallel()
	d := pgtest.New(t)
	srv, err := gateway.NewServer(gateway.Config{}, gateway.Services{Pool: d.App, Tenants: tenants.NewService(d.App)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", hs.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d on a migrated database, want 200", path, resp.StatusCode)
		}
	}
	serve, err := os.ReadFile(filepath.Join(root, "cmd/guildmart/cmd_serve.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(serve), `"/healthz", "/readyz", "/metrics"`) {
		t.Error("`guildmart work` no longer serves /healthz, /readyz and /metrics on its admin address")
	}
}
