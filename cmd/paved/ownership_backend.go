package main

import (
	"context"
	"path/filepath"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
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

// ownershipFile is the platform config's ownership.yaml, next to paved.yaml;
// "" when there is no config file (the embedded default applies).
func ownershipFile(cfg *config.Config) string {
	if cfg == nil || cfg.Source == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(cfg.Source), ownership.FileName)
}

// ownershipService builds the ownership service over the local database
// with the map of the platform config (templatesDir sits next to it).
func (l *local) ownershipService() (*ownership.Service, error) {
	path := ""
	if l.templatesDir != "" {
		path = filepath.Join(filepath.Dir(l.templatesDir), ownership.FileName)
	}
	m, err := ownership.Load(path)
	if err != nil {
		return nil, err
	}
	return &ownership.Service{Store: l.DB, Map: m, Now: time.Now}, nil
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
