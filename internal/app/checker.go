package app

import (
	"github.com/paved-dev/paved/internal/check"
	"github.com/paved-dev/paved/internal/platform"
)

// NewChecker is the check pipeline's view of a platform snapshot: its
// guard rails (compiled now if the snapshot deferred them), price book,
// cost thresholds and version. An App builds its own on first use
// (Checker); paved check without a database builds one with it.
func NewChecker(snap *platform.Snapshot) (*check.Checker, error) {
	eng, err := snap.Compiled()
	if err != nil {
		return nil, err
	}
	return &check.Checker{
		Engine:        eng,
		Policy:        snap.PolicyOptions(),
		Prices:        snap.Prices,
		PlanCost:      snap.Config.PlanCost,
		ConfigVersion: snap.Version.String(),
	}, nil
}
