package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// ApplyImport writes a planned import in one transaction: teams (parents
// first; a parent created later in the same plan is linked at the end),
// then users with their memberships (roles only when a user is created),
// then services. Entities with ID 0 are created, the others updated; an
// update that changes nothing is skipped. Each write appends one audit
// event with the entity's own action (team.create, service.update ...),
// so an object's history reads the same whichever way it was changed.
// Any error rolls the whole import back.
func (db *DB) ApplyImport(ctx context.Context, p *paved.ImportPlan) error {
	if p == nil || len(p.Teams)+len(p.Users)+len(p.Services) == 0 {
		return nil
	}
	// Validate before taking the write lock.
	for _, t := range p.Teams {
		if t == nil {
			return paved.Errorf(paved.EINVALID, "import plan holds a nil team")
		}
		if err := t.Validate(); err != nil {
			return importError(p, "group", t.Name, err)
		}
	}
	for _, u := range p.Users {
		if u == nil {
			return paved.Errorf(paved.EINVALID, "import plan holds a nil user")
		}
		if err := u.Validate(); err != nil {
			return importError(p, "user", u.Name, err)
		}
	}
	for _, s := range p.Services {
		if s == nil {
			return paved.Errorf(paved.EINVALID, "import plan holds a nil service")
		}
		if err := s.Validate(); err != nil {
			return importError(p, "component", s.Name, err)
		}
	}
	err := db.write(ctx, func(w *wtx) error {
		im := &importer{w: w, plan: p}
		if err := im.teams(ctx); err != nil {
			return err
		}
		if err := im.users(ctx); err != nil {
			return err
		}
		return im.services(ctx)
	})
	if err != nil {
		return fmt.Errorf("store: apply import: %w", err)
	}
	return nil
}

// importError names the entity (by its file:line when the plan has it) in
// an error about it, keeping the code.
func importError(p *paved.ImportPlan, kind, name string, err error) error {
	where := kind + " " + strconv.Quote(name)
	for _, e := range p.Entries {
		if strings.EqualFold(e.Kind, kind) && e.Name == name && e.Source != "" {
			where = e.Source + " (" + where + ")"
			break
		}
	}
	var pe *paved.Error
	if errors.As(err, &pe) {
		return &paved.Error{Code: pe.Code, Field: where, Message: pe.Error()}
	}
	return fmt.Errorf("%s: %w", where, err)
}

type teamInfo struct {
	id          int64
	parent      int64 // 0: none
	retired     bool
	placeholder bool // referenced by the catalog, defined by no Group
}

type importer struct {
	w     *wtx
	plan  *paved.ImportPlan
	teamT map[string]*teamInfo // every team by name, as the import leaves it
}

