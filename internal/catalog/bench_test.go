package catalog

import (
	"bytes"
	"fmt"
	"testing"

	paved "github.com/paved-dev/paved"
)

// generate writes a Backstage catalog of teams Groups and n Components
// spread over them, with the fields real catalogs carry.
func generate(teams, n int) []byte {
	var b bytes.Buffer
	lifecycles := []string{"experimental", "production", "deprecated"}
	for i := 0; i < teams; i++ {
		fmt.Fprintf(&b, "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-%02d\n  description: Team number %d\nspec:\n  type: team\n  profile:\n    displayName: Team %d\n    email: team-%02d@example.com\n  children: []\n", i, i, i, i)
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: service-%05d
  title: Service %d
  description: Generated service number %d for the import benchmark
  tags: [go, generated]
  links:
    - url: https://git.example.com/service-%05d
      title: Repository
  annotations:
    github.com/project-slug: example/service-%05d
    paved.dev/tier: "%d"
spec:
  type: service
  lifecycle: %s
  owner: group:default/team-%02d
  system: system-%d
  dependsOn: [resource:db-%05d]
  providesApis: [api-%05d]
`, i, i, i, i, i, 1+i%4, lifecycles[i%3], i%teams, i%20, i, i)
	}
	return b.Bytes()
}

// BenchmarkLoadPlan10k times reading and planning 10,000 components in 50
// teams into an empty catalog, the parse-and-plan share of issue 2's
// 5-second import target.
func BenchmarkLoadPlan10k(b *testing.B) {
	files := []File{{Name: "catalog-info.yaml", Data: generate(50, 10_000)}}
	opt := DefaultOptions()
	b.SetBytes(int64(len(files[0].Data)))
	b.ReportAllocs()
	for b.Loop() {
		p := Plan(nil, LoadFiles(files, opt), opt)
		if len(p.Services) != 10_000 {
			b.Fatalf("%d services planned", len(p.Services))
		}
	}
}

// BenchmarkReplan10k times a re-import of the same 10,000 components:
// everything matches and nothing changes.
func BenchmarkReplan10k(b *testing.B) {
	files := []File{{Name: "catalog-info.yaml", Data: generate(50, 10_000)}}
	opt := DefaultOptions()
	cur := apply(&paved.Catalog{}, Plan(nil, LoadFiles(files, opt), opt))
	b.ReportAllocs()
	for b.Loop() {
		p := Plan(cur, LoadFiles(files, opt), opt)
		if n := p.Counts()[paved.OutcomeUnchanged]; n != 10_050 {
			b.Fatalf("%d unchanged", n)
		}
	}
}
