package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// FindNotifications lists the notifications outbox, newest first (admins).
func (c *Client) FindNotifications(ctx context.Context, f paved.NotificationFilter) ([]*paved.Notification, int, error) {
	q := url.Values{}
	setIf(q, "kind", f.Kind)
	setIf(q, "service", f.Service)
	setIf(q, "team", f.Team)
	setPage(q, f.Page)
	var l api.List[*paved.Notification]
	if err := c.do(ctx, http.MethodGet, "/notifications", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}

// FindDeliveries lists webhook deliveries with their latest attempts,
// newest first (admins).
func (c *Client) FindDeliveries(ctx context.Context, f paved.DeliveryFilter) ([]*paved.Delivery, int, error) {
	q := url.Values{}
	setIf(q, "status", string(f.Status))
	setIf(q, "target", f.Target)
	if f.NotificationID != 0 {
		q.Set("notification", strconv.FormatInt(f.NotificationID, 10))
	}
	setPage(q, f.Page)
	var l api.List[*paved.Delivery]
	if err := c.do(ctx, http.MethodGet, "/deliveries", q, nil, &l); err != nil {
		return nil, 0, err
	}
	return l.Items, l.Total, nil
}
