package api

import paved "github.com/paved-dev/paved"

// Spend. Reports, budgets with their spend and evaluations are cost types.

// BudgetRequest is the body of PUT /api/v1/cost/budgets/{scope}/{name}.
type BudgetRequest struct {
	Amount     paved.Money `json:"amount"` // a decimal string, "2500" or "99.50"
	Playground bool        `json:"playground,omitempty"`
}

// PlanRequest is the body of POST /api/v1/cost/alerts/{id}/plan.
type PlanRequest struct {
	Reason string `json:"reason"`
}

// ReallocateResponse is the answer of POST /api/v1/cost/reallocate.
type ReallocateResponse struct {
	Changed int `json:"changed"` // allocation keys that changed place
}
