package notify_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

// parseNotifications reads a notifications: section through paved.yaml's
// decoder and validation.
func parseNotifications(t *testing.T, yaml string) (*config.Config, error) {
	t.Helper()
	return config.Parse("paved.yaml", []byte(yaml))
}

// TestWebhookHostsAtValidation: without allowed_hosts, public hosts pass
// and internal addresses (loopback, private, link-local, CGNAT, metadata,
// IPv4-mapped and NAT64 forms) are refused; with it, only listed hosts
// pass, an exact entry may be internal, a *.suffix entry may not, and the
// metadata endpoints never pass.
func TestWebhookHostsAtValidation(t *testing.T) {
	const open = ""
	const list = "  allowed_hosts: [hooks.example.com, \"*.corp.example.com\", 10.1.2.3, localhost, \"fd12::7\"]\n"
	for _, tt := range []struct {
		allowed, host string
		refused       string // substring of the error; "" accepted
	}{
		{open, "hooks.example.com", ""},
		{open, "8.8.8.8", ""},
		{open, "[2001:4860::8888]", ""},
		{open, "hooks.internal", ""}, // a name: checked when it is resolved, at delivery
		{open, "127.0.0.1", "loopback"},
		{open, "127.9.9.9", "loopback"},
		{open, "[::1]", "loopback"},
		{open, "localhost", "names this machine"},
		{open, "api.localhost", "names this machine"},
		{open, "10.0.0.1", "private"},
		{open, "172.16.5.4", "private"},
		{open, "192.168.1.1", "private"},
		{open, "[fd00::1]", "private"},
		{open, "[fc00::1]", "private"},
		{open, "169.254.10.10", "link-local"},
		{open, "[fe80::1]", "link-local"},
		{open, "169.254.169.254", "metadata"},
		{open, "[fd00:ec2::254]", "metadata"},
		{open, "100.100.100.200", "metadata"},
		{open, "metadata.google.internal", "metadata"},
		{open, "100.64.0.1", "carrier-grade NAT"},
		{open, "0.0.0.0", "unspecified"},
		{open, "[::]", "unspecified"},
		{open, "[::ffff:10.0.0.1]", "private"},
		{open, "[64:ff9b::a00:1]", "private"},
		{open, "224.0.0.1", "multicast"},
		{open, "[2002:a00:1::1]", "private"},                        // 6to4 of 10.0.0.1
		{open, "[2002:7f00:1::]", "loopback"},                       // 6to4 of 127.0.0.1
		{open, "[2002:a9fe:a9fe::1]", "metadata"},                   // 6to4 of 169.254.169.254
		{open, "[2001:0:4136:e378:8000:63bf:f5ff:fffe]", "private"}, // Teredo, client 10.0.0.1
		{open, "[64:ff9b:1::a00:1]", "private"},                     // local-use NAT64
		{open, "198.18.0.1", "special-purpose"},
		{open, "198.19.255.254", "special-purpose"},
		{open, "192.0.2.10", "special-purpose"},
		{open, "240.0.0.1", "special-purpose"},
		{open, "[2001:db8::1]", "special-purpose"},
		{open, "[2002:5db8:d822::1]", ""}, // 6to4 of a public address
		{open, "93.184.216.34", ""},
		{list, "hooks.example.com", ""},
		{list, "HOOKS.example.com", ""},
		{list, "a.corp.example.com", ""},
		{list, "corp.example.com", "not in notifications.allowed_hosts"},
		{list, "evil.example.net", "not in notifications.allowed_hosts"},
		{list, "10.1.2.3", ""},              // exact: an internal receiver on purpose
		{list, "[fd12::7]", ""},             // exact IPv6
		{list, "localhost", ""},             // exact
		{list, "10.1.2.4", "not in"},        // not listed
		{list, "10.0.0.1", "not in"},        // not listed
		{list, "169.254.169.254", "not in"}, // and never listable
	} {
		yaml := fmt.Sprintf("notifications:\n%s  webhooks:\n    - name: ops\n      url: https://%s/paved\n      secret_env: OPS_SECRET\n", tt.allowed, tt.host)
		_, err := parseNotifications(t, yaml)
		switch {
		case tt.refused == "" && err != nil:
			t.Errorf("%s (list %v): refused: %v", tt.host, tt.allowed != "", err)
		case tt.refused != "" && err == nil:
			t.Errorf("%s (list %v): accepted, want refused (%s)", tt.host, tt.allowed != "", tt.refused)
		case tt.refused != "" && !strings.Contains(err.Error(), tt.refused):
			t.Errorf("%s (list %v): error %q lacks %q", tt.host, tt.allowed != "", err, tt.refused)
		case err != nil && !strings.HasPrefix(err.Error(), "paved.yaml:"):
			t.Errorf("%s: error %q does not name the line", tt.host, err)
		}
	}
}

func TestAllowedHostsEntries(t *testing.T) {
	for entry, want := range map[string]string{
		"https://hooks.example.com": "without scheme",
		"hooks.example.com:8443":    "without scheme, port",
		"HOOKS.example.com":         "lower case",
		"*.com":                     "top-level domain",
		"*":                         "not a host name",
		"hooks..example.com":        "not a host name",
		"169.254.169.254":           "metadata",
	} {
		_, err := parseNotifications(t, fmt.Sprintf("notifications:\n  allowed_hosts: [%q]\n", entry))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "notifications.allowed_hosts[0]") {
			t.Errorf("allowed_hosts [%q]: %v, want an error with %q", entry, err, want)
		}
	}
	if _, err := parseNotifications(t, "notifications:\n  allowed_hosts: [hooks.example.com, \"*.example.org\", 10.0.0.5, \"2001:db8::1\"]\n"); err != nil {
		t.Errorf("good entries refused: %v", err)
	}
}

