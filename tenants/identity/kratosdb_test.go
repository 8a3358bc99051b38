package identity_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/kratostest"
)

// startKratos starts Kratos on a fresh database of the shared test server (no second
// PostgreSQL cluster); it skips like kratostest.Start.
func startKratos(tb testing.TB) *kratostest.Kratos { return kratostest.StartOnTestDB(tb) }
