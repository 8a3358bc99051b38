package payments_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