func (im *importer) teams(ctx context.Context) error {
	w := im.w
	im.teamT = map[string]*teamInfo{}
	byID := map[int64]*teamInfo{}
	rows, err := w.query(ctx, "SELECT id, name, parent_id, retired_at, placeholder FROM teams")
	if err != nil {
		return fmt.Errorf("read teams: %w", err)
	}
	for rows.Next() {
		var ti teamInfo
		var name string
		var parent sql.NullInt64
		var retired sql.NullString
		var placeholder int
		if err := rows.Scan(&ti.id, &name, &parent, &retired, &placeholder); err != nil {
			rows.Close()
			return fmt.Errorf("read teams: %w", err)
		}
		ti.parent, ti.retired, ti.placeholder = parent.Int64, retired.Valid, placeholder != 0
		im.teamT[name] = &ti
		byID[ti.id] = &ti
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read teams: %w", err)
	}
	if len(im.plan.Teams) == 0 {
		return nil
	}
	old := map[int64]*paved.Team{}
	if slices.ContainsFunc(im.plan.Teams, func(t *paved.Team) bool { return t.ID != 0 }) {
		ts, err := loadTeams(ctx, w.runner)
		if err != nil {
			return err
		}
		for _, t := range ts {
			old[t.ID] = t
		}
	}
	ins, err := w.prepare(ctx, `INSERT INTO teams (name, namespace, title, description, kind, type, email,
		tags, links, annotations, created_at, updated_at, placeholder) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer ins.Close()
	upd, err := w.prepare(ctx, `UPDATE teams SET namespace = ?, title = ?, description = ?, kind = ?, type = ?, email = ?,
		tags = ?, links = ?, annotations = ?, updated_at = ?, placeholder = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer upd.Close()

	// Parents are linked after every team exists, so that plan order
	// within the teams does not matter.
	type link struct {
		team   *paved.Team
		parent string
	}
	var links []link
	for _, t := range im.plan.Teams {
		v := *t
		normTeam(&v)
		v.Members, v.Children, v.Services = nil, nil, 0
		if v.ID == 0 {
			v.CreatedAt, v.UpdatedAt, v.RetiredAt = w.now, w.now, nil
			err := ins.QueryRowContext(ctx, v.Name, v.Namespace, v.Title, v.Description, string(v.Kind), v.Type, v.Email,
				toJSON(v.Tags), toJSON(v.Links), mapJSON(v.Annotations), formatTime(v.CreatedAt), formatTime(v.UpdatedAt), boolInt(v.Placeholder)).Scan(&v.ID)
			if isUniqueViolation(err) {
				return importError(im.plan, "group", v.Name, paved.FieldErrorf(paved.ECONFLICT, "name", "team %q already exists (the catalog changed since the import was planned)", v.Name))
			} else if err != nil {
				return fmt.Errorf("create team %q: %w", v.Name, err)
			}
			ti := &teamInfo{id: v.ID, placeholder: v.Placeholder}
			im.teamT[v.Name], byID[v.ID] = ti, ti
			w.audit("team.create", "team", v.Name, createDiff(&v))
			if v.Parent != "" {
				links = append(links, link{&v, v.Parent})
			}
			continue
		}
		o := old[v.ID]
		if o == nil || o.Name != v.Name {
			return importError(im.plan, "group", v.Name, paved.Errorf(paved.ECONFLICT, "team %q (id %d) is not in the catalog any more: plan the import again", v.Name, v.ID))
		}
		v.CreatedAt, v.UpdatedAt, v.RetiredAt = o.CreatedAt, o.UpdatedAt, o.RetiredAt
		o.Members, o.Children, o.Services = nil, nil, 0
		diff := paved.Diff(o, &v)
		if len(diff) == 0 {
			continue
		}
		v.UpdatedAt = w.now
		if _, err := upd.ExecContext(ctx, v.Namespace, v.Title, v.Description, string(v.Kind), v.Type, v.Email,
			toJSON(v.Tags), toJSON(v.Links), mapJSON(v.Annotations), formatTime(v.UpdatedAt), boolInt(v.Placeholder), v.ID); err != nil {
			return fmt.Errorf("update team %q: %w", v.Name, err)
		}
		if ti := im.teamT[v.Name]; ti != nil {
			ti.placeholder = v.Placeholder
		}
		w.audit("team.update", "team", v.Name, diff)
		if v.Parent != o.Parent {
			links = append(links, link{&v, v.Parent})
		}
	}
	for _, l := range links {
		var parent any
		ti := im.teamT[l.team.Name]
		ti.parent = 0
		if l.parent != "" {
			p := im.teamT[l.parent]
			if p == nil {
				return importError(im.plan, "group", l.team.Name, paved.FieldErrorf(paved.EUNPROCESSABLE, "parent", "team %q does not exist", l.parent))
			}
			parent, ti.parent = p.id, p.id
		}
		if _, err := w.exec(ctx, "UPDATE teams SET parent_id = ? WHERE id = ?", parent, l.team.ID); err != nil {
			return fmt.Errorf("link team %q to parent %q: %w", l.team.Name, l.parent, err)
		}
	}
	// The hierarchy must stay a tree.
	for _, l := range links {
		seen := map[int64]bool{}
		for id := im.teamT[l.team.Name].id; id != 0; id = byID[id].parent {
			if seen[id] {
				return importError(im.plan, "group", l.team.Name, paved.FieldErrorf(paved.EUNPROCESSABLE, "parent", "parent %q makes a cycle in the team hierarchy", l.parent))
			}
			seen[id] = true
		}
	}
	return nil
}

// teamFor resolves a team that an imported user or service refers to;
// active refuses a retired one.
func (im *importer) teamFor(kind, name, field, team string, active bool) (int64, error) {
	ti := im.teamT[team]
	if ti == nil {
		return 0, importError(im.plan, kind, name, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "team %q does not exist", team))
	}
	if active && ti.retired {
		return 0, importError(im.plan, kind, name, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "team %q is retired", team))
	}
	if kind == "user" && active && ti.placeholder {
		// Membership of a team no Group defines would hand its services to
		// whoever claims it: catalog.Plan never plans one; refuse it here
		// too, whatever planned the import.
		return 0, importError(im.plan, kind, name, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "team %q is only referenced in the catalog, not defined: import its Group before adding members", team))
	}
	return ti.id, nil
}

