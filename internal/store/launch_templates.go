package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	paved "github.com/paved-dev/paved"
)

// templateBody is what a stored template's body column holds: the content
// its digest covers. Kind, version, digest and source are columns.
type templateBody struct {
	Title       string                `json:"title"`
	Description string                `json:"description,omitempty"`
	Areas       []*paved.TemplateArea `json:"areas"`
}

func templateID(kind paved.TemplateKind, version int) string {
	return string(kind) + "/" + strconv.Itoa(version)
}

// SaveTemplate stores a template version. The same kind, version and digest
// again is a no-op (no audit event); another digest under a stored version
// is ECONFLICT, since launches pinned to the version must keep reading what
// they started with.
func (db *DB) SaveTemplate(ctx context.Context, t *paved.Template) error {
	if t == nil {
		return paved.Errorf(paved.EINVALID, "no template given")
	}
	if !t.Kind.Valid() {
		return paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", t.Kind)
	}
	if t.Version < 1 {
		return paved.FieldErrorf(paved.EINVALID, "version", "template version %d is not a positive integer: number versions 1, 2, 3 ...", t.Version)
	}
	if t.Digest == "" {
		return paved.FieldErrorf(paved.EINVALID, "digest", "template %s version %d has no digest: load it through the template parser, which computes it", t.Kind, t.Version)
	}
	body, err := json.Marshal(templateBody{Title: t.Title, Description: t.Description, Areas: nonNil(t.Areas)})
	if err != nil {
		return fmt.Errorf("store: save template: %w", err)
	}
	err = db.write(ctx, func(w *wtx) error {
		// ON CONFLICT DO NOTHING rather than a unique violation: a replica
		// saving the same version at the same moment is the common case,
		// and the transaction stays usable to compare the digests.
		res, err := w.exec(ctx, `INSERT INTO launch_templates (kind, version, digest, title, body, source, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, version) DO NOTHING`,
			string(t.Kind), t.Version, t.Digest, t.Title, string(body), t.Source, formatTime(w.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			items := 0
			for _, a := range t.Areas {
				if a != nil {
					items += len(a.Items)
				}
			}
			w.audit("template.save", "template", templateID(t.Kind, t.Version), created(map[string]any{
				"kind": t.Kind, "version": t.Version, "digest": t.Digest, "title": t.Title,
				"source": t.Source, "areas": len(t.Areas), "items": items,
			}))
			return nil
		}
		var stored string
		if err := w.queryRow(ctx, "SELECT digest FROM launch_templates WHERE kind = ? AND version = ?", string(t.Kind), t.Version).Scan(&stored); err != nil {
			return err
		}
		if stored != t.Digest {
			return paved.FieldErrorf(paved.ECONFLICT, "version",
				"%s version %d is already stored with other content (digest %s, this one %s): a version never changes once stored; bump the version number in the template file",
				t.Kind, t.Version, short(stored), short(t.Digest))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save template %s: %w", templateID(t.Kind, t.Version), err)
	}
	return nil
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

const templateCols = `kind, version, digest, body, source`

func scanTemplate(r rowScanner) (*paved.Template, error) {
	var t paved.Template
	var body string
	if err := r.Scan(&t.Kind, &t.Version, &t.Digest, &body, &t.Source); err != nil {
		return nil, err
	}
	var b templateBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, fmt.Errorf("stored template %s is not valid JSON: %w", templateID(t.Kind, t.Version), err)
	}
	t.Title, t.Description, t.Areas = b.Title, b.Description, nonNil(b.Areas)
	return &t, nil
}

// FindTemplate returns a stored template version.
func (db *DB) FindTemplate(ctx context.Context, kind paved.TemplateKind, version int) (*paved.Template, error) {
	if !kind.Valid() {
		return nil, paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", kind)
	}
	t, err := scanTemplate(db.reader().queryRow(ctx, "SELECT "+templateCols+" FROM launch_templates WHERE kind = ? AND version = ?", string(kind), version))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "%s version %d is not stored", kind, version)
	} else if err != nil {
		return nil, fmt.Errorf("store: find template %s: %w", templateID(kind, version), err)
	}
	return t, nil
}

// FindTemplates lists the stored versions of kind, newest first.
func (db *DB) FindTemplates(ctx context.Context, kind paved.TemplateKind) ([]*paved.Template, error) {
	if !kind.Valid() {
		return nil, paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", kind)
	}
	out := []*paved.Template{}
	err := eachRow(ctx, db.reader(), "SELECT "+templateCols+" FROM launch_templates WHERE kind = ? ORDER BY version DESC", []any{string(kind)}, func(rows *sql.Rows) error {
		t, err := scanTemplate(rows)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: find templates %s: %w", kind, err)
	}
	return out, nil
}

// PinTemplate sets the version of kind that the service uses; the version
// must be stored. Pinning the pinned version again is a no-op.
func (db *DB) PinTemplate(ctx context.Context, service string, kind paved.TemplateKind, version int) error {
	if !kind.Valid() {
		return paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", kind)
	}
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, service)
		if err != nil {
			return err
		}
		var n int
		if err := w.queryRow(ctx, "SELECT COUNT(*) FROM launch_templates WHERE kind = ? AND version = ?", string(kind), version).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return paved.FieldErrorf(paved.ENOTFOUND, "version", "%s version %d is not stored: save the template before pinning it", kind, version)
		}
		old := 0
		err = w.queryRow(ctx, "SELECT version FROM launch_pins WHERE service_id = ? AND kind = ?", sid, string(kind)).Scan(&old)
		if err != nil && !errNoRows(err) {
			return err
		}
		if old == version {
			return nil
		}
		if _, err := w.exec(ctx, `INSERT INTO launch_pins (service_id, kind, version, pinned_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (service_id, kind) DO UPDATE SET version = excluded.version, pinned_at = excluded.pinned_at`,
			sid, string(kind), version, formatTime(w.now)); err != nil {
			return err
		}
		w.audit("launch.pin", "service", service, map[string]paved.Change{string(kind) + "_version": change(old, version)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: pin %s of %q: %w", kind, service, err)
	}
	return nil
}
