package paved

import (
	"context"
	"time"
)

// Campaigns: a deny rule with an enforce_from date is a campaign. Until
// that day its findings are warnings that say when they start to block;
// from that day they deny. paved serve follows each campaign: once a day
// it records how many services would fail it (from each service's latest
// recorded check resources), and it tells the owners of the affected
// services when the campaign starts and two weeks before enforcement,
// exactly once each (campaign.started, campaign.reminder).

// CampaignReminder is how long before enforcement the reminder goes out.
const CampaignReminder = 14 * 24 * time.Hour

// CampaignDay is one day's progress of a campaign.
type CampaignDay struct {
	Rule        string `json:"rule"`
	EnforceFrom string `json:"enforce_from"` // YYYY-MM-DD
	Day         string `json:"day"`          // YYYY-MM-DD, UTC
	// Failing counts the services whose latest check would fail the rule;
	// Resources the resources that would; Checked the services evaluated.
	Failing   int `json:"failing"`
	Resources int `json:"resources"`
	Checked   int `json:"checked"`
	// Teams counts the failing services per owning team.
	Teams      map[string]int `json:"teams"`
	RecordedAt time.Time      `json:"recorded_at"`
}

// CampaignNotice is one announcement of a campaign to one service's
// owners: sent at most once per rule, enforcement date, kind and service.
type CampaignNotice struct {
	Rule        string `json:"rule"`
	EnforceFrom string `json:"enforce_from"`
	Kind        string `json:"kind"` // NotifyCampaignStarted or NotifyCampaignReminder
	Service     string `json:"service"`
	// Notification is what the outbox records when the notice is new.
	Notification *Notification `json:"notification"`
}

// CampaignStore persists campaign progress and announcements.
type CampaignStore interface {
	// RecordCampaignDay stores each campaign's progress for its day
	// (replacing the same rule and day) and, in the same transaction,
	// records every notice not sent before with its notification in the
	// outbox. It returns how many notices were new. Progress rows are
	// derived figures and are not audited; new notices are (one event per
	// call).
	RecordCampaignDay(ctx context.Context, days []*CampaignDay, notices []*CampaignNotice) (sent int, err error)
	// FindCampaignDays returns a rule's progress from day since on
	// ("" for all), oldest first, at most 400 days.
	FindCampaignDays(ctx context.Context, rule, since string) ([]*CampaignDay, error)
	// CampaignNoticesSent counts the notices sent for a rule and
	// enforcement date, by kind.
	CampaignNoticesSent(ctx context.Context, rule, enforceFrom string) (map[string]int, error)
}
