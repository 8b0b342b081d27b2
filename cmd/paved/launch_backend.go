package main

import (
	"context"
	"io"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// launchBackend is the path to production, as the launch commands need
// it: launch.Service over the local database, or the REST client.
type launchBackend interface {
	LaunchStatus(ctx context.Context, service string) (*launch.Status, error)
	Packet(ctx context.Context, service, format string, w io.Writer) error
	Readiness(ctx context.Context, service string) ([]launch.ReadinessPoint, error)
	Upgrade(ctx context.Context, service string, kind paved.TemplateKind, apply bool) (*launch.Upgrade, error)
	SetContact(ctx context.Context, service, user string) error
	Answer(ctx context.Context, service, item string, in launch.AnswerInput) (*paved.Answer, error)
	History(ctx context.Context, service, item string) ([]*paved.AnswerRevision, error)
	Review(ctx context.Context, service, item string, r paved.AnswerReview) (*paved.Answer, error)
	Comments(ctx context.Context, service, item string) ([]*paved.Comment, error)
	Comment(ctx context.Context, service, item, body string) (*paved.Comment, error)
	Assess(ctx context.Context, service string, a *paved.Assessment) (*paved.Assessment, error)
	Advance(ctx context.Context, service string, to paved.Phase, force bool, reason string) (*paved.PhaseChange, error)
	Schedule(ctx context.Context, service string, at time.Time, participants []string) (*launch.WalkthroughStatus, error)
	Walkthrough(ctx context.Context, id int64) (*launch.WalkthroughStatus, error)
	CancelWalkthrough(ctx context.Context, id int64, reason string) error
	Sign(ctx context.Context, id int64, role paved.SignRole, d paved.Decision, comment string) (*launch.WalkthroughStatus, error)
	AddFollowUp(ctx context.Context, id int64, description, owner string, due time.Time) (*paved.FollowUp, error)
	CompleteFollowUp(ctx context.Context, id, followUp int64) (*paved.FollowUp, error)
	Blocked(ctx context.Context, team string) ([]*launch.Blocked, error)
	// Inbox is what waits for the caller (locally: the --as user).
	Inbox(ctx context.Context) (*launch.Inbox, error)
	// RecordCheck records a guard-rail check for c.Service.
	RecordCheck(ctx context.Context, c *paved.CheckRecord) error
}

// Locally, launch changes are made as a paved user named by --as (or
// PAVED_AS): whoever can open the database is trusted to say who they act
// for, and the same rules as on a server then apply to that user, so that a
// command behaves alike on either backend. The audit log names the paved
// user, as it would for the same change through a server.
//
// Each method goes through the App's launch.Service, so that the launch
// rules always run; the tests check that each change asks for --as.

// launchService is the App's launch service; the App is built on first
// use, so that commands that never touch a launch do not load the
// platform config.
func (l *local) launchService() (*launch.Service, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	return ap.Launch, nil
}

// asUser returns a context acting as the --as user, or a usage error that
// says how to name one.
func (l *local) asUser(ctx context.Context) (context.Context, *paved.User, error) {
	if l.as == "" {
		return ctx, nil, usagef("changes to a launch in the local database are made as a paved user: pass --as USER (or set PAVED_AS)")
	}
	u, err := l.db.FindUser(ctx, l.as)
	if err != nil {
		return ctx, nil, flagError("as", err)
	}
	if u.RetiredAt != nil {
		return ctx, nil, paved.FieldErrorf(paved.EUNPROCESSABLE, "--as", "user %q is retired", u.Name)
	}
	// The store records the actor's name as the author, signer and audit
	// actor, so it is the paved user's name alone.
	return paved.WithActor(ctx, paved.Actor{User: u}), u, nil
}

// reader returns the context for a read: as the --as user when one is
// named, else as the local operating-system user.
func (l *local) reader(ctx context.Context) (context.Context, *launch.Service, error) {
	svc, err := l.launchService()
	if err != nil {
		return ctx, nil, err
	}
	if l.as == "" {
		return ctx, svc, nil
	}
	ctx, _, err = l.asUser(ctx)
	return ctx, svc, err
}

// writer returns the context of the --as user, after checking that the
// user may do act on service.
func (l *local) writer(ctx context.Context, act paved.Action, service string) (context.Context, *launch.Service, error) {
	svc, err := l.launchService()
	if err != nil {
		return ctx, nil, err
	}
	ctx, u, err := l.asUser(ctx)
	if err != nil {
		return ctx, nil, err
	}
	s, err := l.db.FindService(ctx, service)
	if err != nil {
		return ctx, nil, err
	}
	if err := paved.Authorize(u, act, paved.Resource{Team: s.Owner}); err != nil {
		return ctx, nil, err
	}
	return ctx, svc, nil
}

// walkthroughWriter is writer for a walkthrough named by id.
func (l *local) walkthroughWriter(ctx context.Context, act paved.Action, id int64) (context.Context, *launch.Service, error) {
	svc, err := l.launchService()
	if err != nil {
		return ctx, nil, err
	}
	if _, _, err := l.asUser(ctx); err != nil {
		return ctx, nil, err
	}
	ws, err := svc.Walkthrough(ctx, id)
	if err != nil {
		return ctx, nil, err
	}
	return l.writer(ctx, act, ws.Service)
}

func (l *local) LaunchStatus(ctx context.Context, service string) (*launch.Status, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Status(ctx, service)
}

func (l *local) Packet(ctx context.Context, service, format string, w io.Writer) error {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return err
	}
	p, err := svc.Packet(ctx, service)
	if err != nil {
		return err
	}
	if format == "html" {
		return launch.WritePacketHTML(w, p)
	}
	return launch.WritePacketMarkdown(w, p)
}

