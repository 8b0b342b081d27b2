package launch

import (
	"fmt"
	"net/url"

	paved "github.com/paved-dev/paved"
)

// SignoffRequested is the walkthrough.signoff_requested notification of a
// walkthrough as scheduled, for the owner team of its service. The store
// records it in the transaction that schedules the walkthrough.
func SignoffRequested(w *paved.Walkthrough, team string) *paved.Notification {
	return &paved.Notification{
		Kind:    paved.NotifySignoffRequested,
		Subject: fmt.Sprintf("Walkthrough of %s on %s: sign-off requested", w.Service, w.ScheduledAt.Format("2006-01-02 15:04 MST")),
		Service: w.Service, Team: team, Link: "/services/" + url.PathEscape(w.Service) + "#walkthrough",
		Data: map[string]any{"walkthrough_id": w.ID, "scheduled_at": w.ScheduledAt, "participants": w.Participants},
	}
}
