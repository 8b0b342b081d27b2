package paved

import (
	"context"
	"strings"
	"time"
)

// Notification is one event that paved announces to the outside world
// (webhooks). The capability that decides the change composes it (its
// subject and data are the domain's words); the store write method records
// it with the change that caused it, in the same transaction, so a
// notification exists exactly when its change committed; the job runner in
// `paved serve` delivers it to the webhook targets configured in paved.yaml.
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
	// Reclassification (reclass.go): a request to lower a service's tier
	// or data class, its decision, or an admin's forced lowering.
	NotifyReclassRequested = "reclassification.requested"
	NotifyReclassDecided   = "reclassification.decided"
	NotifyBudgetAlert      = "budget.alert"
	NotifyCostSpike        = "cost.spike"
	// Campaigns (campaign.go): a rule with enforce_from starts, or is two
	// weeks from enforcement; one per affected service.
	NotifyCampaignStarted  = "campaign.started"
	NotifyCampaignReminder = "campaign.reminder"
	// Scorecards (scorecard.go): a service dropped a level or a rule lost
	// its evidence; once per service, scorecard and rule until it passes.
	NotifyScorecardRegressed = "scorecard.regressed"
)

// NotificationKinds is every kind, in the order the docs list them.
var NotificationKinds = []string{
	NotifyExceptionRequested,
	NotifyExceptionDecided,
	NotifyExceptionExpiring,
	NotifySignoffRequested,
	NotifyReclassRequested,
	NotifyReclassDecided,
	NotifyBudgetAlert,
	NotifyCostSpike,
	NotifyCampaignStarted,
	NotifyCampaignReminder,
	NotifyScorecardRegressed,
}

// ValidNotificationKind reports whether k is one of NotificationKinds.
func ValidNotificationKind(k string) bool {
	for _, x := range NotificationKinds {
		if k == x {
			return true
		}
	}
	return false
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	// DeliveryPending waits for its next attempt (or is being attempted).
	DeliveryPending DeliveryStatus = "pending"
	// DeliveryDelivered was accepted by the receiver (a 2xx answer).
	DeliveryDelivered DeliveryStatus = "delivered"
	// DeliveryFailed was given up after the maximum number of attempts.
	DeliveryFailed DeliveryStatus = "failed"
)

// DeliveryStatuses in the order a delivery meets them.
var DeliveryStatuses = []DeliveryStatus{DeliveryPending, DeliveryDelivered, DeliveryFailed}

func (s DeliveryStatus) Valid() bool {
	return s == DeliveryPending || s == DeliveryDelivered || s == DeliveryFailed
}

// ParseDeliveryStatus accepts a status name in any case.
func ParseDeliveryStatus(s string) (DeliveryStatus, error) {
	d := DeliveryStatus(strings.ToLower(strings.TrimSpace(s)))
	if !d.Valid() {
		return "", FieldErrorf(EINVALID, "status", "unknown delivery status %q: want pending, delivered or failed", s)
	}
	return d, nil
}

// Delivery is one notification on its way to one webhook target. Its ID is
// the idempotency key the receiver gets (X-Paved-Delivery): a receiver
// that may see a delivery twice (after a crash between its answer and our
// record of it) drops the second one.
type Delivery struct {
	ID             int64          `json:"id"`
	NotificationID int64          `json:"notification_id"`
	Kind           string         `json:"kind"`
	Subject        string         `json:"subject"`
	Target         string         `json:"target"` // the webhook's name in paved.yaml
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	// NextAttemptAt is when a pending delivery is tried next.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// LeasedUntil is set while a runner is attempting the delivery.
	LeasedUntil    *time.Time `json:"leased_until,omitempty"`
	LastStatusCode int        `json:"last_status_code,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	// Log holds the latest attempts, newest first (the delivery log).
	Log []DeliveryAttempt `json:"log"`
}

// DeliveryAttempt is one entry of the delivery log.
type DeliveryAttempt struct {
	Attempt    int       `json:"attempt"`
	Runner     string    `json:"runner"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	StatusCode int       `json:"status_code,omitempty"` // 0: no answer
	Error      string    `json:"error,omitempty"`
}

// NotificationFilter selects notifications, newest first.
type NotificationFilter struct {
	Kind    string
	Service string
	Team    string
	Page
}

// DeliveryFilter selects deliveries, newest first.
type DeliveryFilter struct {
	Status         DeliveryStatus // "" for all
	Target         string
	NotificationID int64
	Page
}

// NotificationStore reads the outbox and the delivery log for admins.
// Notifications are written by the store's own write methods (in the
// transaction of the change they announce); deliveries by the job runner.
type NotificationStore interface {
	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, int, error)
	// FindDeliveries returns deliveries with their latest attempts.
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, error)
	// DeliveryCounts counts the pending and the failed deliveries.
	DeliveryCounts(ctx context.Context) (map[DeliveryStatus]int, error)
}

// ClaimedDelivery is a delivery whose lease a runner holds: it may attempt
// it until the lease runs out, and only it may record the outcome.
type ClaimedDelivery struct {
	ID           int64
	Target       string
	Attempt      int // 1 for the first attempt; the lease's fencing token
	Notification *Notification
}

// DeliveryOutcome is what a runner records after an attempt.
type DeliveryOutcome struct {
	ID         int64
	Attempt    int
	Runner     string
	StartedAt  time.Time
	Duration   time.Duration
	StatusCode int
	Error      string
	// Status is DeliveryDelivered, DeliveryFailed (given up), or
	// DeliveryPending to try again after RetryIn.
	Status  DeliveryStatus
	RetryIn time.Duration
}

// JobStore is the job table that the runner of `paved serve` works from.
// Any number of runners (replicas) may call it at once: claims are leases
// that exactly one runner gets, and only the holder of a lease can record
// the outcome.
type JobStore interface {
	// FanOutNotifications gives up to limit notifications that have no
	// deliveries yet one delivery per target that route names, and returns
	// how many notifications it handled.
	FanOutNotifications(ctx context.Context, limit int, route func(*Notification) []string) (int, error)
	// ClaimDeliveries leases up to limit due deliveries to runner for
	// lease.
	ClaimDeliveries(ctx context.Context, runner string, limit int, lease time.Duration) ([]*ClaimedDelivery, error)
	// FinishDelivery records an attempt in the delivery log and, while
	// the runner still holds the lease, the delivery's new state; a lost
	// lease is ECONFLICT (the attempt is still logged).
	FinishDelivery(ctx context.Context, o *DeliveryOutcome) error
	// ClaimJob leases the periodic job name to runner if it is due (a job
	// never seen before is due at once); run is the lease's fencing token.
	ClaimJob(ctx context.Context, name, runner string, lease time.Duration) (run int64, ok bool, err error)
	// FinishJob releases the lease and schedules the next run every after
	// the claimed run started; runErr is recorded ("" for success).
	FinishJob(ctx context.Context, name, runner string, run int64, every time.Duration, runErr string) error
	// PruneNotifications deletes the notifications created before before
	// whose deliveries have all finished, with their deliveries and log,
	// and returns how many it deleted.
	PruneNotifications(ctx context.Context, before time.Time) (int, error)
}
