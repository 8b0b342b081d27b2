//go:build !unix

package iac

import "time"

func processCPU() time.Duration { return 0 }
