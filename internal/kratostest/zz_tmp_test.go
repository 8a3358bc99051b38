package kratostest

import (
	"os"
	"strings"
	"testing"
)

func TestTmpLog(t *testing.T) {
	pg, err := StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	dsn, err := pg.CreateDatabase("kratos")
	if err != nil {
		t.Fatal(err)
	}
	k := Start(t, dsn)
	k.Register(t, "x@example.test", "correct-horse-battery-staple-42", "X")
	b, _ := os.ReadFile(k.logPath)
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, "level=info") && l != "" {
			if len(l) > 600 { l = l[:600] }
			t.Log(l)
		}
	}
	cfg, _ := os.ReadFile(k.ConfigDir + "/kratos.yml")
	t.Log(string(cfg))
}
