package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are set when building a release (the Dockerfile
// does): go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git
// rev-parse HEAD)". Otherwise they come from what Go recorded in the binary.
var (
	version = ""
	commit  = ""
)

const whatsmeowModule = "go.mau.fi/whatsmeow"

// buildFacts is what `supportbot version` reports.
type buildFacts struct {
	Version, Commit, Go, Whatsmeow string
	Modified                       bool
}

func readBuildFacts() buildFacts {
	f := buildFacts{Version: version, Commit: commit, Go: runtime.Version(), Whatsmeow: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		if f.Version == "" {
			f.Version = "devel"
		}
		if f.Commit == "" {
			f.Commit = "unknown"
		}
		return f
	}
	if f.Version == "" {
		f.Version = info.Main.Version // a tag with `go install …@v1.2.3`, else (devel)
	}
	if f.Version == "" || f.Version == "(devel)" {
		f.Version = "devel"
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if f.Commit == "" {
				f.Commit = s.Value
			}
		case "vcs.modified":
			f.Modified = s.Value == "true"
		}
	}
	if f.Commit == "" {
		f.Commit = "unknown"
	}
	for _, d := range info.Deps {
		if d.Path == whatsmeowModule {
			f.Whatsmeow = d.Version
			if d.Replace != nil {
				f.Whatsmeow = d.Replace.Version + " (replaced)"
			}
		}
	}
	return f
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs, _ := newFlags("version", env)
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	f := readBuildFacts()
	commit := f.Commit
	if f.Modified {
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(env.Stdout, "supportbot %s\ncommit     %s\ngo         %s\nwhatsmeow  %s\n", f.Version, commit, f.Go, f.Whatsmeow)
	return nil
}
