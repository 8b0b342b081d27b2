// Package collectors lists the collectors this paved is built with, by
// kind, for the one place that wires the facts service (facts.Service's
// Factories). It is its own package because internal/facts cannot import
// its collectors, which import it.
package collectors

import (
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/facts/github"
	"github.com/paved-dev/paved/internal/facts/gitlab"
	"github.com/paved-dev/paved/internal/facts/kube"
	"github.com/paved-dev/paved/internal/facts/opsgenie"
	"github.com/paved-dev/paved/internal/facts/pagerduty"
)

// Factories returns a new map of every built-in collector by kind.
func Factories() map[string]facts.Factory {
	return map[string]facts.Factory{
		facts.KindGitHub:     github.New,
		facts.KindGitLab:     gitlab.New,
		facts.KindPagerDuty:  pagerduty.New,
		facts.KindOpsgenie:   opsgenie.New,
		facts.KindKubernetes: kube.New,
	}
}
