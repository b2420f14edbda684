package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// envWorkerParent is the pid of the test that started a worker process
// (the crash, power-cut, adapter and job workers: killOnCleanup sets it).
const envWorkerParent = "SUPPORTBOT_WORKER_PARENT"

// TestMain ends a worker whose test is gone: a test binary that go test
// killed for its timeout runs no cleanup, and its workers (waiting to be
// killed, some under strace) would run on for ever.
func TestMain(m *testing.M) {
	if v := os.Getenv(envWorkerParent); v != "" {
		pid, err := strconv.Atoi(v)
		if err != nil || pid <= 1 {
			fmt.Fprintf(os.Stderr, "%s=%q is not a pid\n", envWorkerParent, v)
			os.Exit(2)
		}
		go endWithParent(pid)
	}
	os.Exit(m.Run())
}

// endWithParent exits the process once pid no longer exists.
func endWithParent(pid int) {
	for range time.Tick(time.Second) {
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			fmt.Fprintf(os.Stderr, "worker: the test (pid %d) is gone; ending\n", pid)
			os.Exit(3)
		}
	}
}
