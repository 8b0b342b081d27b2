package policy

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
)

// Converting only the attributes the rules mention must not change a single
// finding. The inputs are every plan and manifest fixture of the iac package
// (plus PAVED_BENCH_PLAN when set), each checked for every tier.
func TestProjectionKeepsFindings(t *testing.T) {
	full, err := New(Options{NoProjection: true})
	if err != nil {
		t.Fatal(err)
	}
	proj, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if proj.attrKeys == nil || len(proj.attrKeys) < 50 {
		t.Fatalf("projection is off or suspiciously small: %d keys", len(proj.attrKeys))
	}
	var paths []string
	for _, pat := range []string{"../iac/testdata/plan/*.json", "../iac/testdata/k8s/*", "../iac/testdata/realworld/*", "testdata/realworld/*"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if p := os.Getenv("PAVED_BENCH_PLAN"); p != "" {
		paths = append(paths, p)
	}
	checked := 0
	for _, p := range paths {
		docs, err := iac.ReadPaths([]string{p}, iac.Options{})
		if err != nil {
			continue // fixtures of unsupported inputs
		}
		// The same inputs with the projection applied by the reader, as
		// paved check does (iac.Options.Attributes).
		projDocs, err := iac.ReadPaths([]string{p}, iac.Options{Attributes: proj.AttributeKeys})
		if err != nil {
			t.Fatalf("%s: read with the projection: %v", p, err)
		}
		for tier := paved.Tier(0); tier <= 4; tier++ {
			svc := paved.ServiceContext{Tier: tier, Phase: paved.PhaseProduction, DataClass: paved.DataRestricted}
			if tier == 0 {
				svc = paved.ServiceContext{}
			}
			a, err := full.Check(context.Background(), docs, svc)
			if err != nil {
				t.Fatal(err)
			}
			b, err := proj.Check(context.Background(), docs, svc)
			if err != nil {
				t.Fatal(err)
			}
			c, err := proj.Check(context.Background(), projDocs, svc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, c) {
				t.Errorf("%s tier %d: %d findings with every attribute, %d with the attributes left out by the reader", p, tier, len(a), len(c))
				for i := range min(len(a), len(c)) {
					if !reflect.DeepEqual(a[i], c[i]) {
						t.Errorf("first difference:\n%+v\n%+v", a[i], c[i])
						break
					}
				}
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s tier %d: %d findings with every attribute, %d with the projection", p, tier, len(a), len(b))
				for i := range min(len(a), len(b)) {
					if !reflect.DeepEqual(a[i], b[i]) {
						t.Errorf("first difference:\n%+v\n%+v", a[i], b[i])
						break
					}
				}
			}
			checked += len(a)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d findings compared: the test checks too little", checked)
	}
}

// A custom rule may build attribute names at run time: no projection then.
func TestProjectionOffWithCustomRules(t *testing.T) {
	e, err := New(Options{PolicyDirs: []string{"testdata/library"}})
	if err != nil {
		t.Fatalf("custom library fixture: %v", err)
	}
	if e.attrKeys != nil {
		t.Fatal("projection on with custom paved rules loaded")
	}
}
