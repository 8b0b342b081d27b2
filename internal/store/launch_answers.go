package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
)

const answerCols = `a.item, a.kind, a.template_version, a.status, a.answer_text, a.links, a.na_reason, a.na_accepted_by,
	a.na_accepted_at, a.flag, a.flagged_by, a.flagged_at, a.revision, a.author, a.updated_at`

// scanAnswer reads answerCols (and extra after them); Service is the
// caller's to set.
func scanAnswer(r rowScanner, extra ...any) (*paved.Answer, error) {
	var a paved.Answer
	dest := []any{&a.Item, &a.Kind, &a.TemplateVersion, &a.Status, &a.Text, scanJSON(&a.Links), &a.NAReason, &a.NAAcceptedBy,
		scanTimePtr(&a.NAAcceptedAt), &a.Flag, &a.FlaggedBy, scanTimePtr(&a.FlaggedAt), &a.Revision, &a.Author, scanTime(&a.UpdatedAt)}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.Links = nonNil(a.Links)
	return &a, nil
}

func answerID(service, item string) string { return service + "/" + item }

// findAnswer reads the current answer of an item (nil when none), locking
// its row on PostgreSQL when lock is set.
func findAnswer(ctx context.Context, r runner, serviceID int64, service, item string, lock bool) (*paved.Answer, error) {
	q := "SELECT " + answerCols + " FROM answers a WHERE a.service_id = ? AND a.item = ?"
	if lock {
		q += r.forUpdate("a")
	}
	a, err := scanAnswer(r.queryRow(ctx, q, serviceID, item))
	if errNoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	a.Service = service
	return a, nil
}

