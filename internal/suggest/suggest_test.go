package suggest

import "testing"

func TestClosest(t *testing.T) {
	for _, tt := range []struct {
		s          string
		candidates []string
		max        int
		want       string
	}{
		{"verion", []string{"kind", "version", "title"}, 2, "version"},
		{"tilte", []string{"kind", "version", "title"}, 2, "title"},
		{"zzzzzz", []string{"kind", "version"}, 2, ""},
		{"ab", []string{"ac", "ad"}, 2, "ac"}, // equally near: the first
		{"", []string{"a"}, 2, "a"},
		{"x", nil, 2, ""},
	} {
		if got := Closest(tt.s, tt.candidates, tt.max); got != tt.want {
			t.Errorf("Closest(%q, %v, %d) = %q, want %q", tt.s, tt.candidates, tt.max, got, tt.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance(kitten, sitting) = %d, want 3", d)
	}
	long := string(make([]byte, 65))
	if d := Distance(long, "a"); d < 1000 {
		t.Errorf("a 65-byte string is near something: %d", d)
	}
}
