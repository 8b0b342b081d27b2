package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/paved-dev/paved"
)

// Streaming a large plan.
//
// Reading a plan the ordinary way holds its whole text while the changes
// are decoded: on a 10k-resource plan of 43 MB that text is most of the
// memory paved check needs. When nobody will ask for the raw plan
// (Options.DropRaw), readFile streams a large plan instead: the validating
// scanner runs over a window of the file, the elements of resource_changes
// are copied out and decoded by workers while the scan goes on, and only
// the small members normalisation needs (format_version, configuration,
// variables...) are kept. planned_values and prior_state, about half of a
// plan, are validated and dropped.
//
// The streaming path only handles the ordinary case, a valid UTF-8 plan.
// Anything else (another kind of document, a syntax or type error, a
// byte-order mark, an errored plan, duplicate resource_changes) makes it
// give up, and the file is read again the ordinary way, which produces the
// documents or the precise error: both paths answer alike by construction.

// streamMinBytes is the size from which a plan file is streamed; smaller
// files are read whole (a variable so that tests can stream every fixture).
var streamMinBytes int64 = 4 << 20

// errNoStream makes readFile read the file the ordinary way.
var errNoStream = errors.New("iac: not streamed")

// streamMembers are the top-level members a streamed plan keeps.
var streamMembers = map[string]bool{
	"format_version": true, "terraform_version": true, "errored": true,
	"complete": true, "configuration": true, "variables": true,
}

// changeBatch is a run of resource_changes elements, copied out of the
// window, for one worker.
type changeBatch struct {
	first int    // index of the first element
	text  []byte // the elements' text, one after another
	ends  []int  // end offset of each element in text
	recs  []*changeRecord
}

const (
	batchElements = 256
	batchBytes    = 1 << 20
)

// streamPlan reads a plan from rd (the file name is name) without holding
// its text; errNoStream when the input is not an ordinary valid plan.
func streamPlan(name string, rd io.Reader, opt Options) (*Document, error) {
	// keep = 0 holds the leading white space in the window, to count the
	// line of the opening brace (Document.Line).
	sc := &scanner{src: rd, s: make([]byte, 0, streamChunk), keep: 0}
	sc.ws()
	if !sc.avail() || sc.s[sc.pos] != '{' || sc.bad {
		return nil, errNoStream
	}
	line := 1 + bytes.Count(sc.s[:sc.pos], []byte{'\n'})
	sc.keep = -1

	// Workers decode batches of changes while the scan goes on. The
	// attributes to keep are asked for when the first batch is decoded.
	keep := sync.OnceValue(func() map[string]bool { return keepSet(opt) })
	batches := make(chan *changeBatch, 64)
	var done []*changeBatch
	var dmu sync.Mutex
	failed := false
	var wg sync.WaitGroup
	for w := 0; w < max(1, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fd := newFastDecoder()
			fd.skipBefore = opt.DropBefore
			for b := range batches {
				fd.keep = keep()
				ok := decodeBatch(fd, b)
				dmu.Lock()
				done = append(done, b)
				failed = failed || !ok
				dmu.Unlock()
			}
		}()
	}
	members, changes, serr := streamTop(sc, batches)
	close(batches)
	wg.Wait()
	if serr != nil || failed || sc.bad || (sc.rerr != nil && sc.rerr != io.EOF) {
		return nil, errNoStream
	}
	// Recognised as a plan as classifyJSONObject does.
	_, hasFV := members["format_version"]
	_, hasRC := members["resource_changes"]
	_, hasPV := members["planned_values"]
	if !hasFV || (!hasRC && !hasPV) {
		return nil, errNoStream
	}

	doc := &Document{Input: name, Kind: KindTerraformPlan, Line: line, Resources: []*paved.IaCResource{}}
	var fv string
	if json.Unmarshal(members["format_version"], &fv) != nil || (&tfjson.Plan{FormatVersion: fv}).Validate() != nil {
		return nil, errNoStream
	}
	doc.FormatVersion = fv
	if raw := members["terraform_version"]; raw != nil {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return nil, errNoStream
		}
		doc.TerraformVersion, _ = v.(string)
	}
	if raw := members["errored"]; raw != nil {
		var errored any
		if json.Unmarshal(raw, &errored) != nil || errored == true {
			return nil, errNoStream
		}
	}
	if raw := members["complete"]; raw != nil {
		var complete any
		if json.Unmarshal(raw, &complete) != nil {
			return nil, errNoStream
		}
		doc.Incomplete = complete == false
	}
	pc := &planContext{keys: map[string]string{}, dropBefore: opt.DropBefore}
	if raw := members["configuration"]; raw != nil {
		var cfg planConfig
		if json.Unmarshal(raw, &cfg) != nil {
			return nil, errNoStream
		}
		pc.providers = cfg.ProviderConfigs
		pc.index("", cfg.RootModule, 0)
	}
	if raw := members["variables"]; raw != nil {
		if json.Unmarshal(raw, &pc.variables) != nil {
			return nil, errNoStream
		}
	}
	if raw, ok := members["resource_changes"]; ok && raw != nil && string(raw) != "null" {
		return nil, errNoStream // not an array: the ordinary path explains
	}

	// The records in input order, normalised on every core.
	recs := make([]*changeRecord, changes)
	for _, b := range done {
		copy(recs[b.first:], b.recs)
	}
	out := make([]*paved.IaCResource, len(recs))
	var nfail bool
	var nmu sync.Mutex
	parallelRange(len(recs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if recs[i] == nil {
				continue // null
			}
			res, err := normaliseChange(recs[i].tfjson(), pc)
			if err != nil {
				nmu.Lock()
				nfail = true
				nmu.Unlock()
				return
			}
			if pc.dropBefore {
				res.Before = nil
			}
			out[i] = res
		}
	})
	if nfail {
		return nil, errNoStream
	}
	for _, r := range out {
		if r != nil {
			doc.Resources = append(doc.Resources, r)
		}
	}
	doc.Raw = func() (any, error) {
		return nil, errors.New("iac: " + name + ": the plan's raw JSON was not kept (Options.DropRaw)")
	}
	return doc, nil
}

