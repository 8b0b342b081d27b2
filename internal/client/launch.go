package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/launch"
)

// The path to production. The methods mirror launch.Service, so the CLI's
// local backend (the service over the database) and its remote backend
// (this client) have one shape.

func launchPath(service string) string { return "/services" + name(service) }

func itemPath(service, item string) string {
	return launchPath(service) + "/answers" + name(item)
}

func walkthroughPath(id int64) string { return "/walkthroughs/" + strconv.FormatInt(id, 10) }

// LaunchStatus returns where a service stands on the path to production.
func (c *Client) LaunchStatus(ctx context.Context, service string) (*launch.Status, error) {
	var st launch.Status
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/launch", nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Packet writes the walkthrough packet of service to w as Markdown
// (format "md") or a printable HTML page ("html").
func (c *Client) Packet(ctx context.Context, service, format string, w io.Writer) error {
	q := url.Values{}
	setIf(q, "format", format)
	resp, err := c.send(ctx, http.MethodGet, launchPath(service)+"/launch/packet", q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return paved.Errorf(paved.EINTERNAL, "reading the packet from %s: %v", c.base, err)
	}
	if n > maxResponseBytes {
		return paved.Errorf(paved.ETOOLARGE, "the packet from %s is larger than %d bytes", c.base, maxResponseBytes)
	}
	return nil
}

// Readiness returns the readiness score of service over time.
func (c *Client) Readiness(ctx context.Context, service string) ([]launch.ReadinessPoint, error) {
	var l api.List[launch.ReadinessPoint]
	if err := c.do(ctx, http.MethodGet, launchPath(service)+"/launch/readiness", nil, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// Upgrade shows (apply false) or applies the move of service to the
// configured version of a template.
func (c *Client) Upgrade(ctx context.Context, service string, kind paved.TemplateKind, apply bool) (*launch.Upgrade, error) {
	var up launch.Upgrade
	if err := c.do(ctx, http.MethodPost, launchPath(service)+"/launch/upgrade", nil, api.UpgradeRequest{Kind: kind, Apply: apply}, &up); err != nil {
		return nil, err
	}
	return &up, nil
}

// SetContact assigns the enablement contact of service ("" removes it).
func (c *Client) SetContact(ctx context.Context, service, user string) error {
	return c.do(ctx, http.MethodPut, launchPath(service)+"/contact", nil, api.ContactRequest{User: user}, nil)
}

// Answer answers one item.
func (c *Client) Answer(ctx context.Context, service, item string, in launch.AnswerInput) (*paved.Answer, error) {
	var a paved.Answer
	if err := c.do(ctx, http.MethodPut, itemPath(service, item), nil, in, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// History returns the revisions of one answer, oldest first.
func (c *Client) History(ctx context.Context, service, item string) ([]*paved.AnswerRevision, error) {
	var l api.List[*paved.AnswerRevision]
	if err := c.do(ctx, http.MethodGet, itemPath(service, item)+"/history", nil, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// Review accepts an n/a or opens or closes a flag on an answer.
func (c *Client) Review(ctx context.Context, service, item string, r paved.AnswerReview) (*paved.Answer, error) {
	var a paved.Answer
	if err := c.do(ctx, http.MethodPost, itemPath(service, item)+"/review", nil, r, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Comments returns the comments on one item, oldest first.
func (c *Client) Comments(ctx context.Context, service, item string) ([]*paved.Comment, error) {
	var l api.List[*paved.Comment]
	if err := c.do(ctx, http.MethodGet, itemPath(service, item)+"/comments", nil, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// Comment adds a comment to one item.
func (c *Client) Comment(ctx context.Context, service, item, body string) (*paved.Comment, error) {
	var cm paved.Comment
	if err := c.do(ctx, http.MethodPost, itemPath(service, item)+"/comments", nil, api.CommentRequest{Body: body}, &cm); err != nil {
		return nil, err
	}
	return &cm, nil
}

// Assess records a security assessment or load profile.
func (c *Client) Assess(ctx context.Context, service string, a *paved.Assessment) (*paved.Assessment, error) {
	var out paved.Assessment
	if err := c.do(ctx, http.MethodPost, launchPath(service)+"/assessments", nil, a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Advance moves service to phase to ("" for the next one), through its
// gate or, with force and a reason, past it.
func (c *Client) Advance(ctx context.Context, service string, to paved.Phase, force bool, reason string) (*paved.PhaseChange, error) {
	var pc paved.PhaseChange
	if err := c.do(ctx, http.MethodPost, launchPath(service)+"/phase", nil, api.PhaseRequest{To: to, Force: force, Reason: reason}, &pc); err != nil {
		return nil, err
	}
	return &pc, nil
}

// Schedule schedules a walkthrough of service.
func (c *Client) Schedule(ctx context.Context, service string, at time.Time, participants []string) (*launch.WalkthroughStatus, error) {
	if participants == nil {
		participants = []string{}
	}
	var ws launch.WalkthroughStatus
	req := api.WalkthroughRequest{ScheduledAt: at.UTC().Format(time.RFC3339), Participants: participants}
	if err := c.do(ctx, http.MethodPost, launchPath(service)+"/walkthroughs", nil, req, &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// Walkthrough returns one walkthrough with its outcome.
func (c *Client) Walkthrough(ctx context.Context, id int64) (*launch.WalkthroughStatus, error) {
	var ws launch.WalkthroughStatus
	if err := c.do(ctx, http.MethodGet, walkthroughPath(id), nil, nil, &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// CancelWalkthrough cancels a walkthrough (reason: required of an admin
// cancelling one in which a signer objected).
func (c *Client) CancelWalkthrough(ctx context.Context, id int64, reason string) error {
	var body any
	if reason != "" {
		body = api.ReasonRequest{Reason: reason}
	}
	return c.do(ctx, http.MethodPost, walkthroughPath(id)+"/cancel", nil, body, nil)
}

// Sign signs walkthrough id in role with decision d.
func (c *Client) Sign(ctx context.Context, id int64, role paved.SignRole, d paved.Decision, comment string) (*launch.WalkthroughStatus, error) {
	var ws launch.WalkthroughStatus
	if err := c.do(ctx, http.MethodPost, walkthroughPath(id)+"/signoffs", nil, api.SignoffRequest{Role: role, Decision: d, Comment: comment}, &ws); err != nil {
		return nil, err
	}
	return &ws, nil
}

// AddFollowUp adds a follow-up action to walkthrough id, due on the date
// of due.
func (c *Client) AddFollowUp(ctx context.Context, id int64, description, owner string, due time.Time) (*paved.FollowUp, error) {
	var f paved.FollowUp
	req := api.FollowUpRequest{Description: description, Owner: owner, Due: due.UTC().Format(time.DateOnly)}
	if err := c.do(ctx, http.MethodPost, walkthroughPath(id)+"/follow-ups", nil, req, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// CompleteFollowUp marks a follow-up of walkthrough id done.
func (c *Client) CompleteFollowUp(ctx context.Context, id, followUp int64) (*paved.FollowUp, error) {
	var f paved.FollowUp
	if err := c.do(ctx, http.MethodPost, walkthroughPath(id)+"/follow-ups/"+strconv.FormatInt(followUp, 10)+"/done", nil, nil, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Blocked lists the services on their way to production and what blocks
// each ("" team: every team).
func (c *Client) Blocked(ctx context.Context, team string) ([]*launch.Blocked, error) {
	q := url.Values{}
	setIf(q, "team", team)
	var l api.List[*launch.Blocked]
	if err := c.do(ctx, http.MethodGet, "/launches/blocked", q, nil, &l); err != nil {
		return nil, err
	}
	return l.Items, nil
}

// Inbox returns what waits for the caller.
func (c *Client) Inbox(ctx context.Context) (*launch.Inbox, error) {
	var in launch.Inbox
	if err := c.do(ctx, http.MethodGet, "/reviews", nil, nil, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// Template returns a template: the configured one (version 0) or a stored
// version.
func (c *Client) Template(ctx context.Context, kind paved.TemplateKind, version int) (*paved.Template, error) {
	p := "/templates" + name(string(kind))
	if version > 0 {
		p += "/" + strconv.Itoa(version)
	}
	var t paved.Template
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// RecordCheck records a guard-rail check for c.Service; the server sets
// the actor and the time, and rec is filled with what it stored.
func (c *Client) RecordCheck(ctx context.Context, rec *paved.CheckRecord) error {
	return c.do(ctx, http.MethodPost, launchPath(rec.Service)+"/checks", nil, rec, rec)
}
