package main

import (
	"context"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/ownership"
)

// ownershipBackend is the ownership map as the ownership commands need it:
// ownership.Service over the local database, or the REST client. Locally,
// as for the catalog, whoever can open the database may edit the map; the
// audit log records the operating-system user.
type ownershipBackend interface {
	OwnershipShow(ctx context.Context, f ownership.Filter) (*ownership.View, error)
	OwnershipEdit(ctx context.Context, e *paved.OwnershipEdit) (*ownership.Concern, error)
	OwnershipReset(ctx context.Context, concern string) (*ownership.Concern, error)
	OwnershipExport(ctx context.Context) ([]byte, error)
	OwnershipGaps(ctx context.Context) (*ownership.GapReport, error)
	ServiceOwnership(ctx context.Context, service string) (*ownership.ServiceReport, error)
}

// ownershipService is the App's ownership service: the map of the
// platform config with the admin edits of the database over it.
func (l *local) ownershipService() (*ownership.Service, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	return ap.Ownership, nil
}

func (l *local) OwnershipShow(ctx context.Context, f ownership.Filter) (*ownership.View, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.Show(ctx, f)
}

func (l *local) OwnershipEdit(ctx context.Context, e *paved.OwnershipEdit) (*ownership.Concern, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.Edit(ctx, e)
}

func (l *local) OwnershipReset(ctx context.Context, concern string) (*ownership.Concern, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.Reset(ctx, concern)
}

func (l *local) OwnershipExport(ctx context.Context) ([]byte, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.Export(ctx)
}

func (l *local) OwnershipGaps(ctx context.Context) (*ownership.GapReport, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.Gaps(ctx)
}

func (l *local) ServiceOwnership(ctx context.Context, service string) (*ownership.ServiceReport, error) {
	s, err := l.ownershipService()
	if err != nil {
		return nil, err
	}
	return s.ServiceReport(ctx, service)
}
