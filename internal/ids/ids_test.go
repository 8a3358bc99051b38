package ids_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/ids"
)

func TestGlobalIDs(t *testing.T) {
	id := uuid.New()
	g := ids.Global("Member", id)
	kind, got, ok := ids.Parse(g)
	if !ok || kind != "Member" || got != id {
		t.Fatalf("Parse(Global) = %s %s %v", kind, got, ok)
	}
	if _, ok := ids.ParseKind(g, "Storefront"); ok {
		t.Error("ParseKind accepted the wrong kind")
	}
	for _, bad := range []string{"", "!!", "TWVtYmVy", ids.Global("", id), "TWVtYmVyOm5vdC1hLXV1aWQ"} {
		if _, _, ok := ids.Parse(bad); ok {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
