package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fastConfig must decode exactly what encoding/json decodes into
// planConfig, or give up.
func TestFastConfigMatchesEncodingJSON(t *testing.T) {
	var inputs [][]byte
	for _, pat := range []string{"testdata/plan/*.json", "testdata/realworld/*.json", "../../bench/testdata/*.json", "../policy/testdata/realworld/*/*.json"} {
		paths, _ := filepath.Glob(pat)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]json.RawMessage
			if json.Unmarshal(b, &top) != nil || top["configuration"] == nil {
				continue
			}
			inputs = append(inputs, top["configuration"])
		}
	}
	if len(inputs) < 5 {
		t.Fatalf("only %d configurations found", len(inputs))
	}
	inputs = append(inputs,
		[]byte(`{"root_module":{"resources":[{"address":"a.b","provider_config_key":"aws"}],"module_calls":{"m":{"module":{"resources":[{"address":"c.d","provider_config_key":"m:aws"}]}}}}}`),
		[]byte(`{"root_module":null,"provider_config":null}`),
		[]byte(`{"root_module":{"resources":null,"module_calls":{"x":{"source":"./x"}}}}`),
	)
	for i, raw := range inputs {
		var want planConfig
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		got, err := fastConfig(raw)
		if err != nil {
			t.Fatalf("input %d: fastConfig gave up on a configuration encoding/json reads: %v", i, err)
		}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("input %d: fastConfig and encoding/json differ:\n%+v\n%+v", i, got, &want)
		}
	}
	// Shapes it leaves to encoding/json.
	for _, raw := range []string{
		`{"root_module":{"resources":{}}}`,
		`{"root_module":{"resources":[{"address":1}]}}`,
		`{"Root_Module":{}}`,
		`{"root_module":{"resources":[{"Address":"a.b"}]}}`,
		`[]`,
	} {
		if _, err := fastConfig([]byte(raw)); err == nil {
			t.Errorf("%s: fastConfig decoded it; encoding/json should", raw)
		}
	}
}

// FuzzFastConfig: on any valid JSON, fastConfig either gives up or agrees
// with encoding/json.
func FuzzFastConfig(f *testing.F) {
	f.Add([]byte(`{"root_module":{"resources":[{"address":"a.b","provider_config_key":"aws"}],"module_calls":{"m":{"module":{}}}}}`))
	f.Add([]byte(`{"provider_config":{"aws":{"name":"aws","expressions":{"region":{"constant_value":"eu-west-1"}}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if vals, serr := scanJSON(raw); serr != nil || len(vals) != 1 {
			return // fastConfig only sees one scanned value
		}
		got, err := fastConfig(raw)
		if err != nil {
			return
		}
		var want planConfig
		if json.Unmarshal(raw, &want) != nil {
			t.Fatalf("fastConfig decoded what encoding/json refuses: %s", raw)
		}
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("differ on %s:\n%+v\n%+v", raw, got, &want)
		}
	})
}
