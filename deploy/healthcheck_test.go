package deploy_test

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestHealthcheck builds the image's probe and runs it against a server answering 200,
// 503, and nothing.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "healthcheck")
	if out, err := exec.Command("go", "build", "-o", bin, "./healthcheck").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	status := map[string]int{"/readyz": http.StatusOK, "/down": http.StatusServiceUnavailable}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status[r.URL.Path]) }))
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	defer srv.Close()
	for _, tc := range []struct {
		name, url string
		ok        bool
	}{
		{"OK", srv.URL + "/readyz", true},
		{"ErrUnavailable", srv.URL + "/down", false},
		{"ErrUnreachable", closed.URL + "/readyz", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := exec.Command(bin, tc.url).Run()
			if (err == nil) != tc.ok {
				t.Fatalf("healthcheck %s: err %v, want ok=%v", tc.url, err, tc.ok)
			}
		})
	}
}
