//go:build unix

package iac

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used: the
// benchmarks report it per operation because wall time on a shared machine
// says more about the neighbours than about the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
