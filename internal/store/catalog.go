package store

import (
	"context"
	"database/sql"
	"fmt"

	paved "github.com/paved-dev/paved"
)

// snapshot runs fn on one consistent view of the database: a read-only
// transaction (plain BEGIN on SQLite, which under WAL is a snapshot that
// blocks no writer; REPEATABLE READ on PostgreSQL).
func (db *DB) snapshot(ctx context.Context, fn func(r runner) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == EnginePostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(runner{db: db, tx: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// Catalog returns every team, user and service, retired ones included, in
// name order. Teams carry their active members, active children and count
// of active services, as FindTeam fills them.
func (db *DB) Catalog(ctx context.Context) (*paved.Catalog, error) {
	var c *paved.Catalog
	err := db.snapshot(ctx, func(r runner) error {
		var err error
		c, err = loadCatalog(ctx, r)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read catalog: %w", err)
	}
	return c, nil
}

func loadCatalog(ctx context.Context, r runner) (*paved.Catalog, error) {
	teams, err := loadTeams(ctx, r)
	if err != nil {
		return nil, err
	}
	users, err := loadUsers(ctx, r)
	if err != nil {
		return nil, err
	}
	services, err := loadServices(ctx, r)
	if err != nil {
		return nil, err
	}
	c := &paved.Catalog{Teams: teams, Users: users, Services: services}

	// The read-only team fields, from what is already loaded (all lists
	// are in name order, so the appends are too).
	byName := make(map[string]*paved.Team, len(c.Teams))
	for _, t := range c.Teams {
		byName[t.Name] = t
		t.Members, t.Children = []string{}, []string{}
	}
	for _, t := range c.Teams {
		if p := byName[t.Parent]; p != nil && t.RetiredAt == nil {
			p.Children = append(p.Children, t.Name)
		}
	}
	for _, u := range c.Users {
		if u.RetiredAt != nil {
			continue
		}
		for _, tn := range u.Teams {
			if t := byName[tn]; t != nil {
				t.Members = append(t.Members, u.Name)
			}
		}
	}
	for _, s := range c.Services {
		if t := byName[s.Owner]; t != nil && s.Phase != paved.PhaseRetired {
			t.Services++
		}
	}
	return c, nil
}

func loadTeams(ctx context.Context, r runner) ([]*paved.Team, error) {
	out := []*paved.Team{}
	rows, err := r.query(ctx, "SELECT "+teamCols+teamFrom+" ORDER BY t.name")
	if err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("teams: %w", err)
	}
	return out, nil
}

func loadUsers(ctx context.Context, r runner) ([]*paved.User, error) {
	out := []*paved.User{}
	rows, err := r.query(ctx, "SELECT "+userCols+" FROM users u ORDER BY u.name")
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	rows.Close()
	if err := fillUsers(ctx, r, out, true); err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return out, nil
}

func loadServices(ctx context.Context, r runner) ([]*paved.Service, error) {
	out := []*paved.Service{}
	rows, err := r.query(ctx, "SELECT "+serviceCols+serviceFrom+" ORDER BY s.name")
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, fmt.Errorf("services: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	return out, nil
}
