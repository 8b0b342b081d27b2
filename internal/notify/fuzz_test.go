package notify

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// FuzzVerify: any headers and body are refused or accepted without a
// panic, and a signature made by Sign always verifies.
func FuzzVerify(f *testing.F) {
	f.Add("1773480413", "1", "sha256=00", []byte(`{"id":1}`), []byte("secret-secret-secret"))
	f.Add("-1", "9223372036854775807", "", []byte{}, []byte{0})
	f.Add("99999999999999999999", "x", "sha256=", []byte("\xff"), []byte("k"))
	f.Fuzz(func(t *testing.T, ts, id, sig string, body, secret []byte) {
		h := http.Header{}
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderDelivery, id)
		h.Set(HeaderSignature, sig)
		_ = Verify(secret, h, body, time.Unix(1773480413, 0), 5*time.Minute)
		h.Set(HeaderTimestamp, "1773480413")
		h.Set(HeaderDelivery, "7")
		h.Set(HeaderSignature, Sign(secret, 1773480413, 7, body))
		if err := Verify(secret, h, body, time.Unix(1773480413, 0), 5*time.Minute); err != nil {
			t.Fatalf("own signature refused: %v", err)
		}
	})
}

// FuzzConfigValues: the config value parsers and the URL check never
// panic.
func FuzzConfigValues(f *testing.F) {
	for _, s := range []string{"30s", "1h30m", "-1s", "json", "SLACK", "exception.requested", "https://x.example/p?q#f", "http://[::1]:80/", "://", "https://u:p@h/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Duration
		if d.UnmarshalText([]byte(s)) == nil && d <= 0 {
			t.Fatalf("accepted a non-positive duration %q", s)
		}
		var fm Format
		if fm.UnmarshalText([]byte(s)) == nil && fm != FormatJSON && fm != FormatSlack {
			t.Fatalf("accepted format %q", fm)
		}
		var k EventKind
		if k.UnmarshalText([]byte(s)) == nil && !paved.ValidNotificationKind(string(k)) {
			t.Fatalf("accepted kind %q", k)
		}
		_ = CheckURL(s)
		_ = CheckPublicURL(s)
		_ = AbsoluteLink(s, s)
	})
}

// FuzzPayloads: any notification makes a JSON body and a Slack message
// that are valid JSON.
func FuzzPayloads(f *testing.F) {
	f.Add("subject <&>", "svc", "team", "/x", "https://p.example")
	f.Add("\xff\x00", "", "", "", "")
	f.Fuzz(func(t *testing.T, subject, service, team, link, base string) {
		n := &paved.Notification{ID: 1, Kind: paved.NotifyCostSpike, Subject: subject, Service: service, Team: team, Link: link,
			Data: map[string]any{"s": subject}}
		for _, mk := range []func(*paved.Notification, string) ([]byte, error){JSONBody, SlackBody} {
			b, err := mk(n, base)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(b) {
				t.Fatalf("invalid JSON: %s", b)
			}
		}
	})
}
