// Command gencatalog writes a synthetic but realistic Backstage catalog for
// benchmarks: groups in a small hierarchy, users, and components spread over
// every lifecycle, tier and data class, with links, tags and dependencies as
// real catalogs carry them. The output is deterministic for a given seed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

func main() {
	components := flag.Int("components", 10000, "number of Component entities")
	teams := flag.Int("teams", 50, "number of product teams (Group entities)")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file, - for stdout")
	flag.Parse()
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencatalog:", err)
			os.Exit(2)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := generate(bw, *components, *teams, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gencatalog:", err)
		os.Exit(1)
	}
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencatalog:", err)
		os.Exit(1)
	}
}

var (
	lifecycles = []string{"experimental", "experimental", "production", "production", "production", "deprecated", "beta"}
	types      = []string{"service", "service", "service", "website", "library", "worker"}
	classes    = []string{"public", "internal", "internal", "confidential", "restricted"}
	domains    = []string{"payments", "checkout", "search", "identity", "catalogue", "shipping", "pricing", "reviews", "media", "analytics"}
	nouns      = []string{"api", "worker", "gateway", "indexer", "scheduler", "ledger", "notifier", "exporter", "sync", "portal"}
)

func generate(w io.Writer, n, teams int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	fmt.Fprint(w, `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: engineering
  description: All of engineering
spec:
  type: department
  children: []
`)
	for t := 0; t < teams; t++ {
		d := domains[t%len(domains)]
		fmt.Fprintf(w, `---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-%02d
  title: %s team %d
  description: Builds and runs the %s domain's services.
  links:
    - url: https://chat.example.com/channels/team-%02d
      title: Team channel
spec:
  type: team
  parent: engineering
  profile:
    displayName: %s %d
    email: team-%02d@example.com
  children: []
`, t, d, t, d, t, d, t, t)
		for u := 0; u < 2; u++ {
			fmt.Fprintf(w, `---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: user-%02d-%d
spec:
  profile:
    displayName: User %d of team %d
    email: user-%02d-%d@example.com
  memberOf: [team-%02d]
`, t, u, u, t, t, u, t)
		}
	}
	for i := 0; i < n; i++ {
		t := r.IntN(teams)
		d := domains[t%len(domains)]
		name := fmt.Sprintf("%s-%s-%05d", d, nouns[r.IntN(len(nouns))], i)
		tier := 1 + r.IntN(4)
		dep := ""
		if i > 0 && r.IntN(3) == 0 {
			dep = fmt.Sprintf("\n  dependsOn:\n    - component:%s-%s-%05d", domains[r.IntN(len(domains))], nouns[r.IntN(len(nouns))], r.IntN(i))
		}
		fmt.Fprintf(w, `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: %s
  title: %s %s %d
  description: Handles %s for the %s domain.
  annotations:
    github.com/project-slug: example/%s
    backstage.io/techdocs-ref: dir:.
    pagerduty.com/service-id: P%06d
    paved.dev/tier: "%d"
    paved.dev/data-class: %s
  tags: [%s, go, tier-%d]
  links:
    - url: https://github.com/example/%s
      title: Repository
      type: repo
    - url: https://runbooks.example.com/%s
      title: Runbook
      type: runbook
    - url: https://grafana.example.com/d/%s
      title: Dashboard
      type: dashboard
spec:
  type: %s
  lifecycle: %s
  owner: group:default/team-%02d
  system: %s%s
`, name, d, nouns[i%len(nouns)], i, nouns[i%len(nouns)], d, name, i, tier, classes[r.IntN(len(classes))],
			d, tier, name, name, name, types[r.IntN(len(types))], lifecycles[r.IntN(len(lifecycles))], t, d, dep)
	}
	return nil
}
