package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

// FindBudgets implements paved.CostStore: the budgets set through the API.
func (db *DB) FindBudgets(ctx context.Context) ([]*paved.Budget, error) {
	rows, err := db.reader().query(ctx, "SELECT scope, name, amount, playground, updated_by, updated_at FROM cost_budgets ORDER BY scope, name")
	if err != nil {
		return nil, fmt.Errorf("store: find budgets: %w", err)
	}
	defer rows.Close()
	var out []*paved.Budget
	for rows.Next() {
		b := paved.Budget{Source: "api"}
		var scope string
		var pg int
		if err := rows.Scan(&scope, &b.Name, &b.Amount, &pg, &b.UpdatedBy, scanTime(&b.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("store: find budgets: %w", err)
		}
		b.Scope, b.Playground = paved.BudgetScope(scope), pg == 1
		out = append(out, &b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find budgets: %w", err)
	}
	return nonNil(out), nil
}

// SetBudget implements paved.CostStore: it creates or replaces the budget
// of b's scope and name, and fills UpdatedBy, UpdatedAt and Source.
func (db *DB) SetBudget(ctx context.Context, b *paved.Budget) error {
	if b == nil {
		return paved.Errorf(paved.EINVALID, "no budget given")
	}
	if err := b.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func(w *wtx) error {
		var old *paved.Money
		var o paved.Money
		err := w.queryRow(ctx, "SELECT amount FROM cost_budgets WHERE scope = ? AND name = ?", string(b.Scope), b.Name).Scan(&o)
		switch {
		case err == nil:
			old = &o
			_, err = w.exec(ctx, "UPDATE cost_budgets SET amount = ?, playground = ?, updated_by = ?, updated_at = ? WHERE scope = ? AND name = ?",
				int64(b.Amount), boolInt(b.Playground), w.actor, formatTime(w.now), string(b.Scope), b.Name)
		case errNoRows(err):
			_, err = w.exec(ctx, "INSERT INTO cost_budgets (scope, name, amount, playground, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				string(b.Scope), b.Name, int64(b.Amount), boolInt(b.Playground), w.actor, formatTime(w.now))
		}
		if err != nil {
			return err
		}
		ch := map[string]paved.Change{"amount": change(nil, b.Amount.String())}
		if old != nil {
			ch["amount"] = change(old.String(), b.Amount.String())
		}
		if b.Playground {
			ch["playground"] = change(nil, true)
		}
		w.audit("budget.set", "budget", string(b.Scope)+"/"+b.Name, ch)
		b.UpdatedBy, b.UpdatedAt, b.Source = w.actor, w.now, "api"
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set budget %s %q: %w", b.Scope, b.Name, err)
	}
	return nil
}

// DeleteBudget implements paved.CostStore.
func (db *DB) DeleteBudget(ctx context.Context, scope paved.BudgetScope, name string) error {
	err := db.write(ctx, func(w *wtx) error {
		var amount paved.Money
		err := w.queryRow(ctx, "SELECT amount FROM cost_budgets WHERE scope = ? AND name = ?", string(scope), name).Scan(&amount)
		if errNoRows(err) {
			return paved.Errorf(paved.ENOTFOUND, "no budget for %s %q was set through the API (budgets in paved.yaml change there)", scope, name)
		} else if err != nil {
			return err
		}
		if _, err := w.exec(ctx, "DELETE FROM cost_budgets WHERE scope = ? AND name = ?", string(scope), name); err != nil {
			return err
		}
		w.audit("budget.delete", "budget", string(scope)+"/"+name, map[string]paved.Change{"amount": change(amount.String(), nil)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete budget %s %q: %w", scope, name, err)
	}
	return nil
}

const alertCols = `id, alert_key, rule, scope, name, team, period, day, threshold, amount, limit_amount, currency, message,
	created_at, planned_by, planned_at, planned_reason`

func scanAlert(r rowScanner) (*paved.CostAlert, error) {
	var a paved.CostAlert
	var scope string
	var day *string
	if err := r.Scan(&a.ID, &a.Key, &a.Rule, &scope, &a.Name, &a.Team, &a.Period, &day, &a.Threshold, &a.Amount, &a.Limit,
		&a.Currency, &a.Message, scanTime(&a.CreatedAt), &a.PlannedBy, scanTimePtr(&a.PlannedAt), &a.PlannedReason); err != nil {
		return nil, err
	}
	a.Scope = paved.BudgetScope(scope)
	if day != nil && *day != "" {
		t, err := parseTime(*day)
		if err != nil {
			return nil, err
		}
		a.Day = t
	}
	return &a, nil
}

// SaveCostAlerts implements paved.CostStore. An alert is stored only when
// its key is new and no alert of its rule, scope and period was marked as
// planned; each stored alert gets the notification announce (nil: none)
// composes from it, in the same transaction.
func (db *DB) SaveCostAlerts(ctx context.Context, alerts []*paved.CostAlert, announce func(*paved.CostAlert) *paved.Notification) ([]*paved.CostAlert, error) {
	var out []*paved.CostAlert
	err := db.write(ctx, func(w *wtx) error {
		out = out[:0]
		for _, a := range alerts {
			if a == nil || a.Key == "" || a.Rule == "" {
				return paved.Errorf(paved.EINVALID, "an alert needs its rule and key")
			}
			var planned int
			err := w.queryRow(ctx, `SELECT COUNT(*) FROM cost_alerts WHERE rule = ? AND scope = ? AND name = ? AND period = ? AND planned_by <> ''`,
				a.Rule, string(a.Scope), a.Name, a.Period).Scan(&planned)
			if err != nil {
				return err
			}
			if planned > 0 {
				continue
			}
			v := *a
			v.CreatedAt = w.now
			var day any
			if !v.Day.IsZero() {
				day = formatTime(v.Day)
			}
			err = w.queryRow(ctx, `INSERT INTO cost_alerts (alert_key, rule, scope, name, team, period, day, threshold, amount,
				limit_amount, currency, message, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (alert_key) DO NOTHING RETURNING id`,
				v.Key, v.Rule, string(v.Scope), v.Name, v.Team, v.Period, day, v.Threshold, int64(v.Amount), int64(v.Limit),
				v.Currency, v.Message, formatTime(v.CreatedAt)).Scan(&v.ID)
			if errNoRows(err) {
				continue // already raised
			} else if err != nil {
				return err
			}
			if err := notifyOf(w, announce, &v); err != nil {
				return err
			}
			w.audit("cost.alert", "cost_alert", strconv.FormatInt(v.ID, 10), created(map[string]any{
				"rule": v.Rule, "scope": string(v.Scope), "name": v.Name, "period": v.Period, "threshold": v.Threshold,
				"amount": v.Amount.String(), "limit": v.Limit.String(),
			}))
			out = append(out, &v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save cost alerts: %w", err)
	}
	return nonNil(out), nil
}

// FindCostAlerts implements paved.CostStore.
func (db *DB) FindCostAlerts(ctx context.Context, f paved.CostAlertFilter) ([]*paved.CostAlert, error) {
	var where []string
	var args []any
	if f.Period != "" {
		where, args = append(where, "period = ?"), append(args, f.Period)
	}
	if f.Scope != "" {
		where, args = append(where, "scope = ?"), append(args, string(f.Scope))
	}
	if f.Name != "" {
		where, args = append(where, "name = ?"), append(args, f.Name)
	}
	if f.Team != "" {
		where, args = append(where, "team = ?"), append(args, f.Team)
	}
	limit := f.Limit
	if limit <= 0 || limit > paved.MaxLimit {
		limit = paved.MaxLimit
	}
	q := "SELECT " + alertCols + " FROM cost_alerts"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(limit)
	rows, err := db.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find cost alerts: %w", err)
	}
	defer rows.Close()
	var out []*paved.CostAlert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("store: find cost alerts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find cost alerts: %w", err)
	}
	return nonNil(out), nil
}

// FindCostAlert implements paved.CostStore.
func (db *DB) FindCostAlert(ctx context.Context, id int64) (*paved.CostAlert, error) {
	a, err := scanAlert(db.reader().queryRow(ctx, "SELECT "+alertCols+" FROM cost_alerts WHERE id = ?", id))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "alert %d does not exist", id)
	} else if err != nil {
		return nil, fmt.Errorf("store: find cost alert %d: %w", id, err)
	}
	return a, nil
}

// PlanCostAlert implements paved.CostStore.
func (db *DB) PlanCostAlert(ctx context.Context, id int64, reason string) (*paved.CostAlert, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "say what the planned activity is (a load test, a migration ...): the team reads it later")
	}
	if len(reason) > 1000 {
		return nil, paved.FieldErrorf(paved.EINVALID, "reason", "reason is %d characters long: at most 1000", len(reason))
	}
	var out *paved.CostAlert
	err := db.write(ctx, func(w *wtx) error {
		a, err := scanAlert(w.queryRow(ctx, "SELECT "+alertCols+" FROM cost_alerts WHERE id = ?"+w.forUpdate("cost_alerts"), id))
		if errNoRows(err) {
			return paved.Errorf(paved.ENOTFOUND, "alert %d does not exist", id)
		} else if err != nil {
			return err
		}
		if a.Planned() {
			return paved.Errorf(paved.ECONFLICT, "alert %d was already marked as planned by %s", id, a.PlannedBy)
		}
		if _, err := w.exec(ctx, "UPDATE cost_alerts SET planned_by = ?, planned_at = ?, planned_reason = ? WHERE id = ?",
			w.actor, formatTime(w.now), reason, id); err != nil {
			return err
		}
		now := w.now
		a.PlannedBy, a.PlannedAt, a.PlannedReason = w.actor, &now, reason
		w.audit("cost.alert.plan", "cost_alert", strconv.FormatInt(id, 10), map[string]paved.Change{
			"planned_by": change(nil, w.actor), "planned_reason": change(nil, reason),
		})
		out = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: plan alert %d: %w", id, err)
	}
	return out, nil
}
