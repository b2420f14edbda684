package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// Modes of everything the bot keeps: the database holds customers' messages
// and the session file the WhatsApp account's keys, so only the bot's own
// user may read them (docs/operations.md, "Files and folders").
const (
	privateFileMode = 0o600
	privateDirMode  = 0o700
)

// privateFile makes sure path exists as a file only its owner can read:
// a missing file is created 0600 (in a 0700 folder when that is missing
// too), so SQLite, which gives its WAL and shared-memory files the mode
// of the database, creates nothing wider; an existing file, and its WAL and
// shared-memory files, lose any group or other bits.
func privateFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), privateDirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, privateFileMode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := tighten(p); err != nil {
			return err
		}
	}
	return nil
}

// tighten takes group and other permissions off an existing file.
func tighten(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(path, fi.Mode().Perm()&^0o077)
	}
	return nil
}

// mustExist refuses a database that does not exist, for the commands that
// only read: opening it would create an empty one and report nothing.
func mustExist(path, configPath string, fromFile bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		where := "-db, or " + EnvDatabase
		if fromFile {
			where = fmt.Sprintf("-db, or database in %s (relative paths there are relative to its folder)", configPath)
		}
		return fmt.Errorf("database %s does not exist (check %s); nothing was created", path, where)
	case err != nil:
		return fmt.Errorf("database %s: %w", path, err)
	case fi.IsDir():
		return fmt.Errorf("database %s is a folder, not a file", path)
	}
	return nil
}

// runLock is held by `supportbot run` for as long as it runs, so that a
// second bot on the same database (two bots answering the same customers,
// sending everything twice) is refused. The operating system drops the lock
// with the process, even a killed one.
type runLock struct{ fl *flock.Flock }

// lockPath is the lock file of a database: beside it, not the database
// itself, whose locks belong to SQLite.
func lockPath(database string) string { return database + ".lock" }

// acquireRunLock takes the lock of database or says which process holds it.
func acquireRunLock(database string) (*runLock, error) {
	path := lockPath(database)
	if err := os.MkdirAll(filepath.Dir(path), privateDirMode); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	fl := flock.New(path, flock.SetPermissions(privateFileMode))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		holder := "another process"
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				holder = fmt.Sprintf("process %d", pid)
			}
		}
		return nil, fmt.Errorf("database %s is already in use by a running supportbot (%s, lock file %s): stop that one first", database, holder, path)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), privateFileMode); err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &runLock{fl: fl}, nil
}

// release drops the lock; the file stays, empty, for the next run.
func (l *runLock) release() error {
	_ = os.Truncate(l.fl.Path(), 0)
	return l.fl.Unlock()
}