// SaveAnswer writes a new revision of an answer: Revision, Author (the
// context's actor) and UpdatedAt are set here. A change of status, text or
// n/a reason clears the n/a acceptance; a reviewer's flag stays until a
// reviewer clears it. Saving exactly the current answer again writes
// nothing and returns it.
func (db *DB) SaveAnswer(ctx context.Context, a *paved.Answer) (*paved.Answer, error) {
	if a == nil {
		return nil, paved.Errorf(paved.EINVALID, "no answer given")
	}
	if strings.TrimSpace(a.Item) == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "item", "item id is empty: name the questionnaire or checklist item")
	}
	if !a.Kind.Valid() {
		return nil, paved.FieldErrorf(paved.EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", a.Kind)
	}
	if a.Status != paved.AnswerGiven && a.Status != paved.AnswerNA {
		return nil, paved.FieldErrorf(paved.EINVALID, "status", "unknown answer status %q: want answered or n/a", a.Status)
	}
	var out *paved.Answer
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, a.Service)
		if err != nil {
			return err
		}
		old, err := findAnswer(ctx, w.runner, sid, a.Service, a.Item, true)
		if err != nil {
			return err
		}
		v := &paved.Answer{Service: a.Service, Item: a.Item, Kind: a.Kind, TemplateVersion: a.TemplateVersion,
			Status: a.Status, Text: a.Text, Links: nonNil(slices.Clone(a.Links)), NAReason: a.NAReason, Revision: 1}
		if old != nil {
			if old.Kind == v.Kind && old.TemplateVersion == v.TemplateVersion && old.Status == v.Status &&
				old.Text == v.Text && slices.Equal(old.Links, v.Links) && old.NAReason == v.NAReason {
				out = old
				return nil
			}
			v.Revision = old.Revision + 1
			v.Flag, v.FlaggedBy, v.FlaggedAt = old.Flag, old.FlaggedBy, old.FlaggedAt
			if old.Status == v.Status && old.Text == v.Text && old.NAReason == v.NAReason {
				v.NAAcceptedBy, v.NAAcceptedAt = old.NAAcceptedBy, old.NAAcceptedAt
			}
		}
		v.Author, v.UpdatedAt = w.actor, w.now
		links := toJSON(v.Links)
		if _, err := w.exec(ctx, `INSERT INTO answers (service_id, item, kind, template_version, status, answer_text, links, na_reason,
			na_accepted_by, na_accepted_at, flag, flagged_by, flagged_at, revision, author, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (service_id, item) DO UPDATE SET kind = excluded.kind, template_version = excluded.template_version,
			status = excluded.status, answer_text = excluded.answer_text, links = excluded.links, na_reason = excluded.na_reason,
			na_accepted_by = excluded.na_accepted_by, na_accepted_at = excluded.na_accepted_at, flag = excluded.flag,
			flagged_by = excluded.flagged_by, flagged_at = excluded.flagged_at, revision = excluded.revision,
			author = excluded.author, updated_at = excluded.updated_at`,
			sid, v.Item, string(v.Kind), v.TemplateVersion, string(v.Status), v.Text, links, v.NAReason,
			v.NAAcceptedBy, formatTimePtr(v.NAAcceptedAt), v.Flag, v.FlaggedBy, formatTimePtr(v.FlaggedAt),
			v.Revision, v.Author, formatTime(v.UpdatedAt)); err != nil {
			return err
		}
		if _, err := w.exec(ctx, `INSERT INTO answer_revisions (service_id, item, revision, kind, template_version, status,
			answer_text, links, na_reason, author, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sid, v.Item, v.Revision, string(v.Kind), v.TemplateVersion, string(v.Status), v.Text, links, v.NAReason,
			v.Author, formatTime(v.UpdatedAt)); err != nil {
			return err
		}
		var changes map[string]paved.Change
		if old == nil {
			changes = createDiff(v)
		} else {
			changes = paved.Diff(old, v)
		}
		w.audit("launch.answer", "answer", answerID(v.Service, v.Item), changes)
		out = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save answer %s: %w", answerID(a.Service, a.Item), err)
	}
	return out, nil
}

// ReviewAnswer applies a reviewer's action to the current answer: accept
// its n/a reason (the reviewer and time are recorded), or open or close a
// follow-up flag. Repeating an action already in effect writes nothing.
func (db *DB) ReviewAnswer(ctx context.Context, service, item string, r paved.AnswerReview) (*paved.Answer, error) {
	if r.AcceptNA == (r.Flag != nil) {
		return nil, paved.Errorf(paved.EINVALID, "a review either accepts the n/a (accept_na) or sets or clears a flag (flag), one at a time")
	}
	var out *paved.Answer
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, service)
		if err != nil {
			return err
		}
		old, err := findAnswer(ctx, w.runner, sid, service, item, true)
		if err != nil {
			return err
		}
		if old == nil {
			return paved.Errorf(paved.ENOTFOUND, "item %s of %q has no answer yet: an answer must exist before it can be reviewed", item, service)
		}
		v := *old
		now := w.now
		switch {
		case r.AcceptNA:
			if old.Status != paved.AnswerNA {
				return paved.FieldErrorf(paved.EUNPROCESSABLE, "accept_na",
					"item %s of %q is answered, not n/a: only an n/a answer has a reason to accept", item, service)
			}
			if old.NAAcceptedBy != "" {
				out = old
				return nil
			}
			v.NAAcceptedBy, v.NAAcceptedAt = w.actor, &now
		case *r.Flag != "":
			if old.Flag == *r.Flag {
				out = old
				return nil
			}
			v.Flag, v.FlaggedBy, v.FlaggedAt = *r.Flag, w.actor, &now
		default:
			if old.Flag == "" {
				out = old
				return nil
			}
			v.Flag, v.FlaggedBy, v.FlaggedAt = "", "", nil
		}
		if _, err := w.exec(ctx, `UPDATE answers SET na_accepted_by = ?, na_accepted_at = ?, flag = ?, flagged_by = ?, flagged_at = ?
			WHERE service_id = ? AND item = ?`,
			v.NAAcceptedBy, formatTimePtr(v.NAAcceptedAt), v.Flag, v.FlaggedBy, formatTimePtr(v.FlaggedAt), sid, item); err != nil {
			return err
		}
		w.audit("launch.review", "answer", answerID(service, item), paved.Diff(old, &v))
		out = &v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: review answer %s: %w", answerID(service, item), err)
	}
	return out, nil
}

// AnswerHistory returns the revisions of one item, or of every item of the
// service when item is "", oldest first.
func (db *DB) AnswerHistory(ctx context.Context, service, item string) ([]*paved.AnswerRevision, error) {
	out := []*paved.AnswerRevision{}
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, service)
		if err != nil {
			return err
		}
		q := `SELECT item, revision, template_version, status, answer_text, links, na_reason, author, at
			FROM answer_revisions WHERE service_id = ?`
		args := []any{sid}
		if item != "" {
			q += " AND item = ?"
			args = append(args, item)
		}
		return eachRow(ctx, r, q+" ORDER BY at, item, revision", args, func(rows *sql.Rows) error {
			v := &paved.AnswerRevision{Service: service}
			if err := rows.Scan(&v.Item, &v.Revision, &v.TemplateVersion, &v.Status, &v.Text, scanJSON(&v.Links),
				&v.NAReason, &v.Author, scanTime(&v.At)); err != nil {
				return err
			}
			v.Links = nonNil(v.Links)
			out = append(out, v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: answer history of %q: %w", service, err)
	}
	return out, nil
}

// AddComment stores a comment on an item and fills its ID, Author (the
// context's actor unless set) and At. Comments are never edited.
func (db *DB) AddComment(ctx context.Context, c *paved.Comment) error {
	if c == nil {
		return paved.Errorf(paved.EINVALID, "no comment given")
	}
	if strings.TrimSpace(c.Item) == "" {
		return paved.FieldErrorf(paved.EINVALID, "item", "item id is empty: name the item the comment is about")
	}
	if strings.TrimSpace(c.Body) == "" {
		return paved.FieldErrorf(paved.EINVALID, "body", "the comment is empty: write what you want to say")
	}
	v := *c
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, v.Service)
		if err != nil {
			return err
		}
		if v.Author == "" {
			v.Author = w.actor
		}
		v.At = w.now
		if err := w.queryRow(ctx, "INSERT INTO comments (service_id, item, author, body, at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			sid, v.Item, v.Author, v.Body, formatTime(v.At)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("launch.comment", "answer", answerID(v.Service, v.Item), created(map[string]any{
			"comment": v.ID, "author": v.Author, "body": v.Body,
		}))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add comment on %s: %w", answerID(c.Service, c.Item), err)
	}
	*c = v
	return nil
}

// FindComments returns the comments on one item, or on every item of the
// service when item is "", oldest first.
func (db *DB) FindComments(ctx context.Context, service, item string) ([]*paved.Comment, error) {
	out := []*paved.Comment{}
	err := db.snapshot(ctx, func(r runner) error {
		sid, err := serviceID(ctx, r, service)
		if err != nil {
			return err
		}
		q := "SELECT id, item, author, body, at FROM comments WHERE service_id = ?"
		args := []any{sid}
		if item != "" {
			q += " AND item = ?"
			args = append(args, item)
		}
		return eachRow(ctx, r, q+" ORDER BY at, id", args, func(rows *sql.Rows) error {
			c := &paved.Comment{Service: service}
			if err := rows.Scan(&c.ID, &c.Item, &c.Author, &c.Body, scanTime(&c.At)); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: find comments of %q: %w", service, err)
	}
	return out, nil
}

const assessmentCols = `a.id, a.kind, a.threat_model, a.vuln_scan, a.vuln_scan_link, a.risk_rating, a.pen_test,
	a.expected_peak_rps, a.tested_rps, a.p99_ms, a.links, a.notes, a.recorded_by, a.recorded_at`

func scanAssessment(r rowScanner, extra ...any) (*paved.Assessment, error) {
	var a paved.Assessment
	dest := []any{&a.ID, &a.Kind, &a.ThreatModel, &a.VulnScan, &a.VulnScanLink, &a.RiskRating, &a.PenTest,
		&a.ExpectedPeakRPS, &a.TestedRPS, &a.P99Millis, scanJSON(&a.Links), &a.Notes, &a.RecordedBy, scanTime(&a.RecordedAt)}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.Links = nonNil(a.Links)
	return &a, nil
}

// AddAssessment records a security assessment or a load profile and fills
// its ID, RecordedBy (the context's actor unless set) and RecordedAt.
// Whether it is complete enough for the gate is the launch rules' decision.
func (db *DB) AddAssessment(ctx context.Context, a *paved.Assessment) error {
	if a == nil {
		return paved.Errorf(paved.EINVALID, "no assessment given")
	}
	if a.Kind != paved.AssessSecurity && a.Kind != paved.AssessLoad {
		return paved.FieldErrorf(paved.EINVALID, "kind", "unknown assessment kind %q: want security or load", a.Kind)
	}
	if a.RiskRating != "" && !slices.Contains([]paved.RiskRating{paved.RiskLow, paved.RiskMedium, paved.RiskHigh, paved.RiskCritical}, a.RiskRating) {
		return paved.FieldErrorf(paved.EINVALID, "risk_rating", "unknown risk rating %q: want low, medium, high or critical", a.RiskRating)
	}
	v := *a
	v.Links = nonNil(slices.Clone(a.Links))
	err := db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, v.Service)
		if err != nil {
			return err
		}
		if v.RecordedBy == "" {
			v.RecordedBy = w.actor
		}
		v.RecordedAt = w.now
		if err := w.queryRow(ctx, `INSERT INTO assessments (service_id, kind, threat_model, vuln_scan, vuln_scan_link, risk_rating,
			pen_test, expected_peak_rps, tested_rps, p99_ms, links, notes, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sid, string(v.Kind), v.ThreatModel, v.VulnScan, v.VulnScanLink, string(v.RiskRating), v.PenTest,
			v.ExpectedPeakRPS, v.TestedRPS, v.P99Millis, toJSON(v.Links), v.Notes, v.RecordedBy, formatTime(v.RecordedAt)).Scan(&v.ID); err != nil {
			return err
		}
		w.audit("launch.assess", "assessment", strconv.FormatInt(v.ID, 10), createDiff(&v))
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add %s assessment of %q: %w", a.Kind, a.Service, err)
	}
	*a = v
	return nil
}
