package paved

import "time"

// Notification is one event that paved announces to the outside world
// (webhooks). A store write method records it with the change that caused
// it, in the same transaction, so a notification exists exactly when its
// change committed; the job runner in `paved serve` delivers it to the
// webhook targets configured in paved.yaml.
type Notification struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`    // see the constants
	Subject   string         `json:"subject"` // one line for humans (Slack text)
	Service   string         `json:"service,omitempty"`
	Team      string         `json:"team,omitempty"`
	Link      string         `json:"link,omitempty"` // portal path, e.g. /exceptions/12
	Data      map[string]any `json:"data,omitempty"` // kind-specific, documented per kind
	CreatedAt time.Time      `json:"created_at"`
}

// The notification kinds (docs/notifications.md documents each one's Data).
const (
	NotifyExceptionRequested = "exception.requested"
	NotifyExceptionDecided   = "exception.decided"
	NotifyExceptionExpiring  = "exception.expiring"
	NotifySignoffRequested   = "walkthrough.signoff_requested"
	NotifyBudgetAlert        = "budget.alert"
	NotifyCostSpike          = "cost.spike"
)
