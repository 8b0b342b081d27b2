package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Billing lines. An ingest is one write transaction: it streams the lines
// of its source into cost_lines in multi-row inserts (the source is never
// held in memory), replaces each billing account and period it meets, and
// at the end writes the daily and hourly roll-ups it summed on the way,
// with the cost column chosen per provider. Readers keep seeing the old
// batches until the commit.

const (
	lineCols    = 8
	linesPerRow = 250 // rows per multi-row INSERT: 2,000 parameters
	dailyCols   = 6
	dailyPerRow = 400
	hourCols    = 4
	hourPerRow  = 500
	// maxKeyIDs bounds the in-memory key -> id cache; past it the cache
	// starts over and keys are looked up by digest again.
	maxKeyIDs = 200_000
)

const insertLine = `INSERT INTO cost_lines (batch_id, key_id, sku_id, charge_start, charge_end, resource_id, billed, effective) VALUES `

type skuKey struct {
	category, class, service, serviceCategory, region string
}

type batchState struct {
	id        int64
	account   string
	period    time.Time
	currency  string
	lines     int64
	replaced  bool
	providers map[string]*sums
}

type sums struct {
	billed, effective paved.Money
	lines             int64
}

type dailyKey struct {
	batch, key int64
	day        int32 // days since the epoch
	category   string
}

type hourKey struct {
	batch    int64
	account  string
	provider string
	hour     int64 // hours since the epoch
}

type ingester struct {
	w       *wtx
	keyPtr  map[*paved.CostKey]int64
	keyIDs  map[string]int64 // digest -> id
	keyProv map[int64]string // key id -> provider
	keyAcct map[int64]string // key id -> account
	skus    map[skuKey]int64
	batches map[batchKeyS]*batchState
	order   []*batchState

	buf    []any
	n      int
	full   *preparedInsert
	daily  map[dailyKey]*sums
	hourly map[hourKey]*sums
	lines  int64
}

type batchKeyS struct {
	account string
	period  int64
}

// preparedInsert is a multi-row INSERT prepared once in the transaction.
type preparedInsert struct {
	exec func(ctx context.Context, args []any) error
	done func()
}

func (w *wtx) prepareInsert(ctx context.Context, head string, cols, rows int) (*preparedInsert, error) {
	var b strings.Builder
	b.WriteString(head)
	row := "(" + placeholders(cols) + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	st, err := w.prepare(ctx, b.String())
	if err != nil {
		return nil, err
	}
	return &preparedInsert{
		exec: func(ctx context.Context, args []any) error { _, err := st.ExecContext(ctx, args...); return err },
		done: func() { st.Close() },
	}, nil
}

// insertRows inserts len(args)/cols rows: through the prepared statement
// when they fill it, else with a statement of their own.
func (w *wtx) insertRows(ctx context.Context, full *preparedInsert, head string, cols, perStmt int, args []any) error {
	for len(args) > 0 {
		n := len(args) / cols
		if n >= perStmt && full != nil {
			if err := full.exec(ctx, args[:perStmt*cols]); err != nil {
				return err
			}
			args = args[perStmt*cols:]
			continue
		}
		var b strings.Builder
		b.WriteString(head)
		row := "(" + placeholders(cols) + ")"
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		if _, err := w.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		return nil
	}
	return nil
}

