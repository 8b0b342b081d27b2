package iac

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func TestReadSized(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		size, max int64
		want      string
		code      string
	}{
		{"exact", "abcdef", 6, 100, "abcdef", ""},
		{"shrank", "abc", 6, 100, "abc", ""},
		{"grew", "abcdefgh", 6, 100, "abcdefgh", ""},
		{"grew past the limit", strings.Repeat("x", 200), 6, 100, "", "limit of 100 bytes"},
		{"unknown size", "abc", 0, 100, "abc", ""},
		{"stat says more than there is", "abc", 1000, 100, "abc", ""},
	}
	for _, tt := range tests {
		got, err := readSized(bytes.NewReader([]byte(tt.data)), "f", tt.size, tt.max)
		if tt.code != "" {
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tt.code) {
				t.Errorf("%s: err %v, want an error saying %q", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