func (l *local) Readiness(ctx context.Context, service string) ([]launch.ReadinessPoint, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Readiness(ctx, service)
}

func (l *local) Upgrade(ctx context.Context, service string, kind paved.TemplateKind, apply bool) (*launch.Upgrade, error) {
	ctx, svc, err := l.writer(ctx, paved.ActAnswer, service)
	if err != nil {
		return nil, err
	}
	return svc.Upgrade(ctx, service, kind, apply)
}

func (l *local) SetContact(ctx context.Context, service, user string) error {
	ctx, svc, err := l.writer(ctx, paved.ActSetContact, service)
	if err != nil {
		return err
	}
	return svc.SetContact(ctx, service, user)
}

func (l *local) Answer(ctx context.Context, service, item string, in launch.AnswerInput) (*paved.Answer, error) {
	ctx, svc, err := l.writer(ctx, paved.ActAnswer, service)
	if err != nil {
		return nil, err
	}
	return svc.Answer(ctx, service, item, in)
}

func (l *local) History(ctx context.Context, service, item string) ([]*paved.AnswerRevision, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.History(ctx, service, item)
}

func (l *local) Review(ctx context.Context, service, item string, r paved.AnswerReview) (*paved.Answer, error) {
	ctx, svc, err := l.writer(ctx, paved.ActReviewAnswer, service)
	if err != nil {
		return nil, err
	}
	return svc.Review(ctx, service, item, r)
}

func (l *local) Comments(ctx context.Context, service, item string) ([]*paved.Comment, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Comments(ctx, service, item)
}

func (l *local) Comment(ctx context.Context, service, item, body string) (*paved.Comment, error) {
	ctx, svc, err := l.writer(ctx, paved.ActComment, service)
	if err != nil {
		return nil, err
	}
	return svc.Comment(ctx, service, item, body)
}

func (l *local) Assess(ctx context.Context, service string, a *paved.Assessment) (*paved.Assessment, error) {
	ctx, svc, err := l.writer(ctx, paved.ActAssess, service)
	if err != nil {
		return nil, err
	}
	a.Service = service
	return svc.Assess(ctx, service, a)
}

func (l *local) Advance(ctx context.Context, service string, to paved.Phase, force bool, reason string) (*paved.PhaseChange, error) {
	ctx, svc, err := l.writer(ctx, paved.ActAdvancePhase, service)
	if err != nil {
		return nil, err
	}
	if force {
		s, err := l.db.FindService(ctx, service)
		if err != nil {
			return nil, err
		}
		if err := paved.Authorize(paved.UserFrom(ctx), paved.ActForcePhase, paved.Resource{Team: s.Owner}); err != nil {
			return nil, err
		}
	}
	return svc.Advance(ctx, service, to, force, reason)
}

func (l *local) Schedule(ctx context.Context, service string, at time.Time, participants []string) (*launch.WalkthroughStatus, error) {
	ctx, svc, err := l.writer(ctx, paved.ActWalkthrough, service)
	if err != nil {
		return nil, err
	}
	return svc.Schedule(ctx, service, at, participants)
}

func (l *local) Walkthrough(ctx context.Context, id int64) (*launch.WalkthroughStatus, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Walkthrough(ctx, id)
}

func (l *local) CancelWalkthrough(ctx context.Context, id int64, reason string) error {
	ctx, svc, err := l.walkthroughWriter(ctx, paved.ActWalkthrough, id)
	if err != nil {
		return err
	}
	return svc.CancelWalkthrough(ctx, id, reason)
}

func (l *local) Sign(ctx context.Context, id int64, role paved.SignRole, d paved.Decision, comment string) (*launch.WalkthroughStatus, error) {
	ctx, svc, err := l.walkthroughWriter(ctx, paved.ActSignoff, id)
	if err != nil {
		return nil, err
	}
	return svc.Sign(ctx, id, role, d, comment)
}

func (l *local) AddFollowUp(ctx context.Context, id int64, description, owner string, due time.Time) (*paved.FollowUp, error) {
	ctx, svc, err := l.walkthroughWriter(ctx, paved.ActWalkthrough, id)
	if err != nil {
		return nil, err
	}
	return svc.AddFollowUp(ctx, id, description, owner, due)
}

func (l *local) CompleteFollowUp(ctx context.Context, id, followUp int64) (*paved.FollowUp, error) {
	ctx, svc, err := l.walkthroughWriter(ctx, paved.ActWalkthrough, id)
	if err != nil {
		return nil, err
	}
	return svc.CompleteFollowUp(ctx, id, followUp)
}

func (l *local) Blocked(ctx context.Context, team string) ([]*launch.Blocked, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Blocked(ctx, team)
}

func (l *local) Inbox(ctx context.Context) (*launch.Inbox, error) {
	svc, err := l.launchService()
	if err != nil {
		return nil, err
	}
	ctx, u, err := l.asUser(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Inbox(ctx, u.Name)
}

func (l *local) RecordCheck(ctx context.Context, c *paved.CheckRecord) error {
	ctx, svc, err := l.writer(ctx, paved.ActRecordCheck, c.Service)
	if err != nil {
		return err
	}
	c.Actor, c.At = paved.UserFrom(ctx).Name, time.Now().UTC()
	return svc.RecordCheck(ctx, c)
}
