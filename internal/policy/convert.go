package policy

import (
	"runtime"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// parallelValue converts a decoded JSON document to an OPA value using
// every core: a Terraform plan is one large object whose few big members
// (resource_changes, planned_values, prior_state, configuration) and their
// long arrays convert independently. ast.InterfaceToValue alone was the
// largest single cost of evaluating user policies on big plans.
func parallelValue(v any) (ast.Value, error) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 {
		return toValue(v)
	}
	return convertSplit(v, workers, 2)
}

// splitMin is the smallest array worth converting in pieces.
const splitMin = 256

func convertSplit(v any, workers, depth int) (ast.Value, error) {
	switch x := v.(type) {
	case map[string]any:
		if depth == 0 || len(x) == 0 {
			return toValue(v)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		vals := make([]ast.Value, len(keys))
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for i, k := range keys {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				vals[i], errs[i] = convertSplit(x[k], workers, depth-1)
			}()
		}
		wg.Wait()
		items := make([][2]*ast.Term, len(keys))
		for i, k := range keys {
			if errs[i] != nil {
				return nil, errs[i]
			}
			items[i] = ast.Item(ast.StringTerm(k), ast.NewTerm(vals[i]))
		}
		return ast.NewObject(items...), nil
	case []any:
		if len(x) < splitMin {
			return toValue(v)
		}
		terms := make([]*ast.Term, len(x))
		chunk := (len(x) + workers - 1) / workers
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			lo, hi := w*chunk, min((w+1)*chunk, len(x))
			if lo >= hi {
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					tv, err := toValue(x[i])
					if err != nil {
						errs[w] = err
						return
					}
					terms[i] = ast.NewTerm(tv)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return ast.NewArray(terms...), nil
	}
	return toValue(v)
}
