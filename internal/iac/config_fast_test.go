package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fastConfig must decode exactly what encoding/json decodes into
// planConfig, or give up.
func TestFastConfigMatchesEncodingJSON(t *testing.T) {
	var inputs [][]byte
	for _, pat := range []string{"testdata/plan/*.json", "testdata/realworld/*.json", "../../bench/testdata/*.json", "../policy/testdata/realworld/*/*.json", "../policy/testdata/corpus/terraform/*/*.json"} {
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
		// Expressions, variables and module inputs (planconfig.go).
		[]byte(`{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"constant_value":null},"y":{"constant_value":{"k":[1,2]}},"z":{"references":["var.z"]},"w":{"references":["var.w.k","var.w"]},"u":{},"blk":[{"enabled":{"constant_value":true},"inner":[{}]},{}],"one":{"enabled":{"references":["aws_kms_key.k.arn","aws_kms_key.k"]}},"none":[]}}],`+
			`"variables":{"a":{"default":null},"b":{"default": {"x" : 1} ,"description":"d"},"c":{"description":"required"},"d":null,"Default":{}},`+
			`"module_calls":{"m":{"source":"./m","expressions":{"in":{"constant_value":false},"ref":{"references":["var.a"]}},"module":{"variables":{"in":{"default":true}},"resources":[{"address":"c.d","expressions":{"e":{"references":["var.in"]}}}]}}}}}`),
		[]byte(`{"root_module":{"resources":[{"address":"a.b","expressions":null}],"variables":null,"module_calls":{"m":{"expressions":null,"module":null}}}}`),
		[]byte(`{"root_module":{"resources":[{"address":"a.b","expressions":{"refs":{"references":[1,"var.x"]},"one":{"references":[{"a":1}]},"s":{"references":"var.x"},"dup":{"constant_value":1,"constant_value":null}}}]}}`),
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
		// Shapes Terraform does not write: encoding/json reads them leniently.
		`{"root_module":{"resources":[{"address":"a.b","expressions":[]}]}}`,
		`{"root_module":{"resources":[{"address":"a.b","expressions":{"x":"str"}}]}}`,
		`{"root_module":{"resources":[{"address":"a.b","expressions":{"blk":[1]}}]}}`,
		`{"root_module":{"resources":[{"address":"a.b","expressions":{"blk":{"references":[],"attr":{}}}}]}}`,
		`{"root_module":{"variables":{"a":5}},"expressions":0}`,
		`{"root_module":{"variables":[]},"expressions":0}`,
		`{"root_module":{"resources":[{"address":"a.b","Expressions":{}}]}}`,
	} {
		if _, err := fastConfig([]byte(raw)); err == nil {
			t.Errorf("%s: fastConfig decoded it; encoding/json should", raw)
		}
		var cfg planConfig
		if err := json.Unmarshal([]byte(raw), &cfg); err != nil && strings.Contains(raw, "xpressions") {
			t.Errorf("%s: encoding/json refuses it: %v", raw, err)
		}
	}
}

// FuzzFastConfig: on any valid JSON, fastConfig either gives up or agrees
// with encoding/json.
func FuzzFastConfig(f *testing.F) {
	f.Add([]byte(`{"root_module":{"resources":[{"address":"a.b","provider_config_key":"aws"}],"module_calls":{"m":{"module":{}}}}}`))
	f.Add([]byte(`{"provider_config":{"aws":{"name":"aws","expressions":{"region":{"constant_value":"eu-west-1"}}}}}`))
	f.Add([]byte(`{"root_module":{"variables":{"a":{"default":null}},"resources":[{"address":"a.b","expressions":{"x":{"constant_value":null},"y":{"references":["var.a"]},"b":[{"e":{"constant_value":true}}],"s":{"k":{}}}}],"module_calls":{"m":{"expressions":{"a":{"references":["var.a"]}},"module":{}}}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if vals, serr := scanJSON(raw); serr != nil || len(vals) != 1 || !utf8.Valid(raw) {
			return // fastConfig only sees one scanned value of valid UTF-8 (decodeText refuses the rest)
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
