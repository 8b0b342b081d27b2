package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	paved "github.com/paved-dev/paved"
)

const checkCols = `c.id, c.actor, c.at, c.commit_sha, c.branch, c.pull_request, c.run_url, c.config_version,
	c.resource_types, c.rules, c.findings, c.recorded_by`

// scanCheck reads checkCols (and extra after them); Service is the
// caller's to set.
func scanCheck(r rowScanner, extra ...any) (*paved.CheckRecord, error) {
	var c paved.CheckRecord
	dest := []any{&c.ID, &c.Actor, scanTime(&c.At), &c.Commit, &c.Branch, &c.PullRequest, &c.RunURL, &c.ConfigVersion,
		scanJSON(&c.ResourceTypes), scanJSON(&c.Rules), scanJSON(&c.Findings), &c.RecordedBy}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	if c.RecordedBy == "" {
		// Recorded before 0010: by a person's token or the local CLI,
		// whose name is the actor.
		c.RecordedBy = c.Actor
	}
	normCheck(&c)
	return &c, nil
}

func normCheck(c *paved.CheckRecord) {
	if c.ResourceTypes == nil {
		c.ResourceTypes = map[string]int{}
	}
	c.Rules = nonNil(c.Rules)
	c.Findings = nonNil(c.Findings)
}

// RecordCheck stores a guard-rail check for a service and fills its ID,
// Actor (the context's actor unless set), RecordedBy and At. RecordedBy is
// always the context's actor, whatever c says: a CI token's actor is its
// CI identity (paved.WithActor), a person's their name, so no request body
// can claim that CI recorded it. The findings are stored
// as given: the check engine has already replaced every sensitive value by
// paved.SensitiveValue, and the audit event carries only counts, never a
// finding's value.
func (db *DB) RecordCheck(ctx context.Context, c *paved.CheckRecord) error {
	if c == nil {
		return paved.Errorf(paved.EINVALID, "no check given")
	}
	v := *c
	v.ResourceTypes = make(map[string]int, len(c.ResourceTypes))
	resources := 0
	for t, n := range c.ResourceTypes {
		if n < 0 {
			return paved.FieldErrorf(paved.EINVALID, "resource_types."+t, "resource count %d is negative", n)
		}
		v.ResourceTypes[t] = n
		resources += n
	}
	v.Rules = nonNil(slices.Clone(c.Rules))
	v.Findings = nonNil(slices.Clone(c.Findings))
	types, err := marshalJSON(v.ResourceTypes, "{}")
	if err != nil {
		return fmt.Errorf("store: record check: resource types: %w", err)
	}
	findings, err := marshalJSON(v.Findings, "[]")
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, "findings", "a finding's value cannot be stored as JSON: %v", err)
	}
	deny, warn := paved.Summarize(v.Findings)
	err = db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, v.Service)
		if err != nil {
			return err
		}
		if v.Actor == "" {
			v.Actor = w.actor
		}
		v.RecordedBy = w.actor
		v.At = w.now
		if err := w.queryRow(ctx, `INSERT INTO checks (service_id, actor, at, commit_sha, branch, pull_request, run_url,
			config_version, resource_types, rules, findings, deny_count, warn_count, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sid, v.Actor, formatTime(v.At), v.Commit, v.Branch, v.PullRequest, v.RunURL, v.ConfigVersion,
			types, toJSON(v.Rules), findings, deny, warn, v.RecordedBy).Scan(&v.ID); err != nil {
			return err
		}
		if v.Resources != nil { // checkresources.go
			if err := w.replaceCheckResources(ctx, sid, v.ID, v.Resources, v.ResourcesOmitted); err != nil {
				return err
			}
		}
		w.audit("check.record", "check", strconv.FormatInt(v.ID, 10), created(map[string]any{
			"service": v.Service, "commit": v.Commit, "branch": v.Branch, "pull_request": v.PullRequest,
			"run_url": v.RunURL, "config_version": v.ConfigVersion, "resources": resources, "rules": len(v.Rules),
			"deny": deny, "warn": warn, "recorded_by": v.RecordedBy,
		}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record check of %q: %w", c.Service, err)
	}
	v.Resources = nil // kept apart: LatestCheckResources
	*c = v
	return nil
}

// LatestCheck returns the newest check recorded for a service, or nil when
// none is.
func (db *DB) LatestCheck(ctx context.Context, service string) (*paved.CheckRecord, error) {
	var out *paved.CheckRecord
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, service)
		if err != nil {
			return err
		}
		c, err := scanCheck(r.queryRow(ctx, "SELECT "+checkCols+" FROM checks c WHERE c.service_id = ? ORDER BY c.at DESC, c.id DESC LIMIT 1", sid))
		if errNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		c.Service = service
		out = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: latest check of %q: %w", service, err)
	}
	return out, nil
}
