package migrate_test

import (
	"testing"

	"github.com/guildmart/guildmart/internal/migrate"
)

func TestReady(t *testing.T) {
	for _, tc := range []struct {
		st migrate.Status
		ok bool
	}{
		{migrate.Status{Current: 5, Latest: 5, RiverCurrent: true}, true},
		{migrate.Status{Current: 6, Latest: 5, RiverCurrent: true}, true}, // previous release on a newer schema
		{migrate.Status{Current: 4, Latest: 5, RiverCurrent: true}, false},
		{migrate.Status{Current: 5, Latest: 5, RiverCurrent: false}, false},
	} {
		if err := tc.st.Ready(); (err == nil) != tc.ok {
			t.Errorf("%+v: Ready() = %v", tc.st, err)
		}
	}
}
