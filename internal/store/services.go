package store

import (
	"context"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

const serviceCols = `s.id, s.name, s.namespace, s.title, s.description, o.name, s.type, s.system, s.lifecycle,
	s.tier, s.data_class, s.phase, s.grandfathered, s.tags, s.links, s.annotations, s.depends_on, s.provides_apis,
	s.consumes_apis, s.created_at, s.updated_at`

const serviceFrom = ` FROM services s JOIN teams o ON o.id = s.owner_id`

func scanService(r rowScanner) (*paved.Service, error) {
	var s paved.Service
	var grandfathered int
	if err := r.Scan(&s.ID, &s.Name, &s.Namespace, &s.Title, &s.Description, &s.Owner, &s.Type, &s.System, &s.Lifecycle,
		&s.Tier, &s.DataClass, &s.Phase, &grandfathered, scanJSON(&s.Tags), scanJSON(&s.Links), scanJSON(&s.Annotations),
		scanJSON(&s.DependsOn), scanJSON(&s.ProvidesAPIs), scanJSON(&s.ConsumesAPIs),
		scanTime(&s.CreatedAt), scanTime(&s.UpdatedAt)); err != nil {
		return nil, err
	}
	s.Grandfathered = grandfathered != 0
	normService(&s)
	return &s, nil
}

func normService(s *paved.Service) {
	s.Tags = nonNil(s.Tags)
	s.Links = nonNil(s.Links)
	s.Annotations = nonNilMap(s.Annotations)
	s.DependsOn = nonNil(s.DependsOn)
	s.ProvidesAPIs = nonNil(s.ProvidesAPIs)
	s.ConsumesAPIs = nonNil(s.ConsumesAPIs)
}

// serviceFilterSQL turns f into a WHERE clause and its arguments.
func serviceFilterSQL(f paved.ServiceFilter) (string, []any, error) {
	var where []string
	var args []any
	if f.Team != "" {
		// A subquery rather than a join keeps the plan on the
		// (owner_id, phase, name) index: no sort for the page.
		where, args = append(where, "s.owner_id = (SELECT id FROM teams WHERE name = ?)"), append(args, f.Team)
	}
	switch {
	case f.Phase != "":
		if !f.Phase.Valid() {
			return "", nil, paved.FieldErrorf(paved.EINVALID, "phase", "unknown phase %q: want one of playground, green-light, production, retired", f.Phase)
		}
		where, args = append(where, "s.phase = ?"), append(args, string(f.Phase))
	case !f.IncludeRetired:
		where = append(where, "s.phase <> 'retired'")
	}
	if f.Tier != 0 {
		if !f.Tier.Valid() {
			return "", nil, paved.FieldErrorf(paved.EINVALID, "tier", "tier %d is out of range: want 1 (business critical) to 4 (internal tool)", f.Tier)
		}
		where, args = append(where, "s.tier = ?"), append(args, int(f.Tier))
	}
	if f.DataClass != "" {
		if !f.DataClass.Valid() {
			return "", nil, paved.FieldErrorf(paved.EINVALID, "data_class", "unknown data class %q: want one of public, internal, confidential, restricted", f.DataClass)
		}
		where, args = append(where, "s.data_class = ?"), append(args, string(f.DataClass))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(q)
		where = append(where, `(LOWER(s.name) LIKE ? ESCAPE '\' OR LOWER(s.title) LIKE ? ESCAPE '\' OR LOWER(s.description) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	if len(where) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(where, " AND "), args, nil
}

// FindServices returns one page of services in name order and the total
// matching. Retired services are left out unless f asks for them with
// IncludeRetired or Phase=retired.
func (db *DB) FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error) {
	cond, args, err := serviceFilterSQL(f)
	if err != nil {
		return nil, 0, err
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM services s"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count services: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.Service{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+serviceCols+serviceFrom+cond+" ORDER BY s.name LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find services: %w", err)
	}
	defer rows.Close()
	out := make([]*paved.Service, 0, min(p.Limit, total))
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find services: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find services: %w", err)
	}
	return out, total, nil
}

// FindService returns the named service, retired or not.
func (db *DB) FindService(ctx context.Context, name string) (*paved.Service, error) {
	s, err := findService(ctx, db.reader(), name, false)
	if err != nil {
		return nil, fmt.Errorf("store: find service: %w", err)
	}
	return s, nil
}

func findService(ctx context.Context, r runner, name string, lock bool) (*paved.Service, error) {
	q := "SELECT " + serviceCols + serviceFrom + " WHERE s.name = ?"
	if lock {
		q += r.forUpdate("s")
	}
	s, err := scanService(r.queryRow(ctx, q, name))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "service %q does not exist", name)
	} else if err != nil {
		return nil, err
	}
	return s, nil
}

const insertService = `INSERT INTO services (name, namespace, title, description, owner_id, type, system, lifecycle,
	tier, data_class, phase, grandfathered, tags, links, annotations, depends_on, provides_apis, consumes_apis,
	created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

func insertServiceArgs(s *paved.Service, ownerID int64) []any {
	return []any{s.Name, s.Namespace, s.Title, s.Description, ownerID, s.Type, s.System, s.Lifecycle,
		int(s.Tier), string(s.DataClass), string(s.Phase), boolInt(s.Grandfathered), toJSON(s.Tags), toJSON(s.Links),
		mapJSON(s.Annotations), toJSON(s.DependsOn), toJSON(s.ProvidesAPIs), toJSON(s.ConsumesAPIs),
		formatTime(s.CreatedAt), formatTime(s.UpdatedAt)}
}

const updateService = `UPDATE services SET namespace = ?, title = ?, description = ?, owner_id = ?, type = ?, system = ?,
	lifecycle = ?, tier = ?, data_class = ?, phase = ?, grandfathered = ?, tags = ?, links = ?, annotations = ?,
	depends_on = ?, provides_apis = ?, consumes_apis = ?, updated_at = ? WHERE id = ?`

func updateServiceArgs(s *paved.Service, ownerID int64) []any {
	return []any{s.Namespace, s.Title, s.Description, ownerID, s.Type, s.System, s.Lifecycle,
		int(s.Tier), string(s.DataClass), string(s.Phase), boolInt(s.Grandfathered), toJSON(s.Tags), toJSON(s.Links),
		mapJSON(s.Annotations), toJSON(s.DependsOn), toJSON(s.ProvidesAPIs), toJSON(s.ConsumesAPIs),
		formatTime(s.UpdatedAt), s.ID}
}

// CreateService stores s and fills its ID and times. The owner team must
// exist and be active.
func (db *DB) CreateService(ctx context.Context, s *paved.Service) error {
	if s == nil {
		return paved.Errorf(paved.EINVALID, "no service given")
	}
	if err := s.Validate(); err != nil {
		return err
	}
	v := *s
	normService(&v)
	err := db.write(ctx, func(w *wtx) error {
		ownerID, err := teamRef(ctx, w.runner, "owner", v.Owner, true)
		if err != nil {
			return err
		}
		v.CreatedAt, v.UpdatedAt = w.now, w.now
		err = w.queryRow(ctx, insertService, insertServiceArgs(&v, ownerID)...).Scan(&v.ID)
		if isUniqueViolation(err) {
			return paved.FieldErrorf(paved.ECONFLICT, "name", "service %q already exists", v.Name)
		} else if err != nil {
			return err
		}
		w.audit("service.create", "service", v.Name, createDiff(&v))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create service %q: %w", s.Name, err)
	}
	*s = v
	return nil
}

// UpdateService applies u to the named service; nothing is written when
// nothing changes. A new owner must exist and be active.
func (db *DB) UpdateService(ctx context.Context, name string, u paved.ServiceUpdate) (*paved.Service, error) {
	var out *paved.Service
	err := db.write(ctx, func(w *wtx) error {
		old, err := findService(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		v := *old
		u.Apply(&v)
		normService(&v)
		if err := v.Validate(); err != nil {
			return err
		}
		diff := paved.Diff(old, &v)
		if len(diff) == 0 {
			out = old
			return nil
		}
		ownerID, err := teamRef(ctx, w.runner, "owner", v.Owner, v.Owner != old.Owner)
		if err != nil {
			return err
		}
		v.UpdatedAt = w.now
		if _, err := w.exec(ctx, updateService, updateServiceArgs(&v, ownerID)...); err != nil {
			return err
		}
		if err := keepGateClass(ctx, w, old, &v); err != nil {
			return err
		}
		w.audit("service.update", "service", v.Name, diff)
		out = &v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update service %q: %w", name, err)
	}
	return out, nil
}

// RetireService moves the named service to the retired phase. Retiring a
// retired service does nothing.
func (db *DB) RetireService(ctx context.Context, name string) error {
	err := db.write(ctx, func(w *wtx) error {
		old, err := findService(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		if old.Phase == paved.PhaseRetired {
			return nil
		}
		v := *old
		v.Phase, v.UpdatedAt = paved.PhaseRetired, w.now
		if _, err := w.exec(ctx, "UPDATE services SET phase = ?, updated_at = ? WHERE id = ?", string(v.Phase), formatTime(v.UpdatedAt), v.ID); err != nil {
			return err
		}
		w.audit("service.retire", "service", v.Name, paved.Diff(old, &v))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: retire service %q: %w", name, err)
	}
	return nil
}
