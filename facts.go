package paved

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Facts: what paved has seen of a service for itself, instead of being
// told. A collector (GitHub, GitLab, PagerDuty, Opsgenie, a Kubernetes
// cluster) or a push through the API observes a service and records
// facts; launch evidence, scorecards and the drift report read them.
// internal/facts holds the rules (keys, values, expiry, the comparison
// expressions, drift) and the collectors; the store keeps the current
// facts and their history (FactStore).

// Fact is one thing observed about a service, as it stands now: the newest
// value of (Service, Source, Key). A change of value is a FactEvent; a
// fresh observation of the same value only moves ObservedAt and ExpiresAt.
type Fact struct {
	Service string `json:"service"`
	// Source is who observed it: a collector's name from paved.yaml
	// (github, kube-prod) or FactSourcePush.
	Source string `json:"source"`
	// Key is dotted and starts with the kind of source that defines it:
	// github.branch_protection.required_reviews, kube.replicas.ready_min,
	// backup.last_restore_test.
	Key string `json:"key"`
	// Value is JSON: a bool, a number (float64), a string, a list or an
	// object (ValidateFactValue).
	Value any `json:"value"`
	// ObservedAt is the newest observation of this value; ChangedAt when
	// the value was first seen (its last change).
	ObservedAt time.Time `json:"observed_at"`
	ChangedAt  time.Time `json:"changed_at"`
	// ExpiresAt is when the fact stops counting unless it is observed
	// again: a collector that fails lets its facts age out instead of
	// vouching for the past.
	ExpiresAt time.Time `json:"expires_at"`
	// Version is the collector's version ("github/1") or, for a push,
	// what the pusher said it was.
	Version string `json:"version,omitempty"`
	// Actor recorded the newest observation (job:facts.github, a token's
	// user for a push).
	Actor string `json:"actor,omitempty"`
}

// Current reports whether the fact still counts at now.
func (f *Fact) Current(now time.Time) bool { return f != nil && now.Before(f.ExpiresAt) }

// FactSourcePush is the Source of facts pushed through the API.
const FactSourcePush = "push"

// FactEventKind says what happened to a fact.
type FactEventKind string

const (
	FactObserved FactEventKind = "observed" // first seen
	FactChanged  FactEventKind = "changed"  // a new value
	FactRemoved  FactEventKind = "removed"  // a complete observation no longer has it
)

// FactEvent is one change of a fact: the history the store keeps.
type FactEvent struct {
	ID       int64         `json:"id"`
	Service  string        `json:"service"`
	Source   string        `json:"source"`
	Key      string        `json:"key"`
	Kind     FactEventKind `json:"kind"`
	Value    any           `json:"value,omitempty"`    // the new value (nil when removed)
	Previous any           `json:"previous,omitempty"` // the value before (nil when first seen)
	At       time.Time     `json:"at"`
	Actor    string        `json:"actor,omitempty"`
	Version  string        `json:"version,omitempty"`
}

// FactObservation is what one source saw of one service at one time.
type FactObservation struct {
	Service    string         `json:"service"`
	Source     string         `json:"source"`
	Version    string         `json:"version,omitempty"`
	ObservedAt time.Time      `json:"observed_at"`
	ExpiresAt  time.Time      `json:"expires_at"`
	Facts      map[string]any `json:"facts"`
	// Complete says the observation holds everything the source knows of
	// the service: facts of the source it no longer lists are removed (a
	// repository that disappeared takes its branch protection with it).
	// A push is not complete: it adds and updates only what it names.
	Complete bool `json:"complete,omitempty"`
}

// FactFilter selects current facts. Zero values select everything.
type FactFilter struct {
	Service string
	Source  string
	// KeyPrefix selects keys equal to it or below it ("github" selects
	// github.*; "github.branch_protection" its keys).
	KeyPrefix string
}

// FactHistoryFilter selects fact events, newest first.
type FactHistoryFilter struct {
	Service string // required
	Source  string
	Key     string
	Page
}

