package paved

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// AuditEvent is one append-only, hash-chained record of a change. Hash
// covers every other field and the previous event's hash, so altering,
// inserting or deleting an event breaks the chain at that point.
type AuditEvent struct {
	Seq        int64             `json:"seq"` // 1, 2, 3 ... without gaps
	Time       time.Time         `json:"time"`
	Actor      string            `json:"actor"`
	Action     string            `json:"action"`      // e.g. service.create, team.update, token.revoke
	ObjectType string            `json:"object_type"` // team, user, service, token, catalog
	ObjectID   string            `json:"object_id"`   // the object's name (or id for tokens)
	Changes    map[string]Change `json:"changes,omitempty"`
	PrevHash   string            `json:"prev_hash"`
	Hash       string            `json:"hash"`
}

// Change is the before and after of one field, as JSON values.
type Change struct {
	From json.RawMessage `json:"from,omitempty"`
	To   json.RawMessage `json:"to,omitempty"`
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditTimeFormat is the fixed-width UTC form used both for storage and in
// the hash, so that every engine reproduces the same bytes.
const AuditTimeFormat = "2006-01-02T15:04:05.000000000Z"

// ComputeHash returns the hash of e given its PrevHash. The encoding is
// length-prefixed fields, so no two different events hash the same bytes.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	field(strconv.FormatInt(e.Seq, 10))
	field(e.Time.UTC().Format(AuditTimeFormat))
	field(e.Actor)
	field(e.Action)
	field(e.ObjectType)
	field(e.ObjectID)
	field(string(e.ChangesJSON()))
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// ChangesJSON is the canonical JSON of Changes (keys sorted, compact).
func (e *AuditEvent) ChangesJSON() []byte {
	if len(e.Changes) == 0 {
		return []byte("{}")
	}
	b, err := json.Marshal(e.Changes) // map keys are sorted by encoding/json
	if err != nil {
		return []byte("{}")
	}
	return b
}

// ChainProblem names one event where the chain is broken.
type ChainProblem struct {
	Seq     int64  `json:"seq"`
	Problem string `json:"problem"`
}

// VerifyChain checks events, which must be the whole log in Seq order, and
// returns every problem found: an altered event (its hash does not match its
// content), an inserted or deleted event (a gap or repeat in Seq, or a
// PrevHash that does not match the previous event's hash).
func VerifyChain(events []*AuditEvent) []ChainProblem {
	var v ChainVerifier
	for _, e := range events {
		v.Add(e)
	}
	return v.Problems()
}

// AuditHead is the newest event of the log: its sequence number and hash.
// A server remembers the highest head it wrote or verified (its known
// head), and a signed anchor carries one outside the database, so that a
// log whose tail was deleted, or which was deleted whole, no longer
// verifies: a hash chain alone cannot tell a log cut short from a shorter
// log.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// ChainVerifier checks a log one event at a time, in Seq order, so that a
// log streamed from the store (AllAuditEvents) is verified in constant
// memory. The zero value is ready to use; VerifyChain is the same check
// over a slice. Expect adds a head the log must still reach.
type ChainVerifier struct {
	problems []ChainProblem
	prev     string
	want     int64
	events   int
	last     AuditHead

	expect []expectedHead
}

type expectedHead struct {
	head AuditHead
	why  string
	seen bool
}

// Expect makes the verification fail unless the log holds h: an event
// with h's sequence number and hash. why names where h comes from ("the
// server wrote", "the anchor"). A zero h expects nothing.
func (v *ChainVerifier) Expect(h AuditHead, why string) {
	if h.Seq > 0 {
		v.expect = append(v.expect, expectedHead{head: h, why: why})
	}
}

// Add checks the next event of the log.
func (v *ChainVerifier) Add(e *AuditEvent) {
	if v.want == 0 {
		v.prev, v.want = GenesisHash, 1
	}
	v.events++
	switch {
	case e.Seq > v.want:
		v.problems = append(v.problems, ChainProblem{Seq: e.Seq, Problem: fmt.Sprintf("events %d to %d are missing (deleted)", v.want, e.Seq-1)})
	case e.Seq < v.want:
		v.problems = append(v.problems, ChainProblem{Seq: e.Seq, Problem: fmt.Sprintf("sequence number %d repeats or goes backwards (inserted)", e.Seq)})
	}
	if e.PrevHash != v.prev {
		v.problems = append(v.problems, ChainProblem{Seq: e.Seq, Problem: "prev_hash does not match the previous event's hash (an event before it was altered, inserted or deleted)"})
	}
	if got := e.ComputeHash(); got != e.Hash {
		v.problems = append(v.problems, ChainProblem{Seq: e.Seq, Problem: "content does not match its hash (altered)"})
	}
	for i := range v.expect {
		x := &v.expect[i]
		if e.Seq == x.head.Seq {
			x.seen = true
			if e.Hash != x.head.Hash {
				v.problems = append(v.problems, ChainProblem{Seq: e.Seq, Problem: fmt.Sprintf("the hash of this event is not the one %s (%.12s...): the log was rewritten from here", x.why, x.head.Hash)})
			}
		}
	}
	v.prev = e.Hash
	v.last = AuditHead{Seq: e.Seq, Hash: e.Hash}
	if e.Seq >= v.want {
		v.want = e.Seq + 1
	}
}

// Events is the number of events added.
func (v *ChainVerifier) Events() int { return v.events }

// Head is the last event added (zero for none).
func (v *ChainVerifier) Head() AuditHead { return v.last }

// Problems returns every problem found so far (nil for an intact chain),
// with, for each expected head the log did not reach, that it was cut.
func (v *ChainVerifier) Problems() []ChainProblem {
	out := v.problems
	for _, x := range v.expect {
		if !x.seen {
			p := ChainProblem{Seq: x.head.Seq, Problem: fmt.Sprintf("the log ends at event %d, but %s event %d: events were deleted", v.last.Seq, x.why, x.head.Seq)}
			if v.last.Seq > x.head.Seq {
				p.Problem = fmt.Sprintf("event %d, which %s, is not in the log: it was deleted", x.head.Seq, x.why)
			}
			out = append(out[:len(out):len(out)], p)
		}
	}
	return out
}

// KnownHeadWhy is how a verification names the known head it expects.
const KnownHeadWhy = "this server wrote or verified"

// VerifyAuditLog streams the whole log of st through a ChainVerifier that
// expects the head st knows (KnownAuditHead) and any extra heads (signed
// anchors), and records the head as verified when the log is intact. The
// API, the portal, the CLI and the background watch all verify through
// it, so they give one answer.
func VerifyAuditLog(ctx context.Context, st AuditStore, extra ...AuditHead) (*ChainVerifier, AuditHead, error) {
	var v ChainVerifier
	known := st.KnownAuditHead() // before the read: whatever is written after is in it
	v.Expect(known, KnownHeadWhy)
	for _, h := range extra {
		v.Expect(h, "the anchor holds")
	}
	if err := st.AllAuditEvents(ctx, func(e *AuditEvent) error {
		v.Add(e)
		return nil
	}); err != nil {
		return nil, known, err
	}
	if len(v.Problems()) == 0 {
		st.NoteAuditHead(v.Head())
	}
	return &v, known, nil
}

// AuditObjectTypes are the object types the store writes audit events
// for, which the API's and the portal's audit filters accept. A new kind
// of audited object is added here (TestAuditObjectTypesComplete in
// internal/store reads the store's sources and fails on one missing).
var AuditObjectTypes = []string{
	"answer", "assessment", "budget", "campaign", "catalog", "check", "collector", "concern", "cost", "cost_alert",
	"cost_batch", "exception", "reclassification", "service", "signing_key", "team", "template", "token", "user", "walkthrough",
}

type AuditFilter struct {
	ObjectType string
	ObjectID   string
	Actor      string
	Page
}

// AuditStore reads the log. Events are appended by the store's own writes,
// never through this interface.
type AuditStore interface {
	// FindAuditEvents returns events newest first.
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
	// AllAuditEvents calls fn for every event in Seq order (for verification);
	// it streams, so memory does not grow with the log.
	AllAuditEvents(ctx context.Context, fn func(*AuditEvent) error) error
	// AuditHead returns the Seq of the newest event (0 for an empty log).
	// Every change appends an event, so an unchanged head means unchanged
	// data: readers use it to keep caches exact, across replicas too.
	AuditHead(ctx context.Context) (int64, error)
	// KnownAuditHead is the highest head this process wrote or saw
	// verified (zero before any): a verification expects the log to still
	// reach it, and the next write continues from it when the log no
	// longer does, so that deleted sequence numbers are never reused.
	KnownAuditHead() AuditHead
	// NoteAuditHead records a head that a verification found intact.
	NoteAuditHead(h AuditHead)
}

// Diff compares two values of the same struct type field by field, using
// the JSON names, and returns the changed fields. Fields tagged json:"-"
// and the bookkeeping fields created_at/updated_at are ignored. A nil old
// value reports every non-empty field of new (a creation).
func Diff(old, new any) map[string]Change {
	out := map[string]Change{}
	nv := reflect.Indirect(reflect.ValueOf(new))
	var ov reflect.Value
	if old != nil && !reflect.ValueOf(old).IsNil() {
		ov = reflect.Indirect(reflect.ValueOf(old))
	}
	t := nv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" || name == "created_at" || name == "updated_at" || !f.IsExported() {
			continue
		}
		nb, _ := json.Marshal(nv.Field(i).Interface())
		if !ov.IsValid() {
			if !nv.Field(i).IsZero() {
				out[name] = Change{To: nb}
			}
			continue
		}
		ob, _ := json.Marshal(ov.Field(i).Interface())
		if !jsonEqual(ob, nb) {
			out[name] = Change{From: ob, To: nb}
		}
	}
	return out
}

// ChangedFields returns the sorted names of a Diff.
func ChangedFields(d map[string]Change) []string {
	ks := make([]string, 0, len(d))
	for k := range d {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" || f.Tag.Get("audit") == "-" {
		return ""
	}
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			tag = tag[:i]
			break
		}
	}
	if tag == "" {
		return f.Name
	}
	return tag
}

// jsonEqual treats null, [] and {} as equal: an empty list and a missing
// one are the same fact.
func jsonEqual(a, b []byte) bool {
	norm := func(x []byte) string {
		switch string(x) {
		case "null", "[]", "{}", `""`:
			return ""
		}
		return string(x)
	}
	return norm(a) == norm(b)
}
