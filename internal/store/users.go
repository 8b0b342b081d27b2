package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

const userCols = `u.id, u.name, u.display_name, u.email, u.created_at, u.updated_at, u.retired_at`

func scanUser(r rowScanner, extra ...any) (*paved.User, error) {
	var u paved.User
	dest := []any{&u.ID, &u.Name, &u.DisplayName, &u.Email, scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt), scanTimePtr(&u.RetiredAt)}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	u.Roles, u.Teams = []paved.Role{}, []string{}
	return &u, nil
}

// normUser puts roles in paved.Roles order and teams in name order, without
// repeats, so that a user reads back exactly as it was stored.
func normUser(u *paved.User) {
	u.Roles = sortRoles(u.Roles)
	ts := slices.Clone(u.Teams)
	sort.Strings(ts)
	u.Teams = nonNil(slices.Compact(ts))
}

func sortRoles(rs []paved.Role) []paved.Role {
	out := []paved.Role{}
	for _, r := range paved.Roles {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	return out
}

// fillUsers loads the teams and roles of users. ids limits the query to
// those users; all loads every membership (for Catalog).
func fillUsers(ctx context.Context, r runner, users []*paved.User, all bool) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[int64]*paved.User, len(users))
	args := make([]any, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		args = append(args, u.ID)
	}
	in := ""
	if !all {
		in = " WHERE m.user_id IN (" + placeholders(len(args)) + ")"
	} else {
		args = nil
	}
	rows, err := r.queryOnce(ctx, "SELECT m.user_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id"+in+" ORDER BY t.name", args...)
	if err != nil {
		return fmt.Errorf("read memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var team string
		if err := rows.Scan(&id, &team); err != nil {
			return fmt.Errorf("read memberships: %w", err)
		}
		if u := byID[id]; u != nil {
			u.Teams = append(u.Teams, team)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read memberships: %w", err)
	}
	rows.Close()
	in = strings.Replace(in, "m.user_id", "r.user_id", 1)
	rows, err = r.queryOnce(ctx, "SELECT r.user_id, r.role FROM user_roles r"+in, args...)
	if err != nil {
		return fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return fmt.Errorf("read roles: %w", err)
		}
		if u := byID[id]; u != nil {
			u.Roles = append(u.Roles, paved.Role(role))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read roles: %w", err)
	}
	for _, u := range users {
		u.Roles = sortRoles(u.Roles)
	}
	return nil
}

// FindUsers returns one page of users in name order, with their teams and
// roles, and the total matching. Role matches the roles as stored (an
// admin is not listed under every role).
func (db *DB) FindUsers(ctx context.Context, f paved.UserFilter) ([]*paved.User, int, error) {
	var where []string
	var args []any
	if !f.IncludeRetired {
		where = append(where, "u.retired_at IS NULL")
	}
	if f.Team != "" {
		where = append(where, "EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id AND t.name = ?)")
		args = append(args, f.Team)
	}
	if f.Role != "" {
		if !f.Role.Valid() {
			return nil, 0, paved.FieldErrorf(paved.EINVALID, "role", "unknown role %q: want one of viewer, developer, reviewer, architect, security, admin", f.Role)
		}
		where = append(where, "EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)")
		args = append(args, string(f.Role))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := likePattern(q)
		where = append(where, `(LOWER(u.name) LIKE ? ESCAPE '\' OR LOWER(u.display_name) LIKE ? ESCAPE '\' OR LOWER(u.email) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*) FROM users u"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	p := f.Page.Normalize()
	if total == 0 || p.Offset >= total {
		return []*paved.User{}, total, nil
	}
	rows, err := r.query(ctx, "SELECT "+userCols+" FROM users u"+cond+" ORDER BY u.name LIMIT ? OFFSET ?", append(args, p.Limit, p.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find users: %w", err)
	}
	defer rows.Close()
	out := make([]*paved.User, 0, min(p.Limit, total))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: find users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find users: %w", err)
	}
	rows.Close()
	if err := fillUsers(ctx, r, out, false); err != nil {
		return nil, 0, fmt.Errorf("store: find users: %w", err)
	}
	return out, total, nil
}

// FindUser returns the named user (retired or not) with teams and roles.
func (db *DB) FindUser(ctx context.Context, name string) (*paved.User, error) {
	u, err := findUser(ctx, db.reader(), name, false)
	if err != nil {
		return nil, fmt.Errorf("store: find user: %w", err)
	}
	return u, nil
}

func findUser(ctx context.Context, r runner, name string, lock bool) (*paved.User, error) {
	q := "SELECT " + userCols + " FROM users u WHERE u.name = ?"
	if lock {
		q += r.forUpdate("u")
	}
	u, err := scanUser(r.queryRow(ctx, q, name))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "user %q does not exist", name)
	} else if err != nil {
		return nil, err
	}
	if err := fillUsers(ctx, r, []*paved.User{u}, false); err != nil {
		return nil, err
	}
	return u, nil
}

// resolveTeams maps team names to ids for memberships. Every team must
// exist; a team the user is not yet in must also be active.
func resolveTeams(ctx context.Context, r runner, names []string, already []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	for i, n := range names {
		id, err := teamRef(ctx, r, "teams["+strconv.Itoa(i)+"]", n, !slices.Contains(already, n))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func writeMemberships(ctx context.Context, r runner, userID int64, teamIDs []int64, replace bool) error {
	if replace {
		if _, err := r.exec(ctx, "DELETE FROM team_members WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("clear memberships: %w", err)
		}
	}
	for _, id := range teamIDs {
		if _, err := r.exec(ctx, "INSERT INTO team_members (team_id, user_id) VALUES (?, ?)", id, userID); err != nil {
			return fmt.Errorf("add membership: %w", err)
		}
	}
	return nil
}

func writeRoles(ctx context.Context, r runner, userID int64, roles []paved.Role, replace bool) error {
	if replace {
		if _, err := r.exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("clear roles: %w", err)
		}
	}
	for _, role := range roles {
		if _, err := r.exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", userID, string(role)); err != nil {
			return fmt.Errorf("add role: %w", err)
		}
	}
	return nil
}

// CreateUser stores u with its roles and team memberships and fills its ID
// and times.
func (db *DB) CreateUser(ctx context.Context, u *paved.User) error {
	if u == nil {
		return paved.Errorf(paved.EINVALID, "no user given")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	v := *u
	v.RetiredAt = nil
	err := db.write(ctx, func(w *wtx) error { return insertUser(ctx, w, &v) })
	if err != nil {
		return fmt.Errorf("store: create user %q: %w", u.Name, err)
	}
	*u = v
	return nil
}

// insertUser writes a validated new user, its roles and teams, and the
// audit event, inside w.
func insertUser(ctx context.Context, w *wtx, v *paved.User) error {
	teamIDs, err := resolveTeams(ctx, w.runner, v.Teams, nil)
	if err != nil {
		return err
	}
	normUser(v)
	v.CreatedAt, v.UpdatedAt = w.now, w.now
	err = w.queryRow(ctx, `INSERT INTO users (name, display_name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		v.Name, v.DisplayName, v.Email, formatTime(v.CreatedAt), formatTime(v.UpdatedAt)).Scan(&v.ID)
	if isUniqueViolation(err) {
		return paved.FieldErrorf(paved.ECONFLICT, "name", "user %q already exists", v.Name)
	} else if err != nil {
		return err
	}
	if err := writeRoles(ctx, w.runner, v.ID, v.Roles, false); err != nil {
		return err
	}
	if err := writeMemberships(ctx, w.runner, v.ID, teamIDs, false); err != nil {
		return err
	}
	w.audit("user.create", "user", v.Name, createDiff(v))
	return nil
}

// UpdateUser applies u to the named user; nothing is written when nothing
// changes.
func (db *DB) UpdateUser(ctx context.Context, name string, u paved.UserUpdate) (*paved.User, error) {
	var out *paved.User
	err := db.write(ctx, func(w *wtx) error {
		old, err := findUser(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		v := *old
		u.Apply(&v)
		if err := v.Validate(); err != nil {
			return err
		}
		var teamIDs []int64
		if u.Teams != nil {
			if teamIDs, err = resolveTeams(ctx, w.runner, v.Teams, old.Teams); err != nil {
				return err
			}
		}
		normUser(&v)
		diff := paved.Diff(old, &v)
		if len(diff) == 0 {
			out = old
			return nil
		}
		v.UpdatedAt = w.now
		if _, err := w.exec(ctx, "UPDATE users SET display_name = ?, email = ?, updated_at = ? WHERE id = ?",
			v.DisplayName, v.Email, formatTime(v.UpdatedAt), v.ID); err != nil {
			return err
		}
		if _, ok := diff["roles"]; ok {
			if err := writeRoles(ctx, w.runner, v.ID, v.Roles, true); err != nil {
				return err
			}
		}
		if _, ok := diff["teams"]; ok {
			if err := writeMemberships(ctx, w.runner, v.ID, teamIDs, true); err != nil {
				return err
			}
		}
		w.audit("user.update", "user", v.Name, diff)
		out = &v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: update user %q: %w", name, err)
	}
	return out, nil
}

// RetireUser retires the named user, revokes every token it holds and ends
// its sessions. Retiring a retired user does nothing.
func (db *DB) RetireUser(ctx context.Context, name string) error {
	err := db.write(ctx, func(w *wtx) error {
		old, err := findUser(ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		if old.RetiredAt != nil {
			return nil
		}
		v := *old
		now := w.now
		v.RetiredAt, v.UpdatedAt = &now, now
		if _, err := w.exec(ctx, "UPDATE users SET retired_at = ?, updated_at = ? WHERE id = ?", formatTime(now), formatTime(now), v.ID); err != nil {
			return err
		}
		w.audit("user.retire", "user", v.Name, paved.Diff(old, &v))
		if err := revokeTokens(ctx, w, "user_id = ?", v.ID); err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", v.ID); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: retire user %q: %w", name, err)
	}
	return nil
}