// TestWebhookURLFromEnvChecked: a url_env target is checked when paved
// serve resolves it.
func TestWebhookURLFromEnvChecked(t *testing.T) {
	cfg, err := parseNotifications(t, "notifications:\n  webhooks:\n    - name: chat\n      format: slack\n      url_env: CHAT_URL\n")
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.Notifications.Targets(func(string) string { return "http://169.254.169.254/latest/meta-data/SECRETPART" }, nil)
	if err == nil || !strings.Contains(err.Error(), "metadata") || strings.Contains(err.Error(), "SECRETPART") {
		t.Errorf("url_env to the metadata endpoint: %v", err)
	}
}

// deliverTo runs one delivery of a notification to a signed webhook at
// host:port (names resolve through resolve) and returns the delivery.
func deliverTo(t *testing.T, allowed, host, port string, resolve notify.ResolverFunc) *paved.Delivery {
	t.Helper()
	restore := notify.SetResolver(resolve)
	defer restore()
	cfg, err := parseNotifications(t, fmt.Sprintf("notifications:\n%s  webhooks:\n    - name: hook\n      url: http://%s:%s/hook\n      secret_env: S\n", allowed, host, port))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := cfg.Notifications.Targets(func(string) string { return secret }, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	db := open(t, testutil.DSN(t, store.EngineSQLite), c.Now)
	r := newRunner(t, notify.Options{Store: db, Targets: ts, Now: c.Now})
	record(t, db, &paved.Notification{Kind: paved.NotifyExceptionRequested, Subject: "x"})
	r.DeliverOnce(context.Background())
	ds := deliveries(t, db, paved.DeliveryFilter{})
	if len(ds) != 1 {
		t.Fatalf("%d deliveries", len(ds))
	}
	return ds[0]
}

// TestWebhookDeliveryChecksResolvedAddresses: at delivery the host is
// resolved, every address is checked, and the connection goes to the
// checked address; a name that validated (no DNS then) but resolves to an
// internal address (DNS rebinding, or a name for an internal service) is
// refused unless listed exactly.
func TestWebhookDeliveryChecksResolvedAddresses(t *testing.T) {
	rc := newReceiver(t, nil)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(rc.URL, "http://"))
	var lookups atomic.Int64
	to := func(addrs ...string) notify.ResolverFunc {
		return func(_ context.Context, _, host string) ([]netip.Addr, error) {
			lookups.Add(1)
			if host != "hooks.rebind.test" {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			var out []netip.Addr
			for _, a := range addrs {
				out = append(out, netip.MustParseAddr(a))
			}
			return out, nil
		}
	}

	// Resolves to loopback: refused, nothing reaches the receiver.
	d := deliverTo(t, "", "hooks.rebind.test", port, to("127.0.0.1"))
	if d.Status != paved.DeliveryPending || !strings.Contains(d.LastError, "loopback") {
		t.Errorf("delivery to a name on loopback: %s %q", d.Status, d.LastError)
	}
	// One public and one internal address: refused (every address counts).
	d = deliverTo(t, "", "hooks.rebind.test", port, to("93.184.216.34", "10.0.0.8"))
	if d.Status != paved.DeliveryPending || !strings.Contains(d.LastError, "private") {
		t.Errorf("delivery to a name with a private address: %s %q", d.Status, d.LastError)
	}
	// A *.suffix entry does not open internal addresses.
	d = deliverTo(t, "  allowed_hosts: [\"*.rebind.test\"]\n", "hooks.rebind.test", port, to("127.0.0.1"))
	if d.Status != paved.DeliveryPending || !strings.Contains(d.LastError, "loopback") {
		t.Errorf("suffix entry to loopback: %s %q", d.Status, d.LastError)
	}
	// The metadata endpoint: refused even when the host is listed exactly.
	d = deliverTo(t, "  allowed_hosts: [hooks.rebind.test]\n", "hooks.rebind.test", port, to("169.254.169.254"))
	if d.Status != paved.DeliveryPending || !strings.Contains(d.LastError, "metadata") {
		t.Errorf("listed host on the metadata address: %s %q", d.Status, d.LastError)
	}
	if n := len(rc.got()); n != 0 {
		t.Fatalf("the receiver got %d requests from refused deliveries", n)
	}
	// Listed exactly: the internal receiver is reached, at the address
	// that was checked (the name itself resolves nowhere else).
	lookups.Store(0)
	d = deliverTo(t, "  allowed_hosts: [hooks.rebind.test]\n", "hooks.rebind.test", port, to("127.0.0.1"))
	if d.Status != paved.DeliveryDelivered {
		t.Fatalf("listed internal receiver: %s %q", d.Status, d.LastError)
	}
	if n := len(rc.got()); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1", n)
	}
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d lookups for one delivery, want 1 (connect to the checked address)", n)
	}
	// A name that does not resolve says so.
	d = deliverTo(t, "", "nowhere.test", port, to())
	if !strings.Contains(d.LastError, "does not resolve") {
		t.Errorf("unresolvable host: %q", d.LastError)
	}
}
