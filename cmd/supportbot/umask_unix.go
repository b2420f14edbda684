//go:build unix

package main

import "syscall"

// privateUmask makes every file and folder the process creates private to
// its user, whatever the umask it was started with (docs/operations.md).
func privateUmask() { syscall.Umask(0o077) }
