package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// FindCostBatches implements paved.CostStore.
func (db *DB) FindCostBatches(ctx context.Context) ([]*paved.CostBatch, error) {
	rows, err := db.reader().query(ctx, `SELECT id, billing_account, period, currency, lines, cost, billed, effective,
		cost_columns, ingested_by, ingested_at FROM cost_batches ORDER BY period DESC, billing_account`)
	if err != nil {
		return nil, fmt.Errorf("store: find cost batches: %w", err)
	}
	defer rows.Close()
	var out []*paved.CostBatch
	for rows.Next() {
		var b paved.CostBatch
		if err := rows.Scan(&b.ID, &b.BillingAccountID, &b.Period, &b.Currency, &b.Lines, &b.Cost, &b.Billed, &b.Effective,
			scanJSON(&b.CostColumns), &b.IngestedBy, scanTime(&b.IngestedAt)); err != nil {
			return nil, fmt.Errorf("store: find cost batches: %w", err)
		}
		if b.CostColumns == nil {
			b.CostColumns = map[string]string{}
		}
		out = append(out, &b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find cost batches: %w", err)
	}
	return nonNil(out), nil
}

const keyCols = "id, provider, billing_account, sub_account, sub_account_name, tags, " + keyAllocCols

func scanKey(r rowScanner) (*paved.CostKey, error) {
	var k paved.CostKey
	var method string
	var untagged int
	var tags string
	if err := r.Scan(&k.ID, &k.Provider, &k.BillingAccountID, &k.SubAccountID, &k.SubAccountName, &tags,
		&k.Service, &k.Team, &k.Env, &method, &k.Shared, &untagged); err != nil {
		return nil, err
	}
	if tags != "" && tags != "{}" {
		if err := json.Unmarshal([]byte(tags), &k.Tags); err != nil {
			return nil, fmt.Errorf("key %d: tags: %w", k.ID, err)
		}
	}
	k.Method, k.Untagged = paved.AllocMethod(method), untagged == 1
	return &k, nil
}

// CostKeys implements paved.CostStore.
func (db *DB) CostKeys(ctx context.Context) ([]*paved.CostKey, error) {
	rows, err := db.reader().query(ctx, "SELECT "+keyCols+" FROM cost_keys ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: cost keys: %w", err)
	}
	defer rows.Close()
	var out []*paved.CostKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cost keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cost keys: %w", err)
	}
	return nonNil(out), nil
}

