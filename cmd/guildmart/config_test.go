package main

import (
	"strings"
	"testing"
)

func TestLoadConfig(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	c, err := LoadConfig(env(nil))
	if err != nil || c.Addr != ":8080" || c.DataDir != ".data" || c.PGPort != 54329 || c.RequestTimeout.String() != "15s" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, _ = LoadConfig(env(map[string]string{"DATABASE_URL": "postgres://app@h/db"}))
	if c.MigrationURL != "postgres://app@h/db" {
		t.Errorf("MIGRATION_DATABASE_URL should default to DATABASE_URL")
	}
	for name, kv := range map[string]map[string]string{
		"GUILDMART_ADDR":            {"GUILDMART_ADDR": "8080"},
		"GUILDMART_PG_PORT":         {"GUILDMART_PG_PORT": "99999"},
		"LOG_LEVEL":                 {"LOG_LEVEL": "loud"},
		"GUILDMART_REQUEST_TIMEOUT": {"GUILDMART_REQUEST_TIMEOUT": "soon"},
		"GUILDMART_INTROSPECTION":   {"GUILDMART_INTROSPECTION": "maybe"},
		"KRATOS_PUBLIC_URL":         {"KRATOS_PUBLIC_URL": "http://k"},
	} {
		if _, err := LoadConfig(env(kv)); err == nil || !strings.Contains(err.Error(), strings.Split(name, "_URL")[0]) {
			t.Errorf("%s: want an error naming it, got %v", name, err)
		}
	}
}
