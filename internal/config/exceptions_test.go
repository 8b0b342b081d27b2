package config

import (
	"path/filepath"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestExceptionsPolicy(t *testing.T) {
	day := 24 * time.Hour
	for _, tt := range []struct {
		name string
		yaml string
		want paved.ExceptionPolicy
	}{
		{"defaults", "", paved.ExceptionPolicy{DefaultExpiry: 90 * day, MaxExpiry: 180 * day, ExpiringNotice: 14 * day}},
		{"all set", "exceptions:\n  default_expiry: 30d\n  max_expiry: 12w\n  expiring_notice: 7d\n",
			paved.ExceptionPolicy{DefaultExpiry: 30 * day, MaxExpiry: 84 * day, ExpiringNotice: 7 * day}},
		{"a low maximum lowers the default", "exceptions:\n  max_expiry: 30d\n",
			paved.ExceptionPolicy{DefaultExpiry: 30 * day, MaxExpiry: 30 * day, ExpiringNotice: 14 * day}},
	} {
		c, err := Parse("paved.yaml", []byte(tt.yaml))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := c.Exceptions.Policy(); got != tt.want {
			t.Errorf("%s: policy = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestExceptionKeyFile(t *testing.T) {
	c := Default()
	if c.ExceptionKeyFile() != "" {
		t.Fatal("a key file without configuration")
	}
	c.Source = filepath.Join("etc", "paved", FileName)
	c.Exceptions.KeyFile = "keys/exceptions.pem"
	if got, want := c.ExceptionKeyFile(), filepath.Join("etc", "paved", "keys", "exceptions.pem"); got != want {
		t.Fatalf("ExceptionKeyFile = %q, want %q", got, want)
	}
	c.Exceptions.KeyFile = "/abs/key.pem"
	if got := c.ExceptionKeyFile(); got != "/abs/key.pem" {
		t.Fatalf("absolute: %q", got)
	}
}