// IngestCost implements paved.CostStore.
func (db *DB) IngestCost(ctx context.Context, src paved.CostLineSource) (*paved.CostIngest, error) {
	if src == nil {
		return nil, paved.Errorf(paved.EINVALID, "no billing lines given")
	}
	res := &paved.CostIngest{}
	start := time.Now()
	err := db.write(ctx, func(w *wtx) error {
		in := &ingester{
			w:       w,
			keyPtr:  map[*paved.CostKey]int64{},
			keyIDs:  map[string]int64{},
			keyProv: map[int64]string{},
			keyAcct: map[int64]string{},
			skus:    map[skuKey]int64{},
			batches: map[batchKeyS]*batchState{},
			daily:   map[dailyKey]*sums{},
			hourly:  map[hourKey]*sums{},
			buf:     make([]any, 0, lineCols*linesPerRow),
		}
		full, err := w.prepareInsert(ctx, insertLine, lineCols, linesPerRow)
		if err != nil {
			return fmt.Errorf("prepare line insert: %w", err)
		}
		defer full.done()
		in.full = full
		// The source is read (parsed) on another goroutine, in chunks,
		// while this one writes: the two halves of an ingest take about
		// the same time.
		lines, stop := prefetch(src)
		defer stop()
		for chunk := range lines {
			if chunk.err != nil {
				return chunk.err
			}
			for _, l := range chunk.lines {
				if err := in.add(ctx, l); err != nil {
					return err
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := in.flush(ctx); err != nil {
			return err
		}
		if err := in.finish(ctx, src.CostColumns(), res); err != nil {
			return err
		}
		if db.engine == EnginePostgres {
			// A bulk load leaves the planner's statistics behind: without
			// them a report over a million fresh lines picks nested loops
			// (seconds instead of a tenth of one). ANALYZE samples, so it
			// costs little, and it may run inside the transaction.
			if _, err := w.exec(ctx, "ANALYZE cost_lines, cost_daily, cost_hourly, cost_keys, cost_skus, cost_batches"); err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: ingest billing lines: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func (in *ingester) add(ctx context.Context, l *paved.CostLine) error {
	if l == nil || l.Key == nil {
		return paved.Errorf(paved.EINVALID, "a billing line without its key")
	}
	b, err := in.batch(ctx, l)
	if err != nil {
		return err
	}
	kid, err := in.keyID(ctx, l.Key)
	if err != nil {
		return err
	}
	b.lines++
	in.lines++
	ps := b.providers[l.Key.Provider]
	if ps == nil {
		ps = &sums{}
		b.providers[l.Key.Provider] = ps
	}
	ps.billed += l.Billed
	ps.effective += l.Effective
	ps.lines++

	day := int32(l.ChargeStart.Unix() / 86400)
	if l.ChargeStart.Unix() < 0 {
		day = int32((l.ChargeStart.Unix() - 86399) / 86400)
	}
	dk := dailyKey{batch: b.id, key: kid, day: day, category: l.Category}
	d := in.daily[dk]
	if d == nil {
		d = &sums{}
		in.daily[dk] = d
	}
	d.billed += l.Billed
	d.effective += l.Effective
	d.lines++
	if l.Category == paved.ChargeUsage {
		hk := hourKey{batch: b.id, account: l.Key.Account(), provider: l.Key.Provider, hour: floorDiv(l.ChargeStart.Unix(), 3600)}
		h := in.hourly[hk]
		if h == nil {
			h = &sums{}
			in.hourly[hk] = h
		}
		h.billed += l.Billed
		h.effective += l.Effective
	}

	sid, err := in.skuID(ctx, l)
	if err != nil {
		return err
	}
	in.buf = append(in.buf, b.id, kid, sid, l.ChargeStart.Unix(), l.ChargeEnd.Unix(), l.ResourceID, int64(l.Billed), int64(l.Effective))
	in.n++
	if in.n == linesPerRow {
		return in.flush(ctx)
	}
	return nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// skuID returns the id of l's category, class, service, service category
// and region, inserting them the first time.
func (in *ingester) skuID(ctx context.Context, l *paved.CostLine) (int64, error) {
	k := skuKey{l.Category, l.Class, l.ServiceName, l.ServiceCategory, l.Region}
	if id, ok := in.skus[k]; ok {
		return id, nil
	}
	if len(in.skus) >= maxKeyIDs {
		clear(in.skus)
	}
	var id int64
	err := in.w.queryRow(ctx, `SELECT id FROM cost_skus WHERE category = ? AND class = ? AND service_name = ? AND service_category = ? AND region = ?`,
		k.category, k.class, k.service, k.serviceCategory, k.region).Scan(&id)
	if errNoRows(err) {
		err = in.w.queryRow(ctx, `INSERT INTO cost_skus (category, class, service_name, service_category, region) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			k.category, k.class, k.service, k.serviceCategory, k.region).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("sku: %w", err)
	}
	in.skus[k] = id
	return id, nil
}

// chunk is a run of lines read ahead, or the error that ended the reading.
type chunk struct {
	lines []*paved.CostLine
	err   error
}

const chunkLines = 512

// prefetch reads src on its own goroutine into chunks of lines. stop ends
// the reading early (an error on the writing side) and waits for it.
func prefetch(src paved.CostLineSource) (<-chan chunk, func()) {
	out := make(chan chunk, 4)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(out)
		send := func(c chunk) bool {
			select {
			case out <- c:
				return true
			case <-done:
				return false
			}
		}
		buf := make([]*paved.CostLine, 0, chunkLines)
		for {
			l, err := src.Next()
			if errors.Is(err, io.EOF) {
				if len(buf) > 0 {
					send(chunk{lines: buf})
				}
				return
			}
			if err != nil {
				if len(buf) > 0 && !send(chunk{lines: buf}) {
					return
				}
				send(chunk{err: err})
				return
			}
			buf = append(buf, l)
			if len(buf) == chunkLines {
				if !send(chunk{lines: buf}) {
					return
				}
				buf = make([]*paved.CostLine, 0, chunkLines)
			}
		}
	}()
	var once bool
	return out, func() {
		if !once {
			once = true
			close(done)
			<-finished
		}
	}
}

func (in *ingester) flush(ctx context.Context) error {
	if in.n == 0 {
		return nil
	}
	err := in.w.insertRows(ctx, in.full, insertLine, lineCols, linesPerRow, in.buf)
	in.buf, in.n = in.buf[:0], 0
	if err != nil {
		return fmt.Errorf("insert lines: %w", err)
	}
	return nil
}

// batch returns the batch of l's billing account and period, replacing a
// stored one on first sight.
func (in *ingester) batch(ctx context.Context, l *paved.CostLine) (*batchState, error) {
	bk := batchKeyS{account: l.Key.BillingAccountID, period: l.BillingPeriodStart.Unix()}
	if b := in.batches[bk]; b != nil {
		if b.currency != l.Currency {
			return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", l.File, l.Line), "billing account %s has two currencies in billing period %s: %s and %s",
				b.account, paved.Period(b.period), b.currency, l.Currency)
		}
		return b, nil
	}
	w := in.w
	period := paved.Period(l.BillingPeriodStart)
	// Several billing accounts of one period must share its currency:
	// reports add a month up across accounts.
	for _, b := range in.order {
		if paved.Period(b.period) == period && b.currency != l.Currency {
			return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", l.File, l.Line), "billing period %s has lines in %s (billing account %s) and %s (billing account %s): paved adds a month up in one currency",
				period, b.currency, b.account, l.Currency, bk.account)
		}
	}
	var other, otherCur string
	err := w.queryRow(ctx, `SELECT billing_account, currency FROM cost_batches
		WHERE period = ? AND billing_account <> ? AND currency <> ? LIMIT 1`, period, bk.account, l.Currency).Scan(&other, &otherCur)
	if err == nil {
		return nil, paved.FieldErrorf(paved.ECONFLICT, fmt.Sprintf("%s:%d", l.File, l.Line), "billing period %s is stored in %s (billing account %s) and this file has it in %s for billing account %s: paved adds a month up in one currency; convert the export first",
			period, otherCur, other, l.Currency, bk.account)
	} else if !errNoRows(err) {
		return nil, err
	}
	b := &batchState{account: bk.account, period: l.BillingPeriodStart, currency: l.Currency, providers: map[string]*sums{}}
	var old int64
	err = w.queryRow(ctx, "SELECT id FROM cost_batches WHERE billing_account = ? AND period = ?", bk.account, period).Scan(&old)
	switch {
	case err == nil:
		for _, q := range []string{
			"DELETE FROM cost_lines WHERE batch_id = ?",
			"DELETE FROM cost_daily WHERE batch_id = ?",
			"DELETE FROM cost_hourly WHERE batch_id = ?",
			"DELETE FROM cost_batches WHERE id = ?",
		} {
			if _, err := w.exec(ctx, q, old); err != nil {
				return nil, fmt.Errorf("replace batch %s %s: %w", bk.account, period, err)
			}
		}
		b.replaced = true
	case !errNoRows(err):
		return nil, err
	}
	if err := w.queryRow(ctx, `INSERT INTO cost_batches (billing_account, period, currency, lines, cost, billed, effective,
		cost_columns, ingested_by, ingested_at) VALUES (?, ?, ?, 0, 0, 0, 0, '{}', ?, ?) RETURNING id`,
		bk.account, period, l.Currency, w.actor, formatTime(w.now)).Scan(&b.id); err != nil {
		return nil, fmt.Errorf("insert batch: %w", err)
	}
	in.batches[bk] = b
	in.order = append(in.order, b)
	return b, nil
}

// keyID returns the stored id of k, inserting it or updating its
// allocation as needed.
func (in *ingester) keyID(ctx context.Context, k *paved.CostKey) (int64, error) {
	if id, ok := in.keyPtr[k]; ok {
		return id, nil
	}
	if len(in.keyPtr) >= maxKeyIDs {
		clear(in.keyPtr)
	}
	digest := k.Digest()
	id, ok := in.keyIDs[digest]
	if !ok {
		if len(in.keyIDs) >= maxKeyIDs {
			clear(in.keyIDs)
		}
		var err error
		if id, err = in.w.upsertKey(ctx, digest, k); err != nil {
			return 0, err
		}
		in.keyIDs[digest] = id
		in.keyProv[id] = k.Provider
		in.keyAcct[id] = k.Account()
	}
	in.keyPtr[k] = id
	k.ID = id
	return id, nil
}

const keyAllocCols = "service, team, env, method, shared, untagged"

func (w *wtx) upsertKey(ctx context.Context, digest string, k *paved.CostKey) (int64, error) {
	var id int64
	var svc, team, env, method, shared string
	var untagged int
	err := w.queryRow(ctx, "SELECT id, "+keyAllocCols+" FROM cost_keys WHERE digest = ?", digest).
		Scan(&id, &svc, &team, &env, &method, &shared, &untagged)
	switch {
	case err == nil:
		if svc != k.Service || team != k.Team || env != k.Env || method != string(k.Method) || shared != k.Shared || untagged != boolInt(k.Untagged) {
			if _, err := w.exec(ctx, "UPDATE cost_keys SET service = ?, team = ?, env = ?, method = ?, shared = ?, untagged = ? WHERE id = ?",
				k.Service, k.Team, k.Env, string(k.Method), k.Shared, boolInt(k.Untagged), id); err != nil {
				return 0, fmt.Errorf("update key: %w", err)
			}
		}
		return id, nil
	case !errNoRows(err):
		return 0, err
	}
	err = w.queryRow(ctx, `INSERT INTO cost_keys (digest, provider, billing_account, sub_account, sub_account_name, tags, `+keyAllocCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		digest, k.Provider, k.BillingAccountID, k.SubAccountID, k.SubAccountName, paved.MarshalTags(k.Tags),
		k.Service, k.Team, k.Env, string(k.Method), k.Shared, boolInt(k.Untagged)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert key: %w", err)
	}
	return id, nil
}

// finish writes the roll-ups and the batch totals with the cost column of
// each provider, and the audit events.
func (in *ingester) finish(ctx context.Context, cols map[string]string, res *paved.CostIngest) error {
	w := in.w
	useBilled := func(provider string) bool { return cols[provider] == paved.ColumnBilled }
	pick := func(provider string, s *sums) paved.Money {
		if useBilled(provider) {
			return s.billed
		}
		return s.effective
	}
	const dailyHead = "INSERT INTO cost_daily (batch_id, key_id, day, category, cost, lines) VALUES "
	dkeys := make([]dailyKey, 0, len(in.daily))
	for k := range in.daily {
		dkeys = append(dkeys, k)
	}
	sort.Slice(dkeys, func(i, j int) bool {
		a, b := dkeys[i], dkeys[j]
		if a.batch != b.batch {
			return a.batch < b.batch
		}
		if a.key != b.key {
			return a.key < b.key
		}
		if a.day != b.day {
			return a.day < b.day
		}
		return a.category < b.category
	})
	full, err := w.prepareInsert(ctx, dailyHead, dailyCols, dailyPerRow)
	if err != nil {
		return err
	}
	defer full.done()
	args := make([]any, 0, dailyCols*dailyPerRow)
	for _, k := range dkeys {
		s := in.daily[k]
		prov, ok := in.keyProv[k.key]
		if !ok {
			// The key cache started over: read the provider back.
			if err := w.queryRow(ctx, "SELECT provider FROM cost_keys WHERE id = ?", k.key).Scan(&prov); err != nil {
				return err
			}
			in.keyProv[k.key] = prov
		}
		day := time.Unix(int64(k.day)*86400, 0).UTC().Format(time.DateOnly)
		args = append(args, k.batch, k.key, day, k.category, int64(pick(prov, s)), s.lines)
		if len(args) == cap(args) {
			if err := w.insertRows(ctx, full, dailyHead, dailyCols, dailyPerRow, args); err != nil {
				return fmt.Errorf("insert daily roll-up: %w", err)
			}
			args = args[:0]
		}
	}
	if err := w.insertRows(ctx, full, dailyHead, dailyCols, dailyPerRow, args); err != nil {
		return fmt.Errorf("insert daily roll-up: %w", err)
	}

	// Hourly usage per account: the providers of an account add up.
	type hk struct {
		batch   int64
		account string
		hour    int64
	}
	hours := map[hk]paved.Money{}
	for k, s := range in.hourly {
		hours[hk{k.batch, k.account, k.hour}] += pick(k.provider, s)
	}
	hkeys := make([]hk, 0, len(hours))
	for k := range hours {
		hkeys = append(hkeys, k)
	}
	sort.Slice(hkeys, func(i, j int) bool {
		a, b := hkeys[i], hkeys[j]
		if a.batch != b.batch {
			return a.batch < b.batch
		}
		if a.account != b.account {
			return a.account < b.account
		}
		return a.hour < b.hour
	})
	const hourHead = "INSERT INTO cost_hourly (batch_id, account, hour, cost) VALUES "
	args = args[:0]
	for _, k := range hkeys {
		args = append(args, k.batch, k.account, time.Unix(k.hour*3600, 0).UTC().Format(hourFormat), int64(hours[k]))
		if len(args) >= hourCols*hourPerRow {
			if err := w.insertRows(ctx, nil, hourHead, hourCols, hourPerRow, args); err != nil {
				return fmt.Errorf("insert hourly roll-up: %w", err)
			}
			args = args[:0]
		}
	}
	if err := w.insertRows(ctx, nil, hourHead, hourCols, hourPerRow, args); err != nil {
		return fmt.Errorf("insert hourly roll-up: %w", err)
	}

	keys := map[int64]bool{}
	for _, id := range in.keyIDs {
		keys[id] = true
	}
	res.Keys = len(keys)
	res.Lines = in.lines
	for _, b := range in.order {
		var cost, billed, effective paved.Money
		bcols := map[string]string{}
		for p, s := range b.providers {
			cost += pick(p, s)
			billed += s.billed
			effective += s.effective
			bcols[p] = paved.ColumnEffective
			if useBilled(p) {
				bcols[p] = paved.ColumnBilled
			}
		}
		cj, _ := json.Marshal(bcols)
		if _, err := w.exec(ctx, "UPDATE cost_batches SET lines = ?, cost = ?, billed = ?, effective = ?, cost_columns = ? WHERE id = ?",
			b.lines, int64(cost), int64(billed), int64(effective), string(cj), b.id); err != nil {
			return fmt.Errorf("update batch: %w", err)
		}
		period := paved.Period(b.period)
		res.Batches = append(res.Batches, &paved.CostBatch{
			ID: b.id, BillingAccountID: b.account, Period: period, Currency: b.currency, Lines: b.lines,
			Cost: cost, Billed: billed, Effective: effective, Replaced: b.replaced, IngestedBy: w.actor,
			IngestedAt: w.now, CostColumns: bcols,
		})
		w.audit("cost.ingest", "cost_batch", b.account+"/"+period, created(map[string]any{
			"billing_account": b.account, "period": period, "currency": b.currency, "lines": b.lines,
			"cost": cost.String(), "replaced": b.replaced, "cost_columns": bcols,
		}))
	}
	return nil
}

// hourFormat is how cost_hourly stores hours.
const hourFormat = "2006-01-02T15"
