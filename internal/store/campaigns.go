package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Campaign progress and announcements (paved.CampaignStore).

// maxCampaignDays bounds a progress read.
const maxCampaignDays = 400

// RecordCampaignDay stores the days' progress and sends the notices not
// sent before, in one transaction.
func (db *DB) RecordCampaignDay(ctx context.Context, days []*paved.CampaignDay, notices []*paved.CampaignNotice) (int, error) {
	for _, d := range days {
		if d == nil || d.Rule == "" || !validDay(d.Day) || !validDay(d.EnforceFrom) {
			return 0, paved.Errorf(paved.EINVALID, "campaign day: want a rule, a day and an enforce_from date (YYYY-MM-DD)")
		}
	}
	for _, n := range notices {
		if n == nil || n.Rule == "" || n.Service == "" || !validDay(n.EnforceFrom) || n.Notification == nil ||
			(n.Kind != paved.NotifyCampaignStarted && n.Kind != paved.NotifyCampaignReminder) {
			return 0, paved.Errorf(paved.EINVALID, "campaign notice: want a rule, a service, an enforce_from date, a kind (campaign.started or campaign.reminder) and its notification")
		}
	}
	sent := 0
	err := db.write(ctx, func(w *wtx) error {
		sent = 0
		for _, d := range days {
			teams := d.Teams
			if teams == nil {
				teams = map[string]int{}
			}
			tj, err := json.Marshal(teams)
			if err != nil {
				return err
			}
			_, err = w.exec(ctx, `INSERT INTO campaign_days (rule, day, enforce_from, failing, resources, checked, teams, recorded_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (rule, day) DO UPDATE SET enforce_from = excluded.enforce_from, failing = excluded.failing,
					resources = excluded.resources, checked = excluded.checked, teams = excluded.teams, recorded_at = excluded.recorded_at`,
				d.Rule, d.Day, d.EnforceFrom, d.Failing, d.Resources, d.Checked, string(tj), formatTime(w.now))
			if err != nil {
				return fmt.Errorf("campaign day %s %s: %w", d.Rule, d.Day, err)
			}
			d.RecordedAt = w.now
		}
		var announced []string
		for _, n := range notices {
			res, err := w.exec(ctx, `INSERT INTO campaign_notices (rule, enforce_from, kind, service, notification_id, sent_at)
				VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (rule, enforce_from, kind, service) DO NOTHING`,
				n.Rule, n.EnforceFrom, n.Kind, n.Service, formatTime(w.now))
			if err != nil {
				return fmt.Errorf("campaign notice %s %s %s: %w", n.Rule, n.Kind, n.Service, err)
			}
			if k, err := res.RowsAffected(); err != nil {
				return err
			} else if k == 0 {
				continue // sent before
			}
			if err := w.notify(n.Notification); err != nil {
				return err
			}
			if _, err := w.exec(ctx, `UPDATE campaign_notices SET notification_id = ? WHERE rule = ? AND enforce_from = ? AND kind = ? AND service = ?`,
				n.Notification.ID, n.Rule, n.EnforceFrom, n.Kind, n.Service); err != nil {
				return err
			}
			announced = append(announced, n.Kind+" "+n.Rule+" "+n.Service)
			sent++
		}
		if len(announced) > 0 {
			b, _ := json.Marshal(announced)
			w.audit("campaign.notify", "campaign", "notices", map[string]paved.Change{"sent": {To: b}})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: record campaign day: %w", err)
	}
	return sent, nil
}

// FindCampaignDays returns a rule's progress, oldest first.
func (db *DB) FindCampaignDays(ctx context.Context, rule, since string) ([]*paved.CampaignDay, error) {
	var out []*paved.CampaignDay
	err := db.snapshot(ctx, func(r runner) error {
		// The newest maxCampaignDays, returned oldest first.
		rows, err := r.query(ctx, `SELECT rule, day, enforce_from, failing, resources, checked, teams, recorded_at
			FROM campaign_days WHERE rule = ? AND day >= ? ORDER BY day DESC LIMIT ?`, rule, since, maxCampaignDays)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				d     paved.CampaignDay
				teams string
			)
			if err := rows.Scan(&d.Rule, &d.Day, &d.EnforceFrom, &d.Failing, &d.Resources, &d.Checked, &teams, scanTime(&d.RecordedAt)); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(teams), &d.Teams); err != nil {
				return fmt.Errorf("campaign day %s %s: teams: %w", d.Rule, d.Day, err)
			}
			if d.Teams == nil {
				d.Teams = map[string]int{}
			}
			out = append(out, &d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: campaign days of %s: %w", rule, err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	if out == nil {
		out = []*paved.CampaignDay{}
	}
	return out, nil
}

// CampaignNoticesSent counts the notices of a campaign by kind.
func (db *DB) CampaignNoticesSent(ctx context.Context, rule, enforceFrom string) (map[string]int, error) {
	out := map[string]int{}
	err := db.snapshot(ctx, func(r runner) error {
		rows, err := r.query(ctx, `SELECT kind, COUNT(*) FROM campaign_notices WHERE rule = ? AND enforce_from = ? GROUP BY kind`, rule, enforceFrom)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				k string
				n int
			)
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			out[k] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: campaign notices of %s: %w", rule, err)
	}
	return out, nil
}

// validDay checks a YYYY-MM-DD date's shape (the campaigns write them).
func validDay(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return strings.Trim(s[:4]+s[5:7]+s[8:], "0123456789") == ""
}