// Reallocate implements paved.CostStore.
func (db *DB) Reallocate(ctx context.Context, keys []*paved.CostKey) (int, error) {
	changed := 0
	err := db.write(ctx, func(w *wtx) error {
		byTeam := map[string]int{}
		for _, k := range keys {
			res, err := w.exec(ctx, `UPDATE cost_keys SET service = ?, team = ?, env = ?, method = ?, shared = ?, untagged = ?
				WHERE id = ? AND NOT (service = ? AND team = ? AND env = ? AND method = ? AND shared = ? AND untagged = ?)`,
				k.Service, k.Team, k.Env, string(k.Method), k.Shared, boolInt(k.Untagged), k.ID,
				k.Service, k.Team, k.Env, string(k.Method), k.Shared, boolInt(k.Untagged))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed++
				byTeam[k.Team]++
			}
		}
		if changed > 0 {
			w.audit("cost.reallocate", "cost", "keys", created(map[string]any{"keys": changed, "teams": byTeam}))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: reallocate cost: %w", err)
	}
	return changed, nil
}

// CostTotals implements paved.CostStore.
func (db *DB) CostTotals(ctx context.Context, q paved.CostQuery) ([]*paved.CostTotal, error) {
	var group string
	switch q.By {
	case paved.ByTeam, "":
		group = "k.team"
	case paved.ByService:
		group = "k.service"
	case paved.ByAccount:
		group = "CASE WHEN k.sub_account <> '' THEN k.sub_account ELSE k.billing_account END"
	case paved.ByCategory:
		group = "d.category"
	default:
		return nil, paved.FieldErrorf(paved.EINVALID, "by", "cannot group by %q", q.By)
	}
	var b strings.Builder
	args := []any{q.From.UTC().Format(time.DateOnly), q.To.UTC().Format(time.DateOnly)}
	b.WriteString("SELECT " + group + ", k.shared, b.currency, SUM(d.cost), SUM(d.lines)")
	if q.Daily {
		b.WriteString(", d.day")
	}
	b.WriteString(" FROM cost_daily d JOIN cost_keys k ON k.id = d.key_id JOIN cost_batches b ON b.id = d.batch_id WHERE d.day >= ? AND d.day < ?")
	if q.Team != "" {
		b.WriteString(" AND k.team = ?")
		args = append(args, q.Team)
	}
	if q.Service != "" {
		b.WriteString(" AND k.service = ?")
		args = append(args, q.Service)
	}
	if q.Account != "" {
		b.WriteString(" AND (k.sub_account = ? OR (k.sub_account = '' AND k.billing_account = ?))")
		args = append(args, q.Account, q.Account)
	}
	if len(q.Categories) > 0 {
		b.WriteString(" AND d.category IN (" + placeholders(len(q.Categories)) + ")")
		for _, c := range q.Categories {
			args = append(args, c)
		}
	}
	b.WriteString(" GROUP BY " + group + ", k.shared, b.currency")
	if q.Daily {
		b.WriteString(", d.day")
	}
	rows, err := db.reader().queryOnce(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: cost totals: %w", err)
	}
	defer rows.Close()
	var out []*paved.CostTotal
	for rows.Next() {
		var t paved.CostTotal
		var day string
		dest := []any{&t.Group, &t.Shared, &t.Currency, &t.Cost, &t.Lines}
		if q.Daily {
			dest = append(dest, &day)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: cost totals: %w", err)
		}
		if q.Daily {
			if t.Day, err = time.Parse(time.DateOnly, day); err != nil {
				return nil, fmt.Errorf("store: cost totals: day %q: %w", day, err)
			}
		}
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cost totals: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Day.Equal(b.Day) {
			return a.Day.Before(b.Day)
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Shared != b.Shared {
			return a.Shared < b.Shared
		}
		return a.Currency < b.Currency
	})
	return nonNil(out), nil
}

// CostHours implements paved.CostStore.
func (db *DB) CostHours(ctx context.Context, accounts []string, from, to time.Time) ([]*paved.CostHour, error) {
	if len(accounts) == 0 {
		return []*paved.CostHour{}, nil
	}
	args := []any{from.UTC().Format(hourFormat), to.UTC().Format(hourFormat)}
	for _, a := range accounts {
		args = append(args, a)
	}
	rows, err := db.reader().queryOnce(ctx, `SELECT account, hour, SUM(cost) FROM cost_hourly
		WHERE hour >= ? AND hour < ? AND account IN (`+placeholders(len(accounts))+`)
		GROUP BY account, hour ORDER BY account, hour`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: cost hours: %w", err)
	}
	defer rows.Close()
	var out []*paved.CostHour
	for rows.Next() {
		var h paved.CostHour
		var hour string
		if err := rows.Scan(&h.Account, &hour, &h.Cost); err != nil {
			return nil, fmt.Errorf("store: cost hours: %w", err)
		}
		if h.Hour, err = time.Parse(hourFormat, hour); err != nil {
			return nil, fmt.Errorf("store: cost hours: hour %q: %w", hour, err)
		}
		out = append(out, &h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cost hours: %w", err)
	}
	return nonNil(out), nil
}

// Untagged implements paved.CostStore. It reads the lines of the batches
// whose period overlaps [from, to), so it sums each resource's cost with
// its provider's cost column.
func (db *DB) Untagged(ctx context.Context, from, to time.Time, limit int) ([]*paved.UntaggedCost, error) {
	if limit <= 0 || limit > paved.MaxLimit {
		limit = paved.DefaultLimit
	}
	type gk struct{ res, svc, account, team string }
	agg := map[gk]*paved.UntaggedCost{}
	err := db.snapshot(ctx, func(r runner) error {
		// The cost column of each batch and provider.
		cols := map[int64]map[string]string{}
		brows, err := r.query(ctx, "SELECT id, cost_columns FROM cost_batches WHERE period >= ? AND period <= ?",
			paved.Period(from), paved.Period(to.Add(-time.Nanosecond)))
		if err != nil {
			return err
		}
		for brows.Next() {
			var id int64
			m := map[string]string{}
			if err := brows.Scan(&id, scanJSON(&m)); err != nil {
				brows.Close()
				return err
			}
			cols[id] = m
		}
		brows.Close()
		if err := brows.Err(); err != nil {
			return err
		}
		if len(cols) == 0 {
			return nil
		}
		ids := make([]any, 0, len(cols)+2)
		ids = append(ids, from.Unix(), to.Unix())
		for id := range cols {
			ids = append(ids, id)
		}
		rows, err := r.queryOnce(ctx, `SELECT l.batch_id, k.provider, l.resource_id, s.service_name,
			CASE WHEN k.sub_account <> '' THEN k.sub_account ELSE k.billing_account END, k.team,
			SUM(l.billed), SUM(l.effective), COUNT(*)
			FROM cost_lines l JOIN cost_keys k ON k.id = l.key_id JOIN cost_skus s ON s.id = l.sku_id
			WHERE l.charge_start >= ? AND l.charge_start < ? AND l.batch_id IN (`+placeholders(len(cols))+`)
			AND k.untagged = 1 AND k.method <> 'shared' AND s.category IN ('Usage', 'Purchase')
			GROUP BY l.batch_id, k.provider, l.resource_id, s.service_name, 5, k.team`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var batch int64
			var provider string
			var u paved.UntaggedCost
			var billed, effective paved.Money
			if err := rows.Scan(&batch, &provider, &u.ResourceID, &u.ServiceName, &u.Account, &u.Team, &billed, &effective, &u.Lines); err != nil {
				return err
			}
			cost := effective
			if cols[batch][provider] == paved.ColumnBilled {
				cost = billed
			}
			k := gk{u.ResourceID, u.ServiceName, u.Account, u.Team}
			if a := agg[k]; a != nil {
				a.Cost += cost
				a.Lines += u.Lines
			} else {
				u.Cost = cost
				agg[k] = &u
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: untagged cost: %w", err)
	}
	out := make([]*paved.UntaggedCost, 0, len(agg))
	for _, u := range agg {
		if u.Cost > 0 {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Cost != b.Cost {
			return a.Cost > b.Cost
		}
		if a.ResourceID != b.ResourceID {
			return a.ResourceID < b.ResourceID
		}
		return a.ServiceName < b.ServiceName
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// CostRange implements paved.CostStore.
func (db *DB) CostRange(ctx context.Context) (first, last time.Time, currency string, err error) {
	var lo, hi *string
	if err = db.reader().queryRow(ctx, "SELECT MIN(day), MAX(day) FROM cost_daily").Scan(&lo, &hi); err != nil {
		return first, last, "", fmt.Errorf("store: cost range: %w", err)
	}
	if lo == nil || hi == nil {
		return first, last, "", nil
	}
	if first, err = time.Parse(time.DateOnly, *lo); err != nil {
		return first, last, "", fmt.Errorf("store: cost range: %w", err)
	}
	if last, err = time.Parse(time.DateOnly, *hi); err != nil {
		return first, last, "", fmt.Errorf("store: cost range: %w", err)
	}
	err = db.reader().queryRow(ctx, "SELECT currency FROM cost_batches ORDER BY period DESC, id DESC LIMIT 1").Scan(&currency)
	if err != nil && !errNoRows(err) {
		return first, last, "", fmt.Errorf("store: cost range: %w", err)
	}
	return first, last, currency, nil
}
