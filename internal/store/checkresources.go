package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
)

// The resources of each service's latest recorded check. RecordCheck
// replaces them, in its own transaction, when the check carries any: the
// resources the owning team's considerations (internal/ownership) and the
// impact analysis of a proposed config (issue 8) are computed from. One
// row per service; the list is gzip-compressed JSON, base64 text so that
// one column type serves both engines.

// maxCheckResourcesStored bounds the decompressed body read back, well
// above what validCheckResources lets in (MaxCheckResourcesBytes plus the
// addresses, types and tags), so that a row changed by hand cannot make a
// read allocate without bound.
const maxCheckResourcesStored = 4 * paved.MaxCheckResourcesBytes

// validCheckResources checks what a client sent before it is stored: the
// count, every resource's address and type, and the total size.
func validCheckResources(rs []*paved.CheckResource, omitted int) ([]byte, error) {
	if len(rs) > paved.MaxCheckResources {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, "resources", "%d resources: at most %d are recorded with a check; send the first %d and count the rest in resources_omitted",
			len(rs), paved.MaxCheckResources, paved.MaxCheckResources)
	}
	if omitted < 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, "resources_omitted", "resources_omitted is %d: want 0 or more", omitted)
	}
	seen := make(map[string]bool, len(rs))
	for i, r := range rs {
		field := fmt.Sprintf("resources[%d]", i)
		switch {
		case r == nil:
			return nil, paved.FieldErrorf(paved.EINVALID, field, "a resource is null: send an object with address and type")
		case strings.TrimSpace(r.Address) == "":
			return nil, paved.FieldErrorf(paved.EINVALID, field+".address", "the resource has no address")
		case strings.TrimSpace(r.Type) == "":
			return nil, paved.FieldErrorf(paved.EINVALID, field+".type", "resource %s has no type", r.Address)
		case len(r.Address) > 4096 || len(r.Type) > 256:
			return nil, paved.FieldErrorf(paved.EINVALID, field, "the resource's address or type is too long (at most 4096 and 256 bytes)")
		case seen[r.Address]:
			return nil, paved.FieldErrorf(paved.EINVALID, field+".address", "resource %s is listed twice: send each address once", r.Address)
		}
		seen[r.Address] = true
	}
	// A client that sent a Kubernetes Secret's data in clear does not get
	// it stored (the caller's resources are left as they were).
	rs = slices.Clone(rs)
	for i, r := range rs {
		if r.Type == "Secret" {
			c := *r
			c.After = maps.Clone(r.After)
			c.MaskSecrets()
			rs[i] = &c
		}
	}
	b, err := json.Marshal(rs)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "resources", "the resources cannot be stored as JSON: %v", err)
	}
	// Addresses, types and tags come on top of the attribute budget.
	if len(b) > 2*paved.MaxCheckResourcesBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, "resources", "the resources take %d bytes as JSON: at most %d; send fewer and count the rest in resources_omitted",
			len(b), 2*paved.MaxCheckResourcesBytes)
	}
	return b, nil
}

func compressResources(b []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func decompressResources(s string) ([]*paved.CheckResource, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("stored check resources are not base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("stored check resources are not gzip: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxCheckResourcesStored+1))
	if err != nil {
		return nil, fmt.Errorf("stored check resources: %w", err)
	}
	if len(b) > maxCheckResourcesStored {
		return nil, fmt.Errorf("stored check resources are larger than %d bytes", maxCheckResourcesStored)
	}
	var out []*paved.CheckResource
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("stored check resources: %w", err)
	}
	return out, nil
}

// replaceCheckResources stores the resources of check checkID as the
// latest of service sid. It runs inside RecordCheck's transaction.
func (w *wtx) replaceCheckResources(ctx context.Context, sid, checkID int64, rs []*paved.CheckResource, omitted int) error {
	b, err := validCheckResources(rs, omitted)
	if err != nil {
		return err
	}
	body, err := compressResources(b)
	if err != nil {
		return fmt.Errorf("compress check resources: %w", err)
	}
	_, err = w.exec(ctx, `INSERT INTO check_resources (service_id, check_id, at, resources, omitted, body) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (service_id) DO UPDATE SET check_id = excluded.check_id, at = excluded.at,
			resources = excluded.resources, omitted = excluded.omitted, body = excluded.body`,
		sid, checkID, formatTime(w.now), len(rs), omitted, body)
	return err
}

// LatestCheckResources returns the resources of the service's latest
// check that carried any, or nil when none did.
func (db *DB) LatestCheckResources(ctx context.Context, service string) (*paved.CheckResources, error) {
	var out *paved.CheckResources
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, service)
		if err != nil {
			return err
		}
		var (
			c    paved.CheckResources
			body string
		)
		err = r.queryRow(ctx, "SELECT check_id, at, omitted, body FROM check_resources WHERE service_id = ?", sid).
			Scan(&c.CheckID, scanTime(&c.At), &c.Omitted, &body)
		if errNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		if c.Resources, err = decompressResources(body); err != nil {
			return err
		}
		c.Resources = nonNil(c.Resources)
		c.Service = service
		out = &c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: latest check resources of %q: %w", service, err)
	}
	return out, nil
}
