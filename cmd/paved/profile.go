package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile of paved check to $PAVED_CPUPROFILE
// and an allocation profile (at the end) to $PAVED_MEMPROFILE, for
// measuring the command as users run it (docs/performance.md). The returned
// function stops them; it does nothing when neither variable is set.
func startProfiles(getenv func(string) string) (stop func()) {
	cpu, mem := getenv("PAVED_CPUPROFILE"), getenv("PAVED_MEMPROFILE")
	var stops []func()
	if cpu != "" {
		if f, err := os.Create(cpu); err != nil {
			fmt.Fprintf(os.Stderr, "paved: PAVED_CPUPROFILE: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "paved: PAVED_CPUPROFILE: %v\n", err)
			f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if mem != "" {
		runtime.MemProfileRate = 64 << 10
		stops = append(stops, func() {
			f, err := os.Create(mem)
			if err != nil {
				fmt.Fprintf(os.Stderr, "paved: PAVED_MEMPROFILE: %v\n", err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintf(os.Stderr, "paved: PAVED_MEMPROFILE: %v\n", err)
			}
		})
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
