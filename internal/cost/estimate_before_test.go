package cost

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paved-dev/paved/internal/iac"
)

// paved check reads plans with iac.Options.BeforeForChanges when it
// estimates cost (prior values only for updated, replaced and deleted
// objects): the estimate must be the one every prior value gives.
func TestEstimateNeedsPriorValuesOnlyForChanges(t *testing.T) {
	pb, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var plans []string
	for _, pat := range []string{"testdata/prices/*.json", "../iac/testdata/plan/*.json", "../../bench/testdata/*.json"} {
		m, _ := filepath.Glob(pat)
		plans = append(plans, m...)
	}
	compared := 0
	for _, p := range plans {
		full, err := iac.ReadPaths([]string{p}, iac.Options{DropRaw: true})
		if err != nil {
			continue // fixtures of other inputs
		}
		slim, err := iac.ReadPaths([]string{p}, iac.Options{DropRaw: true, BeforeForChanges: true})
		if err != nil {
			t.Fatal(err)
		}
		a := pb.Estimate(PlanInput{Name: p, Resources: full[0].Resources})
		b := pb.Estimate(PlanInput{Name: p, Resources: slim[0].Resources})
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: the estimate changes when no-op and created objects have no prior values", p)
		}
		compared += len(a.Resources)
	}
	if compared < 30 {
		t.Fatalf("only %d priced resources compared", compared)
	}
}
