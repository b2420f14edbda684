//go:build !unix

package main

// privateUmask: no umask outside Unix; the explicit modes still apply.
func privateUmask() {}
