//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// TestServeReloadsOnSIGHUP: with polling off, SIGHUP reloads.
func TestServeReloadsOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	for name, body := range orgConfig("Alpha") {
		writeTestFile(t, filepath.Join(dir, name), body)
	}
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db"), "PAVED_BOOTSTRAP_TOKEN": testBootstrap}
	s := startServer(t, e, "--config", dir, "--reload-every", "0")
	first := dirVersion(t, dir)
	writeTestFile(t, filepath.Join(dir, "paved.yaml"), orgConfig("Beta")["paved.yaml"])
	time.Sleep(100 * time.Millisecond)
	if _, st := configStatus(t, s); st.Version != first {
		t.Fatalf("reloaded without SIGHUP: %+v", st)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	want := dirVersion(t, dir)
	waitFor(t, s, "the reload on SIGHUP", func(st paved.ConfigStatus) bool { return st.Version == want })
}
