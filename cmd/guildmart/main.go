// Command guildmart is the one Guildmart binary: dev (everything on the embedded
// default), serve, work, migrate, seed, apikey, import, search, version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "guildmart:", err)
		}
		os.Exit(1)
	}
}

// Env is what a command gets: arguments, configuration and output streams.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdout io.Writer
	Stderr io.Writer
	Config Config
}

type command struct {
	summary string
	run     func(ctx context.Context, env *Env) error
}

var commands = map[string]command{}

// register adds a command; each command lives in its own cmd_*.go file.
func register(name, summary string, run func(ctx context.Context, env *Env) error) {
	commands[name] = command{summary, run}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "guildmart: unknown command %q\n\n", args[0])
		usage(stderr)
		return errUsage
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	return cmd.run(ctx, &Env{Args: args[1:], Getenv: getenv, Stdout: stdout, Stderr: stderr, Config: cfg})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: guildmart <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration is read from environment variables; see README.md.")
}

func init() {
	register("version", "print the version", func(ctx context.Context, env *Env) error {
		fmt.Fprintln(env.Stdout, "guildmart", version)
		return nil
	})
}
