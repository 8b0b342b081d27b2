package main

import (
	"context"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/facts"
)

// factsBackend is what `paved facts` needs: the App's facts service over
// the local database (the collectors' credentials from this process's
// environment), or the REST client. Locally, as for the catalog, whoever
// can open the database may run a collector; the audit log records the
// operating-system user.
type factsBackend interface {
	ServiceFacts(ctx context.Context, service, source string) ([]*paved.Fact, error)
	PushFacts(ctx context.Context, service string, p *api.FactPushRequest) ([]*paved.FactEvent, error)
	CollectFacts(ctx context.Context, collector string, services []string) (*facts.RunResult, error)
	CollectorHealth(ctx context.Context) ([]*paved.CollectorRun, error)
	FactsDrift(ctx context.Context, service string) (*facts.DriftReport, error)
	FactsDriftAll(ctx context.Context) ([]*facts.DriftReport, error)
}

var (
	_ factsBackend = (*local)(nil)
	_ factsBackend = remote{}
)

func (l *local) factsService() (*facts.Service, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	return ap.Facts, nil
}

func (l *local) ServiceFacts(ctx context.Context, service, source string) ([]*paved.Fact, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.List(ctx, service, source)
}

func (l *local) PushFacts(ctx context.Context, service string, p *api.FactPushRequest) ([]*paved.FactEvent, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.Push(ctx, service, &facts.Push{Facts: p.Facts, ObservedAt: p.ObservedAt, ExpiresIn: p.ExpiresIn, Version: p.Version})
}

// CollectFacts runs the collector in this process. A run that failed
// returns its result (what it observed is recorded) with the error.
func (l *local) CollectFacts(ctx context.Context, collector string, services []string) (*facts.RunResult, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.Collect(ctx, collector, services...)
}

func (l *local) CollectorHealth(ctx context.Context) ([]*paved.CollectorRun, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.Health(ctx)
}

func (l *local) FactsDrift(ctx context.Context, service string) (*facts.DriftReport, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.Drift(ctx, service)
}

func (l *local) FactsDriftAll(ctx context.Context) ([]*facts.DriftReport, error) {
	s, err := l.factsService()
	if err != nil {
		return nil, err
	}
	return s.DriftAll(ctx)
}
