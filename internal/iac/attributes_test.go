package iac

import (
	"math/rand/v2"
	"testing"
)

// plainWord must agree with the byte-at-a-time test it replaces, for every
// position of every interesting byte.
func TestPlainWord(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 }
	check := func(b [8]byte) {
		var x uint64
		want := true
		for i := 7; i >= 0; i-- {
			x = x<<8 | uint64(b[i])
			if special(b[i]) {
				want = false
			}
		}
		if got := plainWord(x); got != want {
			t.Fatalf("plainWord(% x) = %v, want %v", b, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			b := [8]byte{'a', 'b', 'c', 'd', 0xc3, 0xa9, 'x', 0x7f}
			b[pos] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		var b [8]byte
		for j := range b {
			b[j] = byte(r.IntN(256))
		}
		check(b)
	}
}

// Options.Attributes leaves out what the caller does not read, but never
// what the reader itself needs (tags, region).
func TestReadAttributes(t *testing.T) {
	plan := `{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.db","mode":"managed","type":"aws_db_instance","name":"db","provider_name":"registry.terraform.io/hashicorp/aws",
	"change":{"actions":["create"],"before":null,
	"after":{"instance_class":"db.r5.large","engine":"postgres","password":"hunter2","region":"eu-west-1","tags":{"team":"alpha"},"tags_all":{"team":"alpha","env":"prod"},"nested":{"instance_class":"kept-as-part-of-nested"}},
	"after_unknown":{"arn":true,"engine":false},"after_sensitive":{"password":true}}}]}`
	docs, err := Read("plan.json", []byte(plan), Options{Attributes: func() map[string]bool {
		return map[string]bool{"instance_class": true, "password": true}
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := docs[0].Resources[0]
	for _, k := range []string{"instance_class", "password", "region", "tags", "tags_all"} {
		if _, ok := r.After[k]; !ok {
			t.Errorf("after.%s was left out", k)
		}
	}
	for _, k := range []string{"engine", "nested"} {
		if _, ok := r.After[k]; ok {
			t.Errorf("after.%s was kept", k)
		}
	}
	if r.After["password"] != "(sensitive)" {
		t.Errorf("password = %v, want it masked", r.After["password"])
	}
	if len(r.AfterUnknown) != 0 {
		t.Errorf("after_unknown = %v, want arn and engine left out", r.AfterUnknown)
	}
	if r.Region != "eu-west-1" || r.Tags["env"] != "prod" {
		t.Errorf("region %q tags %v: the reader lost what it reads itself", r.Region, r.Tags)
	}
	// nil keeps everything.
	docs, err = Read("plan.json", []byte(plan), Options{Attributes: func() map[string]bool { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs[0].Resources[0].After) != 7 {
		t.Errorf("nil projection kept %d attributes, want 7", len(docs[0].Resources[0].After))
	}
}

// Options.BeforeForChanges keeps prior values only where the plan changes
// or deletes the object.
func TestReadBeforeForChanges(t *testing.T) {
	plan := `{"format_version":"1.2","resource_changes":[
	{"address":"a.noop","mode":"managed","type":"a","name":"noop","change":{"actions":["no-op"],"before":{"size":1},"after":{"size":1}}},
	{"address":"a.new","mode":"managed","type":"a","name":"new","change":{"actions":["create"],"before":null,"after":{"size":2}}},
	{"address":"a.upd","mode":"managed","type":"a","name":"upd","change":{"actions":["update"],"before":{"size":1},"after":{"size":3}}},
	{"address":"a.gone","mode":"managed","type":"a","name":"gone","change":{"actions":["delete"],"before":{"size":4,"tags":{"team":"x"}},"after":null}},
	{"address":"a.repl","mode":"managed","type":"a","name":"repl","change":{"actions":["create","delete"],"before":{"size":5},"after":{"size":6}}},
	{"address":"a.odd","mode":"managed","type":"a","name":"odd","change":{"before":{"size":7},"actions":["no-op"],"after":{"size":7}}}]}`
	docs, err := Read("plan.json", []byte(plan), Options{BeforeForChanges: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"a.noop": false, "a.new": false, "a.upd": true, "a.gone": true, "a.repl": true, "a.odd": true}
	for _, r := range docs[0].Resources {
		if got := r.Before != nil; got != want[r.Address] {
			t.Errorf("%s (%s): prior values kept = %v, want %v", r.Address, r.Action, got, want[r.Address])
		}
	}
	if r := docs[0].Resources[3]; r.Tags["team"] != "x" {
		t.Errorf("a deleted object lost its tags: %v", r.Tags)
	}
}
