package cost

import (
	"strconv"
	"time"

	paved "github.com/paved-dev/paved"
)

// AlertNotification is the notification of a cost alert as stored (its ID
// assigned): cost.spike for the spike rule, budget.alert for the others.
// The subject is the alert's own message. The store records it in the
// transaction that saves the alert.
func AlertNotification(a *paved.CostAlert) *paved.Notification {
	kind := paved.NotifyBudgetAlert
	if a.Rule == paved.RuleSpike {
		kind = paved.NotifyCostSpike
	}
	n := &paved.Notification{
		Kind:    kind,
		Subject: a.Message,
		Team:    a.Team,
		Link:    "/spend?month=" + a.Period + "#alert-" + strconv.FormatInt(a.ID, 10),
		Data: map[string]any{
			"alert": a.ID, "rule": a.Rule, "scope": string(a.Scope), "name": a.Name, "period": a.Period,
			"threshold": a.Threshold, "amount": a.Amount.String(), "limit": a.Limit.String(), "currency": a.Currency,
		},
	}
	if a.Scope == paved.ScopeService {
		n.Service = a.Name
	}
	if !a.Day.IsZero() {
		n.Data["day"] = a.Day.UTC().Format(time.RFC3339)
	}
	return n
}