// CollectorRun is the health of one collector: its latest run, and when
// it last succeeded. The store keeps one row per collector, so that every
// replica's admin page shows the run whichever replica did it.
type CollectorRun struct {
	Collector  string    `json:"collector"`
	Kind       string    `json:"kind"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Services counts the services observed, Failed those the collector
	// could not observe (a 5xx, a timeout), Facts the facts recorded and
	// Changes the events they made.
	Services int `json:"services"`
	Failed   int `json:"failed"`
	Facts    int `json:"facts"`
	Changes  int `json:"changes"`
	// Error is why the run failed as a whole ("" for success, even with
	// some services failed).
	Error string `json:"error,omitempty"`
	// Filled by the store on read.
	LastSuccessAt *time.Time `json:"last_success_at,omitempty"`
	// ConsecutiveFailures counts the failed runs since the last success.
	ConsecutiveFailures int `json:"consecutive_failures"`
}

// CatalogDiscovery is a catalog-info.yaml file a collector found in the
// organisation's repositories: a catalog source for `paved catalog
// import`, whether or not its services are in the catalog yet.
type CatalogDiscovery struct {
	Collector  string    `json:"collector"`
	Repository string    `json:"repository"` // owner/name or group/project
	Path       string    `json:"path"`
	URL        string    `json:"url"`           // where a person reads it
	SHA        string    `json:"sha,omitempty"` // blob or commit the content was read at
	Content    string    `json:"content,omitempty"`
	FoundAt    time.Time `json:"found_at"`
}

// FactStore persists facts, their history and the collectors' health.
type FactStore interface {
	// RecordFacts applies observations in one transaction: new and changed
	// values become events (returned, in order), unchanged ones only move
	// their observation and expiry times, and a complete observation
	// removes the facts of its source the service no longer has. Every
	// observation that changed something is audited (fact.record). An
	// unknown service is ENOTFOUND and nothing is written.
	RecordFacts(ctx context.Context, obs []*FactObservation) ([]*FactEvent, error)
	// FindFacts returns the current facts f selects, expired ones included
	// (callers decide with Fact.Current), by service, key and source.
	FindFacts(ctx context.Context, f FactFilter) ([]*Fact, error)
	// FactHistory returns a service's fact events, newest first, and how
	// many there are in all.
	FactHistory(ctx context.Context, f FactHistoryFilter) ([]*FactEvent, int, error)
	// RecordCollectorRun stores the outcome of a collector's run.
	RecordCollectorRun(ctx context.Context, r *CollectorRun) error
	// FindCollectorRuns returns every collector's latest run, by name.
	FindCollectorRuns(ctx context.Context) ([]*CollectorRun, error)
	// ReplaceDiscoveries replaces the catalog files a collector found.
	ReplaceDiscoveries(ctx context.Context, collector string, ds []*CatalogDiscovery) error
	// FindDiscoveries returns the catalog files found ("" for every
	// collector's), by collector, repository and path.
	FindDiscoveries(ctx context.Context, collector string) ([]*CatalogDiscovery, error)
}

// Limits on facts: generous for what a collector or a pipeline reports,
// small enough that a push cannot fill the database.
const (
	MaxFactKeyLen       = 200
	MaxFactValueBytes   = 64 << 10
	MaxFactsPerObserved = 500
	MaxDiscoveryBytes   = 256 << 10
)

// factKeyRE: dotted lower-case segments; the first names the kind of
// source (github, kube, backup), so a key says where its truth comes from.
var factKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_-]+)+$`)

// ValidateFactKey checks a fact key.
func ValidateFactKey(field, key string) error {
	if len(key) > MaxFactKeyLen {
		return FieldErrorf(EINVALID, field, "fact key is %d characters long: at most %d", len(key), MaxFactKeyLen)
	}
	if !factKeyRE.MatchString(key) {
		return FieldErrorf(EINVALID, field, "fact key %q: want dotted lower-case words that start with the kind of source, such as backup.last_restore_test or loadtest.p99_ms", key)
	}
	return nil
}

// FactKind is the first segment of a key: the kind of source that defines
// it (github.x -> github).
func FactKind(key string) string {
	k, _, _ := strings.Cut(key, ".")
	return k
}

// ValidateFactValue checks that v is a JSON value paved can keep and
// compare: not null, at most MaxFactValueBytes as JSON. It returns the
// value as it reads back from JSON (numbers as float64), so that a value
// compares the same before and after the store.
func ValidateFactValue(field string, v any) (any, error) {
	if v == nil {
		return nil, FieldErrorf(EINVALID, field, "a fact has a value: true, a number, a string, a list or an object (null is not a value; leave the fact out instead)")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, FieldErrorf(EINVALID, field, "the value cannot be written as JSON: %v", err)
	}
	if len(b) > MaxFactValueBytes {
		return nil, FieldErrorf(ETOOLARGE, field, "the value is %d bytes as JSON: at most %d", len(b), MaxFactValueBytes)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, FieldErrorf(EINVALID, field, "the value does not read back from JSON: %v", err)
	}
	return out, nil
}

// FactValueJSON is the canonical JSON of a fact value (object keys
// sorted): the stored form, and what decides whether a value changed.
func FactValueJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}
