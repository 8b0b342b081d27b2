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

// Campaign is one rule being rolled out.
type Campaign struct {
	Rule        Rule   `json:"rule"`
	EnforceFrom string `json:"enforce_from"` // YYYY-MM-DD
	// Enforced is set from the enforcement day on.
	Enforced bool `json:"enforced"`
	// DaysLeft counts the days until enforcement (0 once enforced).
	DaysLeft int `json:"days_left"`
}

// Deadline is the enforcement day, midnight UTC.
func (c *Campaign) Deadline() time.Time {
	t, _ := time.Parse(time.DateOnly, c.EnforceFrom)
	return t
}

// CampaignStatus is one campaign as it stands today: which services would
// fail its rule, by team, from each service's latest recorded check.
type CampaignStatus struct {
	Campaign
	// Failing counts the services that would fail; Resources the
	// resources; Checked the services evaluated.
	Failing   int             `json:"failing"`
	Resources int             `json:"resources"`
	Checked   int             `json:"checked"`
	Teams     []*CampaignTeam `json:"teams"`
	History   []*CampaignDay  `json:"history,omitempty"`
	// Sent counts the announcements sent, by kind.
	Sent map[string]int `json:"sent,omitempty"`
}

// Day is the campaign's progress row for day.
func (c *CampaignStatus) Day(day string) *CampaignDay {
	d := &CampaignDay{Rule: c.Rule.ID, EnforceFrom: c.EnforceFrom, Day: day, Failing: c.Failing,
		Resources: c.Resources, Checked: c.Checked, Teams: map[string]int{}}
	for _, t := range c.Teams {
		d.Teams[t.Team] = len(t.Services)
	}
	return d
}

// CampaignTeam is one team's failing services.
type CampaignTeam struct {
	Team     string             `json:"team"`
	Services []*CampaignService `json:"services"`
}

// CampaignService is one service that would fail a campaign's rule.
type CampaignService struct {
	Service   string    `json:"service"`
	Team      string    `json:"team"`
	CheckID   int64     `json:"check_id"`
	CheckedAt time.Time `json:"checked_at"`
	// Resources are the addresses that would fail (the first ones
	// listed), Count all of them.
	Resources []string `json:"resources"`
	Count     int      `json:"count"`
	// Message is the first finding's message.
	Message string `json:"message"`
}

// CampaignReport is every campaign of a platform config at one moment.
type CampaignReport struct {
	Version   string            `json:"config_version"`
	At        time.Time         `json:"at"`
	Day       string            `json:"day"`
	Services  int               `json:"services"` // evaluated
	Campaigns []*CampaignStatus `json:"campaigns"`
}

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
