package app

import (
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/platform"
)

// NewChecker is the check pipeline's view of a platform snapshot: its
// guard rails, price book, cost thresholds and version. New builds the
// App's with it; paved check without a database builds its own.
func NewChecker(snap *platform.Snapshot) *check.Checker {
	return &check.Checker{
		Engine:        snap.Engine,
		Policy:        snap.PolicyOptions(),
		Prices:        snap.Prices,
		PlanCost:      snap.Config.PlanCost,
		ConfigVersion: snap.Version.String(),
	}
}
