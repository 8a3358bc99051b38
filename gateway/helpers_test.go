package gateway_test

import (
	"github.com/google/uuid"
	"github.com/guildmart/guildmart/internal/ids"
)

func (w *world) gid(kind, id string) string { return ids.Global(kind, uuid.MustParse(id)) }
