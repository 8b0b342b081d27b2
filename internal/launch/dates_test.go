package launch

import (
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestParseScheduledAt(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2030-05-04T14:00:00Z", "2030-05-04T14:00:00Z", true},
		{"2030-05-04T16:00:00+02:00", "2030-05-04T14:00:00Z", true},
		{"2030-05-04 14:00", "2030-05-04T14:00:00Z", true},
		{" 2030-05-04T14:00 ", "2030-05-04T14:00:00Z", true},
		{"2030-05-04T14:00:30", "2030-05-04T14:00:30Z", true},
		{"", "", false},
		{"2030-05-04", "", false},
		{"2030-13-04 14:00", "", false},
		{"tomorrow", "", false},
	}
	for _, tt := range tests {
		got, err := ParseScheduledAt(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got.Format(time.RFC3339) != tt.want) {
			t.Errorf("ParseScheduledAt(%q) = %v, %v; want %s, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("ParseScheduledAt(%q): code %s", tt.in, paved.ErrorCode(err))
		}
	}
	for _, in := range []string{"2030-06-01", " 2030-06-01"} {
		if d, err := ParseDue(in); err != nil || d.Format(time.RFC3339) != "2030-06-01T00:00:00Z" {
			t.Errorf("ParseDue(%q) = %v, %v", in, d, err)
		}
	}
	for _, in := range []string{"", "June", "2030-06-01 10:00", "01/06/2030"} {
		if _, err := ParseDue(in); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("ParseDue(%q) = %v, want invalid", in, err)
		}
	}
}
