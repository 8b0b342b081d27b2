package client

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestNotificationRequests runs the notification methods against the
// recording server and compares the requests with
// testdata/notification_requests.golden.
func TestNotificationRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"GET /api/v1/notifications": `{"items":[{"id":3,"kind":"budget.alert","subject":"s","created_at":"2026-03-14T09:00:00Z"}],"total":9,"offset":0,"limit":1}`,
		"GET /api/v1/deliveries":    `{"items":[{"id":5,"notification_id":3,"kind":"budget.alert","target":"ops","status":"failed","attempts":12,"log":[{"attempt":12,"runner":"r","started_at":"2026-03-14T09:00:00Z","duration_ms":3,"status_code":500}]}],"total":1,"offset":0,"limit":50}`,
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := New(srv.URL, "pvd_tok")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns, n, err := c.FindNotifications(ctx, paved.NotificationFilter{Kind: paved.NotifyBudgetAlert, Service: "pay", Team: "payments", Page: paved.Page{Offset: 2, Limit: 1}})
	if err != nil || n != 9 || len(ns) != 1 || ns[0].Kind != paved.NotifyBudgetAlert {
		t.Errorf("FindNotifications = %+v, %d, %v", ns, n, err)
	}
	if _, _, err := c.FindNotifications(ctx, paved.NotificationFilter{}); err != nil {
		t.Error(err)
	}
	ds, n, err := c.FindDeliveries(ctx, paved.DeliveryFilter{Status: paved.DeliveryFailed, Target: "ops", NotificationID: 3})
	if err != nil || n != 1 || ds[0].Status != paved.DeliveryFailed || len(ds[0].Log) != 1 || ds[0].Log[0].StatusCode != 500 {
		t.Errorf("FindDeliveries = %+v, %d, %v", ds, n, err)
	}
	testutil.Golden(t, filepath.Join("testdata", "notification_requests.golden"), rec.log.Bytes())
}
