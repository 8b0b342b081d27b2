// Command genfocus writes a realistic FOCUS 1.2 cost and usage file for
// benchmarks: hourly lines of resources spread over services, teams and
// accounts, made from the rows of an AWS FOCUS export sample
// (internal/cost/focus_sample.csv, or -sample FILE: instances, databases,
// buckets, volumes, NAT gateways, functions, data transfer, cache nodes;
// about 700 bytes a line with its 56 columns), with
// a share of untagged and owner-only resources, plus the month's tax,
// credit and support lines. The output is deterministic for a given seed.
//
//	go run ./bench/genfocus -rows 1000000 -o focus.csv
//	go run ./bench/genfocus -rows 1000000 -gzip -o focus.csv.gz
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/paved-dev/paved/internal/cost"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "approximate number of lines (resources x hours of the month)")
	month := flag.String("month", "2026-10", "the billing month, YYYY-MM")
	teams := flag.Int("teams", 20, "number of teams")
	services := flag.Int("services", 200, "number of services")
	accounts := flag.Int("accounts", 40, "number of sub-accounts")
	untagged := flag.Float64("untagged", 0.1, "share of untagged resources")
	seed := flag.Uint64("seed", 1, "random seed")
	sampleFile := flag.String("sample", "", "a FOCUS CSV whose lines are the templates (default: the embedded AWS sample)")
	zip := flag.Bool("gzip", false, "gzip the output")
	out := flag.String("o", "-", "output file, - for stdout")
	flag.Parse()
	var sample []byte
	if *sampleFile != "" {
		b, err := os.ReadFile(*sampleFile)
		if err != nil {
			fail(err)
		}
		sample = b
	}
	m, err := time.Parse("2006-01", *month)
	if err != nil {
		fail(fmt.Errorf("-month %q: want YYYY-MM", *month))
	}
	var svcs []cost.GenService
	for i := 0; i < *services; i++ {
		svcs = append(svcs, cost.GenService{
			Name:    fmt.Sprintf("svc-%03d", i),
			Team:    fmt.Sprintf("team-%02d", i%*teams),
			Account: fmt.Sprintf("4000%08d", i%*accounts),
			Weight:  1 + i%5,
		})
	}
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var dst io.Writer = bw
	var zw *gzip.Writer
	if *zip {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	n, err := cost.GenerateFOCUS(dst, cost.GenOptions{
		Sample: sample, Month: m, Rows: *rows, Services: svcs, Untagged: *untagged, OwnerOnly: 0.05, Seed: *seed,
	})
	if err != nil {
		fail(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			fail(err)
		}
	}
	if err := bw.Flush(); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "genfocus: %d lines\n", n)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genfocus:", err)
	os.Exit(1)
}
