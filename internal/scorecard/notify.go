package scorecard

import (
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Regressed is the scorecard.regressed notification to the owning team of
// ev's service: the rules in fresh (not announced before) stopped passing,
// and the level dropped from prevLevel when it did. The subject leads with
// what changed, in the voice of the evidence: "rds-encryption-at-rest now
// denies on check #12".
func Regressed(card *Card, ev *Evaluation, prevLevel string, fresh []string) *paved.Notification {
	byID := map[string]*RuleResult{}
	for _, r := range ev.Rules {
		byID[r.ID] = r
	}
	title := ev.Scorecard
	if card != nil {
		title = card.Title
	}
	dropped := prevLevel != ev.Level && levelIndex(card, ev.Level) < levelIndex(card, prevLevel)
	var what string
	if dropped {
		to := ev.LevelTitle
		if to == "" {
			to = "no level"
		}
		what = fmt.Sprintf("%s dropped from %s to %s on %s", ev.Service, levelTitle(card, prevLevel), to, title)
	} else {
		what = fmt.Sprintf("%s lost ground on %s", ev.Service, title)
	}
	rules := make([]map[string]any, 0, len(fresh))
	var details []string
	for _, id := range fresh {
		r := byID[id]
		if r == nil {
			continue
		}
		rules = append(rules, map[string]any{"id": r.ID, "title": r.Title, "level": r.Level, "detail": r.Detail})
		details = append(details, r.Detail)
	}
	subject := what
	if len(details) > 0 {
		subject += ": " + details[0]
		if len(details) > 1 {
			subject += fmt.Sprintf(" (and %d more)", len(details)-1)
		}
	}
	return &paved.Notification{
		Kind: paved.NotifyScorecardRegressed, Subject: subject, Service: ev.Service, Team: ev.Team,
		Link: "/services/" + ev.Service + "#scorecards",
		Data: map[string]any{
			"scorecard": ev.Scorecard, "level": ev.Level, "previous_level": prevLevel, "dropped": dropped,
			"rules": rules, "next_step": ev.NextStep,
		},
	}
}

func levelIndex(card *Card, id string) int {
	if card == nil || id == "" {
		return -1
	}
	for i, l := range card.Levels {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func levelTitle(card *Card, id string) string {
	if i := levelIndex(card, id); i >= 0 {
		return card.Levels[i].Title
	}
	if id == "" {
		return "no level"
	}
	return strings.ToUpper(id[:1]) + id[1:]
}
