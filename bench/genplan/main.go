// Command genplan writes a Terraform plan JSON of n resource changes by
// scaling the realistic AWS plan fixture of internal/iac, for benchmarks of
// paved check against conftest and opa eval:
//
//	go run ./bench/genplan -n 10000 -o plan.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/paved-dev/paved/internal/iac"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "genplan:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("genplan", flag.ContinueOnError)
	n := fs.Int("n", 10000, "number of resource changes")
	out := fs.String("o", "-", "output file (- for standard output)")
	tmpl := fs.String("template", "internal/iac/testdata/plan/aws.json", "plan JSON to scale (run from the repository root)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	data, err := os.ReadFile(*tmpl)
	if err != nil {
		return err
	}
	plan, err := iac.ScalePlan(data, *n)
	if err != nil {
		return err
	}
	plan = append(plan, '\n')
	if *out == "-" {
		_, err = os.Stdout.Write(plan)
		return err
	}
	return os.WriteFile(*out, plan, 0o644)
}
