package launch

import (
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// ParseScheduledAt reads a walkthrough time: RFC 3339, or "YYYY-MM-DD
// HH:MM" (also with a T, and with seconds) taken as UTC. The CLI, the API and the portal accept the same.
func ParseScheduledAt(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, paved.Errorf(paved.EINVALID, "the walkthrough needs a time: give RFC 3339 (2026-05-04T14:00:00Z) or YYYY-MM-DD HH:MM (UTC)")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	// The portal's datetime-local field sends "YYYY-MM-DDTHH:MM", with
	// ":SS" in some browsers.
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, paved.Errorf(paved.EINVALID, "time %q is not valid: want RFC 3339 (2026-05-04T14:00:00Z) or YYYY-MM-DD HH:MM (UTC)", s)
}

// ParseDue reads a follow-up due date, YYYY-MM-DD (midnight UTC).
func ParseDue(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, paved.Errorf(paved.EINVALID, "a follow-up needs a due date: give YYYY-MM-DD")
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return time.Time{}, paved.Errorf(paved.EINVALID, "due date %q is not valid: want YYYY-MM-DD", s)
	}
	return t, nil
}