func (im *importer) users(ctx context.Context) error {
	w := im.w
	if len(im.plan.Users) == 0 {
		return nil
	}
	old := map[int64]*paved.User{}
	if slices.ContainsFunc(im.plan.Users, func(u *paved.User) bool { return u.ID != 0 }) {
		us, err := loadUsers(ctx, w.runner)
		if err != nil {
			return err
		}
		for _, u := range us {
			old[u.ID] = u
		}
	}
	ins, err := w.prepare(ctx, `INSERT INTO users (name, display_name, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer ins.Close()
	upd, err := w.prepare(ctx, "UPDATE users SET display_name = ?, email = ?, updated_at = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer upd.Close()
	insRole, err := w.prepare(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer insRole.Close()
	insMember, err := w.prepare(ctx, "INSERT INTO team_members (team_id, user_id) VALUES (?, ?)")
	if err != nil {
		return err
	}
	defer insMember.Close()

	for _, u := range im.plan.Users {
		v := *u
		var prev *paved.User
		if v.ID != 0 {
			if prev = old[v.ID]; prev == nil || prev.Name != v.Name {
				return importError(im.plan, "user", v.Name, paved.Errorf(paved.ECONFLICT, "user %q (id %d) is not in the catalog any more: plan the import again", v.Name, v.ID))
			}
		}
		var teamIDs []int64
		for i, tn := range v.Teams {
			isNew := prev == nil || !slices.Contains(prev.Teams, tn)
			id, err := im.teamFor("user", v.Name, "teams["+strconv.Itoa(i)+"]", tn, isNew)
			if err != nil {
				return err
			}
			if !slices.Contains(teamIDs, id) {
				teamIDs = append(teamIDs, id)
			}
		}
		if prev == nil {
			normUser(&v)
			v.CreatedAt, v.UpdatedAt, v.RetiredAt = w.now, w.now, nil
			err := ins.QueryRowContext(ctx, v.Name, v.DisplayName, v.Email, formatTime(v.CreatedAt), formatTime(v.UpdatedAt)).Scan(&v.ID)
			if isUniqueViolation(err) {
				return importError(im.plan, "user", v.Name, paved.FieldErrorf(paved.ECONFLICT, "name", "user %q already exists (the catalog changed since the import was planned)", v.Name))
			} else if err != nil {
				return fmt.Errorf("create user %q: %w", v.Name, err)
			}
			for _, r := range v.Roles {
				if _, err := insRole.ExecContext(ctx, v.ID, string(r)); err != nil {
					return fmt.Errorf("create user %q: role: %w", v.Name, err)
				}
			}
			for _, id := range teamIDs {
				if _, err := insMember.ExecContext(ctx, id, v.ID); err != nil {
					return fmt.Errorf("create user %q: membership: %w", v.Name, err)
				}
			}
			w.audit("user.create", "user", v.Name, createDiff(&v))
			continue
		}
		// An import never changes the roles of a user that exists.
		v.Roles, v.RetiredAt, v.CreatedAt, v.UpdatedAt = prev.Roles, prev.RetiredAt, prev.CreatedAt, prev.UpdatedAt
		normUser(&v)
		diff := paved.Diff(prev, &v)
		if len(diff) == 0 {
			continue
		}
		v.UpdatedAt = w.now
		if _, err := upd.ExecContext(ctx, v.DisplayName, v.Email, formatTime(v.UpdatedAt), v.ID); err != nil {
			return fmt.Errorf("update user %q: %w", v.Name, err)
		}
		if _, ok := diff["teams"]; ok {
			if _, err := w.exec(ctx, "DELETE FROM team_members WHERE user_id = ?", v.ID); err != nil {
				return fmt.Errorf("update user %q: memberships: %w", v.Name, err)
			}
			for _, id := range teamIDs {
				if _, err := insMember.ExecContext(ctx, id, v.ID); err != nil {
					return fmt.Errorf("update user %q: membership: %w", v.Name, err)
				}
			}
		}
		w.audit("user.update", "user", v.Name, diff)
	}
	return nil
}

func (im *importer) services(ctx context.Context) error {
	w := im.w
	if len(im.plan.Services) == 0 {
		return nil
	}
	old := map[int64]*paved.Service{}
	if slices.ContainsFunc(im.plan.Services, func(s *paved.Service) bool { return s.ID != 0 }) {
		ss, err := loadServices(ctx, w.runner)
		if err != nil {
			return err
		}
		for _, s := range ss {
			old[s.ID] = s
		}
	}
	ins, err := w.prepare(ctx, strings.TrimSuffix(insertService, " RETURNING id"))
	if err != nil {
		return err
	}
	defer ins.Close()
	upd, err := w.prepare(ctx, updateService)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, s := range im.plan.Services {
		v := *s
		normService(&v)
		if v.ID == 0 {
			ownerID, err := im.teamFor("component", v.Name, "owner", v.Owner, true)
			if err != nil {
				return err
			}
			v.CreatedAt, v.UpdatedAt = w.now, w.now
			if _, err := ins.ExecContext(ctx, insertServiceArgs(&v, ownerID)...); isUniqueViolation(err) {
				return importError(im.plan, "component", v.Name, paved.FieldErrorf(paved.ECONFLICT, "name", "service %q already exists (the catalog changed since the import was planned)", v.Name))
			} else if err != nil {
				return fmt.Errorf("create service %q: %w", v.Name, err)
			}
			w.audit("service.create", "service", v.Name, createDiff(&v))
			continue
		}
		o := old[v.ID]
		if o == nil || o.Name != v.Name {
			return importError(im.plan, "component", v.Name, paved.Errorf(paved.ECONFLICT, "service %q (id %d) is not in the catalog any more: plan the import again", v.Name, v.ID))
		}
		v.CreatedAt, v.UpdatedAt = o.CreatedAt, o.UpdatedAt
		diff := paved.Diff(o, &v)
		if len(diff) == 0 {
			continue
		}
		ownerID, err := im.teamFor("component", v.Name, "owner", v.Owner, v.Owner != o.Owner)
		if err != nil {
			return err
		}
		v.UpdatedAt = w.now
		if _, err := upd.ExecContext(ctx, updateServiceArgs(&v, ownerID)...); err != nil {
			return fmt.Errorf("update service %q: %w", v.Name, err)
		}
		if err := keepGateClass(ctx, w, o, &v); err != nil {
			return fmt.Errorf("update service %q: %w", v.Name, err)
		}
		w.audit("service.update", "service", v.Name, diff)
	}
	return nil
}
