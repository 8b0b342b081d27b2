package main

import (
	"context"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
)

// exceptionBackend is what the exception commands and paved check need:
// exception.Service over the local database, or the REST client.
type exceptionBackend interface {
	RequestExceptions(ctx context.Context, in exception.RequestInput) (*exception.RequestResult, error)
	GetException(ctx context.Context, id int64) (*paved.Exception, error)
	ListExceptions(ctx context.Context, f paved.ExceptionFilter, expiring bool) ([]*paved.Exception, int, error)
	ApproveException(ctx context.Context, id int64, expires, conditions string) (*paved.Exception, error)
	RejectException(ctx context.Context, id int64, reason string) (*paved.Exception, error)
	CommentOnException(ctx context.Context, id int64, body string) (*paved.ExceptionComment, error)
	WithdrawException(ctx context.Context, id int64, reason string) (*paved.Exception, error)
	ExportExceptions(ctx context.Context, service string) (*exception.File, error)
	ExceptionPublicKey(ctx context.Context) (string, error)
	CheckCoverage(ctx context.Context, check int64) (*paved.ExceptionCoverage, error)
}

// exceptionService is the App's exception service: the policy, key file
// and guard rails of the platform config.
func (l *local) exceptionService() (*exception.Service, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	return ap.Exceptions, nil
}

// excReader returns the service and the context for a read (as the --as
// user when one is named).
func (l *local) excReader(ctx context.Context) (context.Context, *exception.Service, error) {
	svc, err := l.exceptionService()
	if err != nil {
		return ctx, nil, err
	}
	if l.as == "" {
		return ctx, svc, nil
	}
	ctx, _, err = l.asUser(ctx)
	return ctx, svc, err
}

// excWriter returns the --as user's context after checking that the user
// may do act on service.
func (l *local) excWriter(ctx context.Context, act paved.Action, service string) (context.Context, *exception.Service, error) {
	svc, err := l.exceptionService()
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

// excOn is excWriter for the exception named by id.
func (l *local) excOn(ctx context.Context, act paved.Action, id int64) (context.Context, *exception.Service, error) {
	e, err := l.db.FindException(ctx, id)
	if err != nil {
		return ctx, nil, err
	}
	return l.excWriter(ctx, act, e.Service)
}

func (l *local) RequestExceptions(ctx context.Context, in exception.RequestInput) (*exception.RequestResult, error) {
	c, err := l.db.FindCheck(ctx, in.Check)
	if err != nil {
		return nil, err
	}
	ctx, svc, err := l.excWriter(ctx, paved.ActRequestException, c.Service)
	if err != nil {
		return nil, err
	}
	return svc.Request(ctx, in)
}

func (l *local) GetException(ctx context.Context, id int64) (*paved.Exception, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Find(ctx, id)
}

func (l *local) ListExceptions(ctx context.Context, f paved.ExceptionFilter, expiring bool) ([]*paved.Exception, int, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	return svc.List(ctx, f, expiring)
}

func (l *local) ApproveException(ctx context.Context, id int64, expires, conditions string) (*paved.Exception, error) {
	ctx, svc, err := l.excOn(ctx, paved.ActDecideException, id)
	if err != nil {
		return nil, err
	}
	return svc.Approve(ctx, id, expires, conditions)
}

func (l *local) RejectException(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	ctx, svc, err := l.excOn(ctx, paved.ActDecideException, id)
	if err != nil {
		return nil, err
	}
	return svc.Reject(ctx, id, reason)
}

func (l *local) CommentOnException(ctx context.Context, id int64, body string) (*paved.ExceptionComment, error) {
	ctx, svc, err := l.excOn(ctx, paved.ActCommentException, id)
	if err != nil {
		return nil, err
	}
	return svc.Comment(ctx, id, body)
}

func (l *local) WithdrawException(ctx context.Context, id int64, reason string) (*paved.Exception, error) {
	ctx, svc, err := l.excOn(ctx, paved.ActRevokeException, id)
	if err != nil {
		return nil, err
	}
	return svc.Revoke(ctx, id, reason)
}

func (l *local) ExportExceptions(ctx context.Context, service string) (*exception.File, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Export(ctx, service)
}

func (l *local) ExceptionPublicKey(ctx context.Context) (string, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return "", err
	}
	return svc.PublicKey(ctx)
}

func (l *local) AnchorAudit(ctx context.Context) (*paved.AuditAnchor, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.AnchorAuditLog(ctx, l.db)
}

func (l *local) CheckCoverage(ctx context.Context, check int64) (*paved.ExceptionCoverage, error) {
	ctx, svc, err := l.excReader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Coverage(ctx, check)
}
