package notify

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

func indent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

var sample = &paved.Notification{
	ID: 12, Kind: paved.NotifyExceptionRequested, Subject: "checkout asks for an exception to db.size <1 TB> & more",
	Service: "checkout", Team: "payments", Link: "/exceptions/12",
	Data:      map[string]any{"exception_id": 12, "rule": "db.size", "resource": "aws_db_instance.main"},
	CreatedAt: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC),
}

func TestPayloads(t *testing.T) {
	for _, c := range []struct {
		name, publicURL string
		n               *paved.Notification
	}{
		{"linked", "https://paved.example.com/", sample},
		{"no-public-url", "", sample},
		{"bare", "https://paved.example.com", &paved.Notification{ID: 3, Kind: paved.NotifyBudgetAlert, Subject: "Organisation spend is at 91% of its budget", CreatedAt: sample.CreatedAt}},
	} {
		j, err := JSONBody(c.n, c.publicURL)
		if err != nil {
			t.Fatal(err)
		}
		testutil.Golden(t, filepath.Join("testdata", "json-"+c.name+".golden"), indent(t, j))
		s, err := SlackBody(c.n, c.publicURL)
		if err != nil {
			t.Fatal(err)
		}
		testutil.Golden(t, filepath.Join("testdata", "slack-"+c.name+".golden"), indent(t, s))
	}
	// The body must be the notification itself: a receiver decodes it as
	// one.
	j, _ := JSONBody(sample, "https://paved.example.com")
	var back paved.Notification
	if err := json.Unmarshal(j, &back); err != nil || back.ID != 12 || back.Link != "https://paved.example.com/exceptions/12" {
		t.Fatalf("JSON body decodes as %+v, %v", back, err)
	}
	if sample.Link != "/exceptions/12" {
		t.Fatal("JSONBody changed the notification")
	}
}

func TestAbsoluteLink(t *testing.T) {
	for _, c := range []struct{ base, link, want string }{
		{"https://p.example", "/services/a", "https://p.example/services/a"},
		{"https://p.example/", "/services/a", "https://p.example/services/a"},
		{"https://p.example/paved/", "services/a", "https://p.example/paved/services/a"},
		{"", "/services/a", "/services/a"},
		{"https://p.example", "", ""},
		{"https://p.example", "https://elsewhere/x", "https://elsewhere/x"},
	} {
		if got := AbsoluteLink(c.base, c.link); got != c.want {
			t.Errorf("AbsoluteLink(%q, %q) = %q, want %q", c.base, c.link, got, c.want)
		}
	}
}

func TestBackoffSchedule(t *testing.T) {
	b := Backoff{Initial: 30 * time.Second, Max: time.Hour, Jitter: DefaultJitter}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour, time.Hour}
	for i, w := range want {
		attempt := i + 1
		// r = 0.5 is the middle of the jitter band: no spread.
		if got := b.Delay(attempt, 0.5); got != w {
			t.Errorf("Delay(%d) = %s, want %s", attempt, got, w)
		}
		lo, hi := b.Delay(attempt, 0), b.Delay(attempt, 0.999999)
		if lo != time.Duration(float64(w)*0.8) || hi < time.Duration(float64(w)*1.19) || hi > time.Duration(float64(w)*1.2) {
			t.Errorf("Delay(%d) spreads %s..%s, want ±20%% around %s", attempt, lo, hi, w)
		}
	}
	// Huge attempt numbers do not overflow.
	if got := b.Delay(1000, 0.5); got != time.Hour {
		t.Errorf("Delay(1000) = %s", got)
	}
	if got := (Backoff{Initial: time.Second, Max: time.Second}).Delay(3, 0.9); got != time.Second {
		t.Errorf("no jitter: %s", got)
	}
}
