package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Scorecard results and regression notices (paved.ScorecardStore).

// scorecardRowsPerStmt rows per multi-row insert: at most 9 columns, well
// under SQLite's and PostgreSQL's parameter limits.
const scorecardRowsPerStmt = 200

// The columns of a history row and of a current standing.
const (
	historyCols = 7
	currentCols = 9
)

// insertScorecardRows runs head + "(?, ...), ..." + tail over args, cols values a
// row, scorecardRowsPerStmt rows a statement.
func (w *wtx) insertScorecardRows(ctx context.Context, head, tail string, cols int, args []any) error {
	row := "(" + placeholders(cols) + ")"
	for rest := args; len(rest) > 0; {
		n := min(len(rest)/cols, scorecardRowsPerStmt)
		var b strings.Builder
		b.WriteString(head)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(tail)
		if _, err := w.exec(ctx, b.String(), rest[:n*cols]...); err != nil {
			return err
		}
		rest = rest[n*cols:]
	}
	return nil
}

type scorecardKey struct{ service, scorecard string }

func validScorecardResult(r *paved.ScorecardResult) bool {
	return r != nil && r.Service != "" && r.Scorecard != "" && r.Team != "" && validDay(r.Day) &&
		r.Score >= 0 && r.Score <= 1 && !math.IsNaN(r.Score)
}

