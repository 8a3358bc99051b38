package gateway

import "time"

// Config are the gateway's limits. Zero values take the defaults below.
type Config struct {
	RequestTimeout time.Duration // whole request, default 15s
	MaxBodyBytes   int64         // POST body cap, default 1 MiB
	MaxDepth       int           // query depth, default 12
	MaxSelections  int           // fields selected in one query, default 2000
	MaxQueryLength int           // characters, default 20000
	Introspection  bool          // allow schema introspection (on in dev)
	Version        string
}

func (c Config) withDefaults() Config {
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 15 * time.Second
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxDepth == 0 {
		c.MaxDepth = 12
	}
	if c.MaxSelections == 0 {
		c.MaxSelections = 2000
	}
	if c.MaxQueryLength == 0 {
		c.MaxQueryLength = 20000
	}
	return c
}
