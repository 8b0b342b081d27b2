package main

import (
	"context"
	"fmt"
	"os"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/policy"
)

func main() {
	docs, err := iac.ReadPaths(os.Args[1:], iac.Options{})
	if err != nil {
		fmt.Println("read:", err)
		os.Exit(1)
	}
	e, err := policy.New(policy.Options{})
	if err != nil {
		fmt.Println("engine:", err)
		os.Exit(1)
	}
	fs, err := e.Check(context.Background(), docs, paved.ServiceContext{Tier: 1, DataClass: "confidential"})
	if err != nil {
		fmt.Println("check:", err)
		os.Exit(1)
	}
	for _, f := range fs {
		fmt.Printf("%-5s %-32s %-50s %s | %s=%v\n", f.Severity, f.Rule, f.Resource, f.Message, f.Path, f.Value)
	}
}
