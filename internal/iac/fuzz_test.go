package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// FuzzRead throws arbitrary bytes at Read: it must never panic, and what it
// accepts must marshal to JSON (no NaN, no cycles), Raw included.
func FuzzRead(f *testing.F) {
	for _, dir := range []string{"plan", "k8s", "bad"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`{"format_version":"1.2","planned_values":{},"resource_changes":[null,{"change":{"actions":["create"],"after":{"a":1},"after_sensitive":{"a":[true]}}}]}`))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("{{ .Values }}: x\n"))
	f.Add([]byte("# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"))
	f.Add([]byte("a: 1\r\n---\r\n~\r\n---\r\nb: 2\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The options paved check uses with conftest policies (any document)
		// and without them (no raw plan, no prior values) take other paths
		// through the reader: they must not panic either, and must agree
		// with the default on the resources' addresses.
		other, errOther := Read("fuzz", data, Options{MaxFileBytes: 1 << 20, AcceptOther: true})
		slim, errSlim := Read("fuzz", data, Options{MaxFileBytes: 1 << 20, DropRaw: true, DropBefore: true})
		docs, err := Read("fuzz", data, Options{MaxFileBytes: 1 << 20})
		if (err == nil) != (errSlim == nil) {
			t.Fatalf("DropRaw/DropBefore changed the outcome: %v vs %v", err, errSlim)
		}
		if err == nil && errOther != nil {
			t.Fatalf("AcceptOther refused what the default reads: %v", errOther)
		}
		for _, d := range other {
			if _, err := json.Marshal(d); err != nil {
				t.Fatalf("document (AcceptOther) does not marshal: %v", err)
			}
		}
		if err != nil {
			return
		}
		// The empty documents AcceptOther adds for conftest-style policies
		// hold no resources: both read the same resources.
		count := func(ds []*Document) (n int) {
			for _, d := range ds {
				n += len(d.Resources)
			}
			return n
		}
		if count(other) != count(docs) {
			t.Fatalf("AcceptOther read %d resources, the default %d", count(other), count(docs))
		}
		for i, d := range docs {
			if len(slim[i].Resources) != len(d.Resources) {
				t.Fatalf("DropBefore changed the resources of document %d", i)
			}
			for j, r := range d.Resources {
				if slim[i].Resources[j].Address != r.Address {
					t.Fatalf("DropBefore changed an address: %s vs %s", r.Address, slim[i].Resources[j].Address)
				}
			}
		}
		for _, d := range docs {
			if _, err := json.Marshal(d); err != nil {
				t.Fatalf("document does not marshal: %v", err)
			}
			raw, err := d.Raw()
			if err != nil {
				continue
			}
			if _, err := json.Marshal(raw); err != nil {
				t.Fatalf("Raw does not marshal: %v", err)
			}
		}
	})
}

// FuzzScanJSON checks the validating scanner against encoding/json: both
// must agree on whether a text is one valid JSON value, and the fast
// decoder must then produce what encoding/json produces.
func FuzzScanJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[1,2]`, `{"a":"\u00e9"}`, `-0.5e-3`, `"x`, `{"a":}`, `[1,]`, `01`, `1.`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		vals, serr := scanJSON(data)
		one := serr == nil && len(vals) == 1
		valid := json.Valid(data)
		if valid != one && !(serr == nil && len(vals) > 1) {
			t.Fatalf("scanJSON ok=%v (%d values, err %v), json.Valid=%v for %q", serr == nil, len(vals), serr, valid, data)
		}
		if !valid || !utf8.Valid(data) {
			// Read refuses invalid UTF-8 before decoding, so the fast
			// decoder need not replace it as encoding/json does.
			return
		}
		var want any
		if err := json.Unmarshal(data, &want); err != nil {
			return // a number out of float64's range
		}
		got := newFastDecoder().decode(data)
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Fatalf("fast decoder: got %s, want %s", g, w)
		}
	})
}
