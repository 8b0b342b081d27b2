package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

const teamCols = `t.id, t.name, t.namespace, t.title, t.description, t.kind, t.type, COALESCE(p.name, ''), t.email,
	t.tags, t.links, t.annotations, t.created_at, t.updated_at, t.retired_at, t.placeholder`

const teamFrom = ` FROM teams t LEFT JOIN teams p ON p.id = t.parent_id`

// activeServicesOf counts the services a team still runs.
const activeServicesOf = `(SELECT COUNT(*) FROM services s WHERE s.owner_id = t.id AND s.phase <> 'retired')`

type rowScanner interface{ Scan(dest ...any) error }

func scanTeam(r rowScanner, extra ...any) (*paved.Team, error) {
	var t paved.Team
	var placeholder int
	dest := []any{&t.ID, &t.Name, &t.Namespace, &t.Title, &t.Description, &t.Kind, &t.Type, &t.Parent, &t.Email,
		scanJSON(&t.Tags), scanJSON(&t.Links), scanJSON(&t.Annotations),
		scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt), scanTimePtr(&t.RetiredAt), &placeholder}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	t.Placeholder = placeholder != 0
	normTeam(&t)
	return &t, nil
}

func normTeam(t *paved.Team) {
	t.Tags = nonNil(t.Tags)
	t.Links = nonNil(t.Links)
	t.Annotations = nonNilMap(t.Annotations)
}

