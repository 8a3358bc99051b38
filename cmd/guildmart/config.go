package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting, from environment variables (documented in README.md).
type Config struct {
	Addr           string        // GUILDMART_ADDR, default :8080
	AdminAddr      string        // GUILDMART_ADMIN_ADDR (workers' health/metrics), default :9090
	DataDir        string        // GUILDMART_DATA_DIR, default .data
	PGPort         int           // GUILDMART_PG_PORT (embedded cluster), default 54329
	DatabaseURL    string        // DATABASE_URL (as the application role)
	MigrationURL   string        // MIGRATION_DATABASE_URL (as the owner), default DATABASE_URL
	LogLevel       slog.Level    // LOG_LEVEL debug|info|warn|error, default info
	RequestTimeout time.Duration // GUILDMART_REQUEST_TIMEOUT, default 15s
	ShutdownGrace  time.Duration // GUILDMART_SHUTDOWN_GRACE, default 20s
	Introspection  *bool         // GUILDMART_INTROSPECTION, default on in dev, off in serve
	Workers        int           // GUILDMART_WORKERS (jobs run at once per process), default 10
	KratosPublic   string        // KRATOS_PUBLIC_URL
	KratosAdmin    string        // KRATOS_ADMIN_URL
	MeiliURL       string        // MEILI_URL
	MeiliKey       string        // MEILI_API_KEY
}

// LoadConfig reads and validates the environment; errors name the variable and the fix.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Addr: or(getenv("GUILDMART_ADDR"), ":8080"), AdminAddr: or(getenv("GUILDMART_ADMIN_ADDR"), ":9090"),
		DataDir: or(getenv("GUILDMART_DATA_DIR"), ".data"), DatabaseURL: getenv("DATABASE_URL"),
		MigrationURL: getenv("MIGRATION_DATABASE_URL"), KratosPublic: getenv("KRATOS_PUBLIC_URL"),
		KratosAdmin: getenv("KRATOS_ADMIN_URL"), MeiliURL: getenv("MEILI_URL"), MeiliKey: getenv("MEILI_API_KEY"),
	}
	var err error
	for _, a := range []struct{ name, v string }{{"GUILDMART_ADDR", c.Addr}, {"GUILDMART_ADMIN_ADDR", c.AdminAddr}} {
		if _, _, e := net.SplitHostPort(a.v); e != nil {
			return c, fmt.Errorf("%s=%q is not a listen address like :8080 or 127.0.0.1:8080", a.name, a.v)
		}
	}
	if c.PGPort, err = intVar(getenv, "GUILDMART_PG_PORT", 54329, 1, 65535); err != nil {
		return c, err
	}
	if c.Workers, err = intVar(getenv, "GUILDMART_WORKERS", 10, 1, 1000); err != nil {
		return c, err
	}
	if c.RequestTimeout, err = durVar(getenv, "GUILDMART_REQUEST_TIMEOUT", 15*time.Second); err != nil {
		return c, err
	}
	if c.ShutdownGrace, err = durVar(getenv, "GUILDMART_SHUTDOWN_GRACE", 20*time.Second); err != nil {
		return c, err
	}
	switch strings.ToLower(or(getenv("LOG_LEVEL"), "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return c, fmt.Errorf("LOG_LEVEL=%q must be debug, info, warn or error", getenv("LOG_LEVEL"))
	}
	if v := getenv("GUILDMART_INTROSPECTION"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("GUILDMART_INTROSPECTION=%q must be true or false", v)
		}
		c.Introspection = &b
	}
	if (c.KratosPublic == "") != (c.KratosAdmin == "") {
		return c, fmt.Errorf("set both KRATOS_PUBLIC_URL and KRATOS_ADMIN_URL, or neither")
	}
	if c.MigrationURL == "" {
		c.MigrationURL = c.DatabaseURL
	}
	return c, nil
}

func (c Config) logger(w *os.File) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel}))
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func intVar(getenv func(string) string, name string, def, min, max int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s=%q must be a whole number from %d to %d", name, v, min, max)
	}
	return n, nil
}

func durVar(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q must be a positive duration like 15s or 2m", name, v)
	}
	return d, nil
}