// SaveScorecardDay implements paved.ScorecardStore.
func (db *DB) SaveScorecardDay(ctx context.Context, d *paved.ScorecardDay) (int, error) {
	if d == nil {
		return 0, paved.Errorf(paved.EINVALID, "scorecard day: nothing to save")
	}
	seen := make(map[scorecardKey]bool, len(d.Results))
	for _, r := range d.Results {
		if !validScorecardResult(r) {
			return 0, paved.Errorf(paved.EINVALID, "scorecard result: want a service, its team, a scorecard, a day (YYYY-MM-DD) and a score from 0 to 1")
		}
		k := scorecardKey{r.Service, r.Scorecard}
		if seen[k] {
			return 0, paved.Errorf(paved.EINVALID, "scorecard result: %s on %s appears twice", r.Service, r.Scorecard)
		}
		seen[k] = true
	}
	for _, g := range d.Regressions {
		if g == nil || g.Service == "" || g.Scorecard == "" || len(g.Rules) == 0 || g.Compose == nil {
			return 0, paved.Errorf(paved.EINVALID, "scorecard regression: want a service, a scorecard, the rules that regressed and the function that composes the notice")
		}
	}
	sent := 0
	err := db.write(ctx, func(w *wtx) error {
		sent = 0
		prev, err := w.currentScorecards(ctx)
		if err != nil {
			return err
		}
		// The current standing of every result; history only for the
		// standings that changed (or began), at the day they changed.
		cur := make([]any, 0, len(d.Results)*currentCols)
		var hist []any
		for _, r := range d.Results {
			score := int64(math.Round(r.Score * 1000))
			failing := strings.Join(r.Failing, " ")
			since := r.Day
			if p, ok := prev[scorecardKey{r.Service, r.Scorecard}]; ok && p.same(r.Team, r.Level, score, failing) {
				since = p.since
			} else {
				hist = append(hist, r.Service, r.Scorecard, r.Day, r.Team, r.Level, score, failing)
			}
			cur = append(cur, r.Service, r.Scorecard, r.Day, since, r.Team, r.Level, score, failing, formatTime(r.EvaluatedAt))
		}
		if err := w.insertScorecardRows(ctx, `INSERT INTO scorecard_results (service, scorecard, day, team, level, score, failing) VALUES `,
			` ON CONFLICT (service, scorecard, day) DO UPDATE SET team = excluded.team, level = excluded.level,
				score = excluded.score, failing = excluded.failing`, historyCols, hist); err != nil {
			return fmt.Errorf("scorecard history: %w", err)
		}
		if err := w.insertScorecardRows(ctx, `INSERT INTO scorecard_current (service, scorecard, day, since, team, level, score, failing, evaluated_at) VALUES `,
			` ON CONFLICT (service, scorecard) DO UPDATE SET day = excluded.day, since = excluded.since, team = excluded.team,
				level = excluded.level, score = excluded.score, failing = excluded.failing, evaluated_at = excluded.evaluated_at`,
			currentCols, cur); err != nil {
			return fmt.Errorf("scorecard standings: %w", err)
		}
		// Changes of level are events; rules that pass again clear their
		// notices.
		for _, r := range d.Results {
			p, ok := prev[scorecardKey{r.Service, r.Scorecard}]
			if ok && p.level != r.Level {
				from, _ := json.Marshal(p.level)
				to, _ := json.Marshal(r.Level)
				w.audit("scorecard.level", "service", r.Service, map[string]paved.Change{r.Scorecard: {From: from, To: to}})
			}
			if ok && p.failing != "" {
				for _, rule := range strings.Fields(p.failing) {
					if !containsWord(r.Failing, rule) {
						if _, err := w.exec(ctx, `DELETE FROM scorecard_notices WHERE service = ? AND scorecard = ? AND rule = ?`,
							r.Service, r.Scorecard, rule); err != nil {
							return err
						}
					}
				}
			}
		}
		if d.Complete {
			for k := range prev {
				if seen[k] {
					continue
				}
				if _, err := w.exec(ctx, `DELETE FROM scorecard_current WHERE service = ? AND scorecard = ?`, k.service, k.scorecard); err != nil {
					return err
				}
				if _, err := w.exec(ctx, `DELETE FROM scorecard_notices WHERE service = ? AND scorecard = ?`, k.service, k.scorecard); err != nil {
					return err
				}
			}
		}
		// Regressions: a notice per rule not announced before.
		for _, g := range d.Regressions {
			var fresh []string
			for _, rule := range g.Rules {
				res, err := w.exec(ctx, `INSERT INTO scorecard_notices (service, scorecard, rule, notification_id, sent_at)
					VALUES (?, ?, ?, 0, ?) ON CONFLICT (service, scorecard, rule) DO NOTHING`,
					g.Service, g.Scorecard, rule, formatTime(w.now))
				if err != nil {
					return fmt.Errorf("scorecard notice %s %s %s: %w", g.Service, g.Scorecard, rule, err)
				}
				if k, err := res.RowsAffected(); err != nil {
					return err
				} else if k > 0 {
					fresh = append(fresh, rule)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			n := g.Compose(append([]string(nil), fresh...))
			if n == nil {
				continue
			}
			if err := w.notify(n); err != nil {
				return err
			}
			for _, rule := range fresh {
				if _, err := w.exec(ctx, `UPDATE scorecard_notices SET notification_id = ? WHERE service = ? AND scorecard = ? AND rule = ?`,
					n.ID, g.Service, g.Scorecard, rule); err != nil {
					return err
				}
			}
			b, _ := json.Marshal(fresh)
			w.audit("scorecard.notify", "service", g.Service, map[string]paved.Change{g.Scorecard: {To: b}})
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: save scorecard day: %w", err)
	}
	return sent, nil
}

func containsWord(list []string, w string) bool {
	for _, s := range list {
		if s == w {
			return true
		}
	}
	return false
}

type currentScorecard struct {
	team, level, failing, since string
	score                       int64
}

func (c currentScorecard) same(team, level string, score int64, failing string) bool {
	return c.team == team && c.level == level && c.score == score && c.failing == failing
}

func (w *wtx) currentScorecards(ctx context.Context) (map[scorecardKey]currentScorecard, error) {
	rows, err := w.query(ctx, `SELECT service, scorecard, team, level, score, failing, since FROM scorecard_current`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[scorecardKey]currentScorecard{}
	for rows.Next() {
		var (
			k scorecardKey
			c currentScorecard
		)
		if err := rows.Scan(&k.service, &k.scorecard, &c.team, &c.level, &c.score, &c.failing, &c.since); err != nil {
			return nil, err
		}
		out[k] = c
	}
	return out, rows.Err()
}

// scorecardWhere builds the WHERE clause of a filter.
func scorecardWhere(f paved.ScorecardFilter, withDays bool, p string) (string, []any) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v string) {
		if v != "" {
			conds = append(conds, p+cond)
			args = append(args, v)
		}
	}
	add("service = ?", f.Service)
	add("team = ?", f.Team)
	add("scorecard = ?", f.Scorecard)
	if withDays {
		add("day >= ?", f.Since)
		add("day <= ?", f.Until)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// readScorecards reads rows of scorecardColumns; current says the rows
// carry since and evaluated_at too.
func (db *DB) readScorecards(ctx context.Context, q string, args []any, current bool) ([]*paved.ScorecardResult, error) {
	out := []*paved.ScorecardResult{}
	err := db.snapshot(ctx, func(r runner) error {
		out = out[:0]
		rows, err := r.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				s       paved.ScorecardResult
				score   int64
				failing string
			)
			dest := []any{&s.Service, &s.Scorecard, &s.Day, &s.Team, &s.Level, &score, &failing}
			if current {
				dest = append(dest, &s.Since, scanTime(&s.EvaluatedAt))
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			s.Score = float64(score) / 1000
			s.Failing = strings.Fields(failing)
			if s.Failing == nil {
				s.Failing = []string{}
			}
			out = append(out, &s)
		}
		return rows.Err()
	})
	return out, err
}

const scorecardColumns = `service, scorecard, day, team, level, score, failing`

// CurrentScorecardResults implements paved.ScorecardStore.
func (db *DB) CurrentScorecardResults(ctx context.Context, f paved.ScorecardFilter) ([]*paved.ScorecardResult, error) {
	where, args := scorecardWhere(f, false, "")
	out, err := db.readScorecards(ctx, `SELECT `+scorecardColumns+`, since, evaluated_at FROM scorecard_current`+where+` ORDER BY service, scorecard`, args, true)
	if err != nil {
		return nil, fmt.Errorf("store: current scorecards: %w", err)
	}
	return out, nil
}

// FindScorecardResults implements paved.ScorecardStore.
func (db *DB) FindScorecardResults(ctx context.Context, f paved.ScorecardFilter) ([]*paved.ScorecardResult, error) {
	if (f.Since != "" && !validDay(f.Since)) || (f.Until != "" && !validDay(f.Until)) {
		return nil, paved.Errorf(paved.EINVALID, "scorecard history: since and until are days (YYYY-MM-DD)")
	}
	where, args := scorecardWhere(f, true, "")
	q := `SELECT ` + scorecardColumns + ` FROM scorecard_results` + where
	if f.Since != "" {
		// The standing in force on Since: each pair's last row before it
		// (the primary key answers the correlated MAX).
		before, bargs := scorecardWhere(paved.ScorecardFilter{Service: f.Service, Team: f.Team, Scorecard: f.Scorecard}, false, "r.")
		cond := ` WHERE `
		if before != "" {
			cond = before + ` AND `
		}
		q += ` UNION ALL SELECT ` + prefixed("r.", scorecardColumns) + ` FROM scorecard_results r` + cond +
			`r.day = (SELECT MAX(p.day) FROM scorecard_results p WHERE p.service = r.service AND p.scorecard = r.scorecard AND p.day < ?)`
		args = append(append(args, bargs...), f.Since)
	}
	args = append(args, paved.MaxScorecardResults+1)
	out, err := db.readScorecards(ctx, `SELECT * FROM (`+q+`) h ORDER BY day, service, scorecard LIMIT ?`, args, false)
	if err != nil {
		return nil, fmt.Errorf("store: scorecard history: %w", err)
	}
	if len(out) > paved.MaxScorecardResults {
		return nil, paved.Errorf(paved.EINVALID, "scorecard history: more than %d results: narrow it by service, team, scorecard or days", paved.MaxScorecardResults)
	}
	return out, nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// OpenScorecardNotices implements paved.ScorecardStore.
func (db *DB) OpenScorecardNotices(ctx context.Context, service string) (map[string][]string, error) {
	out := map[string][]string{}
	err := db.snapshot(ctx, func(r runner) error {
		clear(out)
		rows, err := r.query(ctx, `SELECT scorecard, rule FROM scorecard_notices WHERE service = ? ORDER BY scorecard, rule`, service)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc, rule string
			if err := rows.Scan(&sc, &rule); err != nil {
				return err
			}
			out[sc] = append(out[sc], rule)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: scorecard notices of %s: %w", service, err)
	}
	return out, nil
}
