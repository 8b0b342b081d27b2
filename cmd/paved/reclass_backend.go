package main

import (
	"context"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/launch"
)

// reclassBackend is reclassification (launch.Service's), for the local
// database and a server alike.
type reclassBackend interface {
	ReclassifyService(ctx context.Context, service string, to paved.Classification, reason string) (*launch.UpdateResult, error)
	ForceReclassification(ctx context.Context, service string, to paved.Classification, reason string) (*paved.Reclassification, error)
	Reclassifications(ctx context.Context, f paved.ReclassFilter) ([]*paved.Reclassification, int, error)
	Reclassification(ctx context.Context, id int64) (*paved.Reclassification, error)
	DecideReclassification(ctx context.Context, id int64, approve bool, comment string) (*paved.Reclassification, error)
	WithdrawReclassification(ctx context.Context, id int64) (*paved.Reclassification, error)
}

func (l *local) ReclassifyService(ctx context.Context, service string, to paved.Classification, reason string) (*launch.UpdateResult, error) {
	ctx, svc, err := l.writer(ctx, paved.ActRequestReclass, service)
	if err != nil {
		return nil, err
	}
	return svc.RequestReclassification(ctx, service, to, reason)
}

func (l *local) ForceReclassification(ctx context.Context, service string, to paved.Classification, reason string) (*paved.Reclassification, error) {
	ctx, svc, err := l.writer(ctx, paved.ActForceReclass, service)
	if err != nil {
		return nil, err
	}
	return svc.ForceReclassification(ctx, service, to, reason)
}

func (l *local) Reclassifications(ctx context.Context, f paved.ReclassFilter) ([]*paved.Reclassification, int, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	return svc.Reclassifications(ctx, f)
}

func (l *local) Reclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	ctx, svc, err := l.reader(ctx)
	if err != nil {
		return nil, err
	}
	return svc.Reclassification(ctx, id)
}

func (l *local) DecideReclassification(ctx context.Context, id int64, approve bool, comment string) (*paved.Reclassification, error) {
	r, err := l.db.FindReclassification(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, svc, err := l.writer(ctx, paved.ActDecideReclass, r.Service)
	if err != nil {
		return nil, err
	}
	return svc.DecideReclassification(ctx, id, approve, comment)
}

func (l *local) WithdrawReclassification(ctx context.Context, id int64) (*paved.Reclassification, error) {
	r, err := l.db.FindReclassification(ctx, id)
	if err != nil {
		return nil, err
	}
	ctx, svc, err := l.writer(ctx, paved.ActWithdrawReclass, r.Service)
	if err != nil {
		return nil, err
	}
	return svc.WithdrawReclassification(ctx, id)
}