// FindTeams returns one page of teams in name order and the total matching.
// Each team carries its count of active services; Members and Children are
// filled only by FindTeam.
func (db *DB) FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error) {
	var where []string
	var args []any
	if !f.IncludeRetired {
		where = append(where, "t.retired_at IS NULL")
	}
	if f.Kind != "" {
		if !f.Kind.Valid() {
			return nil, 0, paved.FieldErrorf(paved.EINVALID, "kind", "unknown team kind %q: want one of product, developer-productivity, infrastructure-engineering, cloud-engineering, reliability, security", f.Kind)
		}
		where, args = append(where, "t.kind = ?"), append(args, string(f.Kind))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(q)
		where = append(where, `(LOWER(t.name) LIKE ? ESCAPE '\' OR LOWER(t.title) LIKE ? ESCAPE '\' OR LOWER(t.description) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM teams t"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count teams: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.Team{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+teamCols+", "+activeServicesOf+teamFrom+cond+" ORDER BY t.name LIMIT ? OFFSET ?",
		append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find teams: %w", err)
	}
	defer rows.Close()
	out := make([]*paved.Team, 0, min(p.Limit, total))
	for rows.Next() {
		var n int
		t, err := scanTeam(rows, &n)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find teams: %w", err)
		}
		t.Services = n
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find teams: %w", err)
	}
	return out, total, nil
}

// FindTeam returns the named team (retired or not) with its active
// members, its active child teams and its count of active services.
func (db *DB) FindTeam(ctx context.Context, name string) (*paved.Team, error) {
	var t *paved.Team
	err := db.snapshot(ctx, func(r runner) error {
		var err error
		if t, err = findTeam(ctx, r, name, false); err != nil {
			return err
		}
		return fillTeam(ctx, r, t)
	})
	if err != nil {
		return nil, fmt.Errorf("store: find team: %w", err)
	}
	return t, nil
}

// findTeam reads one team by name; lock takes its row lock for an update.
func findTeam(ctx context.Context, r runner, name string, lock bool) (*paved.Team, error) {
	q := "SELECT " + teamCols + teamFrom + " WHERE t.name = ?"
	if lock {
		q += r.forUpdate("t")
	}
	t, err := scanTeam(r.queryRow(ctx, q, name))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "team %q does not exist", name)
	} else if err != nil {
		return nil, err
	}
	return t, nil
}

func fillTeam(ctx context.Context, r runner, t *paved.Team) error {
	var err error
	t.Members, err = queryStrings(ctx, r, `SELECT u.name FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = ? AND u.retired_at IS NULL ORDER BY u.name`, t.ID)
	if err != nil {
		return fmt.Errorf("members: %w", err)
	}
	t.Children, err = queryStrings(ctx, r, `SELECT name FROM teams WHERE parent_id = ? AND retired_at IS NULL ORDER BY name`, t.ID)
	if err != nil {
		return fmt.Errorf("children: %w", err)
	}
	if err := r.queryRow(ctx, `SELECT COUNT(*) FROM services WHERE owner_id = ? AND phase <> 'retired'`, t.ID).Scan(&t.Services); err != nil {
		return fmt.Errorf("services: %w", err)
	}
	return nil
}

func queryStrings(ctx context.Context, r runner, q string, args ...any) ([]string, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// teamRef resolves a team name that another object refers to. field names
// the referring input for the error; active refuses a retired team.
func teamRef(ctx context.Context, r runner, field, name string, active bool) (int64, error) {
	var id int64
	var retired sql.NullString
	err := r.queryRow(ctx, "SELECT id, retired_at FROM teams WHERE name = ?", name).Scan(&id, &retired)
	if errNoRows(err) {
		return 0, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "team %q does not exist", name)
	} else if err != nil {
		return 0, fmt.Errorf("look up team %q: %w", name, err)
	}
	if active && retired.Valid {
		return 0, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "team %q is retired", name)
	}
	return id, nil
}

// CreateTeam stores t and fills its ID and times.
func (db *DB) CreateTeam(ctx context.Context, t *paved.Team) error {
	if t == nil {
		return paved.Errorf(paved.EINVALID, "no team given")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	v := *t
	normTeam(&v)
	v.RetiredAt, v.Members, v.Children, v.Services = nil, nil, nil, 0
	err := db.write(ctx, func(w *wtx) error {
		var parent any
		if v.Parent != "" {
			id, err := teamRef(ctx, w.runner, "parent", v.Parent, true)
			if err != nil {
				return err
			}
			parent = id
		}
		v.CreatedAt, v.UpdatedAt = w.now, w.now
		err := w.queryRow(ctx, `INSERT INTO teams (name, namespace, title, description, kind, type, parent_id, email,
			tags, links, annotations, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.Name, v.Namespace, v.Title, v.Description, string(v.Kind), v.Type, parent, v.Email,
			toJSON(v.Tags), toJSON(v.Links), mapJSON(v.Annotations), formatTime(v.CreatedAt), formatTime(v.UpdatedAt)).Scan(&v.ID)
		if isUniqueViolation(err) {
			return paved.FieldErrorf(paved.ECONFLICT, "name", "team %q already exists", v.Name)
		} else if err != nil {
			return err
		}
		w.audit("team.create", "team", v.Name, createDiff(&v))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: create team %q: %w", t.Name, err)
	}
	*t = v
	return nil
}

// UpdateTeam applies u to the named team. Nothing is written (and nothing
// audited) when u changes nothing.
func (db *DB) UpdateTeam(ctx context.Context, name string, u paved.TeamUpdate) (*paved.Team, error) {
	var out *paved.Team
	err := db.write(ctx, func(w *wtx) error {
		old, err := findTeam(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		v := *old
		u.Apply(&v)
		normTeam(&v)
		if err := v.Validate(); err != nil {
			return err
		}
		diff := paved.Diff(old, &v)
		if len(diff) == 0 {
			out = old
			return fillTeam(ctx, w.runner, out)
		}
		var parent any
		if v.Parent != "" {
			pid, err := teamRef(ctx, w.runner, "parent", v.Parent, v.Parent != old.Parent)
			if err != nil {
				return err
			}
			if v.Parent != old.Parent {
				if err := checkNoCycle(ctx, w.runner, v.ID, pid, v.Name); err != nil {
					return err
				}
			}
			parent = pid
		}
		v.UpdatedAt = w.now
		if _, err := w.exec(ctx, `UPDATE teams SET title = ?, description = ?, kind = ?, type = ?, parent_id = ?, email = ?,
			tags = ?, links = ?, annotations = ?, updated_at = ? WHERE id = ?`,
			v.Title, v.Description, string(v.Kind), v.Type, parent, v.Email,
			toJSON(v.Tags), toJSON(v.Links), mapJSON(v.Annotations), formatTime(v.UpdatedAt), v.ID); err != nil {
			return err
		}
		w.audit("team.update", "team", v.Name, diff)
		out = &v
		return fillTeam(ctx, w.runner, out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: update team %q: %w", name, err)
	}
	return out, nil
}

// checkNoCycle refuses a parent that is the team itself or one of its
// descendants: the hierarchy must stay a tree.
func checkNoCycle(ctx context.Context, r runner, teamID, parentID int64, teamName string) error {
	seen := map[int64]bool{}
	for id := parentID; ; {
		if id == teamID {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "parent", "team %q cannot have a descendant of its own as parent", teamName)
		}
		if seen[id] {
			return nil // an existing loop elsewhere; not this team's doing
		}
		seen[id] = true
		var next sql.NullInt64
		if err := r.queryRow(ctx, "SELECT parent_id FROM teams WHERE id = ?", id).Scan(&next); err != nil {
			return fmt.Errorf("walk parents: %w", err)
		}
		if !next.Valid {
			return nil
		}
		id = next.Int64
	}
}

// RetireTeam retires the named team. A team that still owns active
// services cannot be retired: they would be left without an owner.
// Retiring a retired team does nothing.
func (db *DB) RetireTeam(ctx context.Context, name string) error {
	err := db.write(ctx, func(w *wtx) error {
		old, err := findTeam(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		if old.RetiredAt != nil {
			return nil
		}
		const show = 10
		names, err := queryStrings(ctx, w.runner, `SELECT name FROM services WHERE owner_id = ? AND phase <> 'retired' ORDER BY name LIMIT ?`, old.ID, show+1)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			list := strings.Join(names[:min(len(names), show)], ", ")
			if len(names) > show {
				list += ", ..."
			}
			return paved.Errorf(paved.ECONFLICT, "team %q still owns active services (%s): retire them or move them to another team first", name, list)
		}
		v := *old
		now := w.now
		v.RetiredAt, v.UpdatedAt = &now, now
		if _, err := w.exec(ctx, "UPDATE teams SET retired_at = ?, updated_at = ? WHERE id = ?", formatTime(now), formatTime(now), v.ID); err != nil {
			return err
		}
		w.audit("team.retire", "team", v.Name, paved.Diff(old, &v))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: retire team %q: %w", name, err)
	}
	return nil
}
