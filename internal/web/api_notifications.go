package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// listNotifications is GET /api/v1/notifications: the outbox, newest
// first (admins).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) error {
	f, err := notificationFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.store.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

// notificationFilter parses the query of GET /api/v1/notifications.
func notificationFilter(q url.Values) (paved.NotificationFilter, error) {
	var f paved.NotificationFilter
	var err error
	if v := q.Get("kind"); v != "" {
		if !paved.ValidNotificationKind(v) {
			return f, paved.FieldErrorf(paved.EINVALID, "kind", "unknown kind %q: want one of %s", v, joinKinds())
		}
		f.Kind = v
	}
	if f.Service, err = parseName(q, "service"); err != nil {
		return f, err
	}
	if f.Team, err = parseName(q, "team"); err != nil {
		return f, err
	}
	f.Page, err = parsePage(q)
	return f, err
}

func joinKinds() string { return strings.Join(paved.NotificationKinds, ", ") }

// listDeliveries is GET /api/v1/deliveries: webhook deliveries with their
// latest attempts, newest first (admins).
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	f, err := deliveryFilter(r.URL.Query())
	if err != nil {
		return err
	}
	items, total, err := s.store.FindDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.NewList(items, total, f.Page))
	return nil
}

// deliveryFilter parses the query of GET /api/v1/deliveries.
func deliveryFilter(q url.Values) (paved.DeliveryFilter, error) {
	var f paved.DeliveryFilter
	var err error
	if v := q.Get("status"); v != "" {
		if f.Status, err = paved.ParseDeliveryStatus(v); err != nil {
			return f, asParam("status", err)
		}
	}
	if f.Target, err = parseText(q, "target"); err != nil {
		return f, err
	}
	if v := q.Get("notification"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, paved.FieldErrorf(paved.EINVALID, "notification", "notification %q is not valid: want a notification id (a whole number > 0)", v)
		}
		f.NotificationID = n
	}
	f.Page, err = parsePage(q)
	return f, err
}