// keepSet is the attribute set of Options.Attributes plus what the reader
// reads itself; nil keeps everything.
func keepSet(opt Options) map[string]bool {
	if opt.Attributes == nil {
		return nil
	}
	want := opt.Attributes()
	if want == nil {
		return nil
	}
	keep := make(map[string]bool, len(want)+len(readerAttributes))
	for k := range want {
		keep[k] = true
	}
	for _, k := range readerAttributes {
		keep[k] = true
	}
	return keep
}

// decodeBatch decodes the elements of b; false if one of them is not a
// well-typed resource change.
func decodeBatch(fd *fastDecoder, b *changeBatch) bool {
	b.recs = make([]*changeRecord, len(b.ends))
	start := 0
	for i, end := range b.ends {
		raw := b.text[start:end]
		start = end
		if string(raw) == "null" {
			continue
		}
		rc, ok := fastChange(fd, raw)
		if !ok {
			return false
		}
		b.recs[i] = rc
	}
	b.text = nil
	return true
}

// streamTop scans the top-level object at sc.pos and whatever follows it.
// It returns the kept members (a nil value for a member seen but not
// kept), and the number of resource_changes elements sent to batches.
// Any problem (syntax, another value after the object, duplicate
// resource_changes) is an error: the caller reads the file again.
func streamTop(sc *scanner, batches chan<- *changeBatch) (map[string][]byte, int, error) {
	members := map[string][]byte{}
	changes := 0
	sc.pos++ // '{'
	sc.ws()
	if !sc.avail() {
		return nil, 0, errNoStream
	}
	empty := sc.s[sc.pos] == '}'
	if empty {
		sc.pos++
	}
	for !empty {
		sc.ws()
		if !sc.avail() || sc.s[sc.pos] != '"' {
			return nil, 0, errNoStream
		}
		sc.keep = sc.pos
		if err := sc.str(); err != nil {
			return nil, 0, errNoStream
		}
		key := unquoteKey(sc.s[sc.keep:sc.pos])
		sc.keep = -1
		sc.ws()
		if !sc.avail() || sc.s[sc.pos] != ':' {
			return nil, 0, errNoStream
		}
		sc.pos++
		sc.ws()
		if !sc.avail() {
			return nil, 0, errNoStream
		}
		switch {
		case key == "resource_changes" && sc.s[sc.pos] == '[':
			if _, dup := members[key]; dup {
				return nil, 0, errNoStream
			}
			n, err := streamChanges(sc, batches)
			if err != nil {
				return nil, 0, err
			}
			changes = n
			members[key] = nil
		case streamMembers[key] || key == "resource_changes":
			sc.keep = sc.pos
			if err := sc.value(1); err != nil {
				return nil, 0, errNoStream
			}
			if _, dup := members[key]; dup && key == "resource_changes" {
				return nil, 0, errNoStream
			}
			members[key] = append([]byte(nil), sc.s[sc.keep:sc.pos]...)
			sc.keep = -1
		default:
			if err := sc.value(1); err != nil {
				return nil, 0, errNoStream
			}
			if _, seen := members[key]; !seen {
				members[key] = nil
			}
		}
		sc.ws()
		if !sc.avail() {
			return nil, 0, errNoStream
		}
		c := sc.s[sc.pos]
		sc.pos++
		if c == '}' {
			break
		}
		if c != ',' {
			return nil, 0, errNoStream
		}
	}
	// A plan file holds one object: anything after it (even valid JSON)
	// is for the ordinary path to report.
	sc.ws()
	if sc.avail() {
		return nil, 0, errNoStream
	}
	return members, changes, nil
}

// streamChanges scans the resource_changes array at sc.pos, sending its
// elements to batches; it returns how many there were.
func streamChanges(sc *scanner, batches chan<- *changeBatch) (int, error) {
	n := 0
	b := &changeBatch{}
	flush := func() {
		if len(b.ends) > 0 {
			batches <- b
		}
		b = &changeBatch{first: n}
	}
	sc.pos++ // '['
	sc.ws()
	if !sc.avail() {
		return 0, errNoStream
	}
	if sc.s[sc.pos] == ']' {
		sc.pos++
		return 0, nil
	}
	for {
		sc.ws()
		sc.keep = sc.pos
		if err := sc.value(2); err != nil {
			return 0, errNoStream
		}
		b.text = append(b.text, sc.s[sc.keep:sc.pos]...)
		b.ends = append(b.ends, len(b.text))
		sc.keep = -1
		n++
		if len(b.ends) >= batchElements || len(b.text) >= batchBytes {
			flush()
		}
		sc.ws()
		if !sc.avail() {
			return 0, errNoStream
		}
		c := sc.s[sc.pos]
		sc.pos++
		switch c {
		case ',':
		case ']':
			flush()
			return n, nil
		default:
			return 0, errNoStream
		}
	}
}

// parallelRange runs f over [0, n) in one chunk per core.
func parallelRange(n int, f func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < 512 || workers < 2 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
