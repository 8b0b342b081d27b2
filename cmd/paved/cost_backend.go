package main

import (
	"context"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
)

// costBackend is spend as the cost commands need it: cost.Spend over the
// local database, or the REST client (internal/client/cost.go). Months are
// "2026-10", or "" for the month of the latest cost data.
type costBackend interface {
	CostIngest(ctx context.Context, req cost.IngestRequest) (*paved.CostIngest, error)
	CostReport(ctx context.Context, month string, by paved.CostDimension, f cost.ReportFilter) (*cost.Report, error)
	CostUntagged(ctx context.Context, month string, limit int) ([]*paved.UntaggedCost, error)
	CostBatches(ctx context.Context) ([]*paved.CostBatch, error)
	CostBudgets(ctx context.Context, month string) ([]*cost.BudgetStatus, error)
	CostSetBudget(ctx context.Context, b *paved.Budget) (*paved.Budget, error)
	CostDeleteBudget(ctx context.Context, scope paved.BudgetScope, name string) error
	CostAlerts(ctx context.Context, f paved.CostAlertFilter) ([]*paved.CostAlert, error)
	CostPlanAlert(ctx context.Context, id int64, reason string) (*paved.CostAlert, error)
	CostEvaluate(ctx context.Context) (*cost.Evaluation, error)
	CostReallocate(ctx context.Context) (int, error)
	CostServiceSpend(ctx context.Context, service string) (*cost.ServiceSpend, error)
}

// spend is the App's spend service. Locally there is no authorisation
// (whoever opens the database file may change it); the audit log names the
// operating-system user.
func (l *local) spend() (*cost.Spend, error) {
	ap, err := l.app()
	if err != nil {
		return nil, err
	}
	return ap.Spend, nil
}

// month reads "2026-10", or the month of the latest data for "".
func (l *local) month(ctx context.Context, s string) (string, error) {
	if s == "" {
		sp, err := l.spend()
		if err != nil {
			return "", err
		}
		m, err := sp.LatestMonth(ctx)
		if err != nil {
			return "", err
		}
		return paved.Period(m), nil
	}
	m, err := paved.ParseMonth(s)
	if err != nil {
		return "", err
	}
	return paved.Period(m), nil
}

func (l *local) CostIngest(ctx context.Context, req cost.IngestRequest) (*paved.CostIngest, error) {
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Ingest(ctx, req)
}

func (l *local) CostReport(ctx context.Context, month string, by paved.CostDimension, f cost.ReportFilter) (*cost.Report, error) {
	m, err := l.month(ctx, month)
	if err != nil {
		return nil, err
	}
	t, _ := paved.ParseMonth(m)
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Report(ctx, t, by, f)
}

func (l *local) CostUntagged(ctx context.Context, month string, limit int) ([]*paved.UntaggedCost, error) {
	m, err := l.month(ctx, month)
	if err != nil {
		return nil, err
	}
	t, _ := paved.ParseMonth(m)
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Untagged(ctx, t, limit)
}

func (l *local) CostBatches(ctx context.Context) ([]*paved.CostBatch, error) {
	return l.db.FindCostBatches(ctx)
}

func (l *local) CostBudgets(ctx context.Context, month string) ([]*cost.BudgetStatus, error) {
	m, err := l.month(ctx, month)
	if err != nil {
		return nil, err
	}
	t, _ := paved.ParseMonth(m)
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Budgets(ctx, t)
}

func (l *local) CostSetBudget(ctx context.Context, b *paved.Budget) (*paved.Budget, error) {
	if err := l.db.SetBudget(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

func (l *local) CostDeleteBudget(ctx context.Context, scope paved.BudgetScope, name string) error {
	return l.db.DeleteBudget(ctx, scope, name)
}

func (l *local) CostAlerts(ctx context.Context, f paved.CostAlertFilter) ([]*paved.CostAlert, error) {
	return l.db.FindCostAlerts(ctx, f)
}

func (l *local) CostPlanAlert(ctx context.Context, id int64, reason string) (*paved.CostAlert, error) {
	return l.db.PlanCostAlert(ctx, id, reason)
}

func (l *local) CostEvaluate(ctx context.Context) (*cost.Evaluation, error) {
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Evaluate(ctx)
}

func (l *local) CostReallocate(ctx context.Context) (int, error) {
	sp, err := l.spend()
	if err != nil {
		return 0, err
	}
	return sp.Reallocate(ctx)
}

func (l *local) CostServiceSpend(ctx context.Context, service string) (*cost.ServiceSpend, error) {
	sp, err := l.spend()
	if err != nil {
		return nil, err
	}
	return sp.Service(ctx, service)
}
