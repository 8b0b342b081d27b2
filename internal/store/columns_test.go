package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestRebind(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"none", "SELECT 1", "SELECT 1"},
		{"args", "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"quoted literal", "SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{"doubled quote", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"identifier", `SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		{"comment", "SELECT ? -- what?\n, ?", "SELECT $1 -- what?\n, $2"},
		{"comment at end", "SELECT ? -- what?", "SELECT $1 -- what?"},
		{"unclosed quote", "SELECT '?", "SELECT '?"},
		{"escape clause", `LIKE ? ESCAPE '\'`, `LIKE $1 ESCAPE '\'`},
		{"many", strings.Repeat("?,", 11) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
	}
	for _, c := range cases {
		if got := rebind(EnginePostgres, c.in); got != c.want {
			t.Errorf("%s: rebind(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		if got := rebind(EngineSQLite, c.in); got != c.in {
			t.Errorf("%s: SQLite rebind changed %q", c.name, c.in)
		}
	}
}

func FuzzRebind(f *testing.F) {
	f.Add("SELECT ? FROM t WHERE a = '?' AND b = ? -- ?\n")
	f.Add(`"?"'?'?`)
	f.Fuzz(func(t *testing.T, s string) {
		out := rebind(EnginePostgres, s)
		// Outside quotes and comments every ? becomes $n; nothing else
		// changes, so removing the $n again gives back s.
		if !strings.Contains(s, "?") && out != s {
			t.Fatalf("rebind(%q) = %q without any ?", s, out)
		}
		if strings.Count(out, "?") > strings.Count(s, "?") {
			t.Fatalf("rebind(%q) = %q adds question marks", s, out)
		}
	})
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-01-02T03:04:05.000000006Z", want, true},
		{"2026-01-02T05:04:05.000000006+02:00", want, true},
		{"2026-01-02T03:04:05Z", want.Truncate(time.Second), true},
		{"2026-01-02 03:04:05", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, c := range cases {
		got, err := parseTime(c.in)
		if (err == nil) != c.ok || !got.Equal(c.want) || (err == nil && got.Location() != time.UTC) {
			t.Errorf("parseTime(%q) = %v, %v", c.in, got, err)
		}
	}
	// Stored form round-trips exactly and sorts as the instants do.
	a, b := want, want.Add(time.Nanosecond)
	if formatTime(a) >= formatTime(b) || len(formatTime(a)) != len(formatTime(b.Add(1000*time.Hour))) {
		t.Fatal("stored times do not sort as text")
	}
	back, err := parseTime(formatTime(a.In(time.FixedZone("x", 3600))))
	if err != nil || !back.Equal(a) {
		t.Fatalf("round trip: %v, %v", back, err)
	}
}

func TestTimeColScan(t *testing.T) {
	var req time.Time
	var opt *time.Time
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	for _, src := range []any{"2026-01-02T02:04:05.000000000Z", []byte("2026-01-02T02:04:05.000000000Z"), now} {
		if err := scanTime(&req).Scan(src); err != nil || !req.Equal(now) || req.Location() != time.UTC {
			t.Errorf("Scan(%T) = %v, %v", src, req, err)
		}
		if err := scanTimePtr(&opt).Scan(src); err != nil || opt == nil || !opt.Equal(now) {
			t.Errorf("Scan ptr(%T) = %v, %v", src, opt, err)
		}
	}
	if err := scanTimePtr(&opt).Scan(nil); err != nil || opt != nil {
		t.Errorf("NULL into optional: %v, %v", opt, err)
	}
	for _, src := range []any{nil, 42, "yesterday"} {
		if err := scanTime(&req).Scan(src); err == nil {
			t.Errorf("Scan(%v) into a required time succeeded", src)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Add("2026-01-02T03:04:05.000000006Z")
	f.Add("2026-01-02T05:04:05+02:00")
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime(s)
		if err != nil {
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("parseTime(%q) not in UTC", s)
		}
		// Years outside 0..9999 do not fit the fixed-width form.
		if tm.Year() < 0 || tm.Year() > 9999 {
			return
		}
		back, err := parseTime(formatTime(tm))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}

func TestLikePattern(t *testing.T) {
	cases := map[string]string{
		"Pay":  "%pay%",
		"100%": `%100\%%`,
		"a_b":  `%a\_b%`,
		`a\b`:  `%a\\b%`,
	}
	for in, want := range cases {
		if got := likePattern(in); got != want {
			t.Errorf("likePattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONColumns(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		fast bool
	}{
		{`[]`, []string{}, true},
		{`["a"]`, []string{"a"}, true},
		{`["a","b c","ü"]`, []string{"a", "b c", "ü"}, true},
		{`["a\"b"]`, []string{`a"b`}, false},
		{`[ "a" ]`, []string{"a"}, false},
		{`["a",]`, nil, false},
		{`["a"]x`, nil, false},
		{`null`, nil, false},
	}
	for _, c := range cases {
		got, ok := decodeStrings(c.in)
		if ok != c.fast || (ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("decodeStrings(%q) = %q, %v", c.in, got, ok)
		}
		var via []string
		err := scanJSON(&via).Scan(c.in)
		if c.want != nil && (err != nil || !reflect.DeepEqual(via, c.want)) {
			t.Errorf("scan %q = %q, %v", c.in, via, err)
		}
	}
	m, ok := decodeStringMap(`{"a":"1","b":"2","a":"3"}`)
	if !ok || !reflect.DeepEqual(m, map[string]string{"a": "3", "b": "2"}) {
		t.Errorf("decodeStringMap = %v, %v", m, ok)
	}
	for _, bad := range []string{`{"a":1}`, `{"a"}`, `{"a":"b"`, `{"a":"b"}}`, `[]`} {
		if _, ok := decodeStringMap(bad); ok {
			t.Errorf("decodeStringMap(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		in   string
		want []paved.Link
		ok   bool
	}{
		{`[]`, []paved.Link{}, true},
		{`[{"url":"u","title":"t","icon":"i","type":"y"},{}]`, []paved.Link{{URL: "u", Title: "t", Icon: "i", Type: "y"}, {}}, true},
		{`[{"URL":"u"}]`, nil, false},
		{`[{"url":"u","extra":"x"}]`, nil, false},
		{`[{"url":"u"}`, nil, false},
		{`[{"url":"u"}]]`, nil, false},
	} {
		got, ok := decodeLinks(c.in)
		if ok != c.ok || (ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("decodeLinks(%q) = %+v, %v", c.in, got, ok)
		}
	}
	var links []paved.Link
	if err := scanJSON(&links).Scan(`[{"url":"u"}]`); err != nil || len(links) != 1 || links[0].URL != "u" {
		t.Errorf("links = %v, %v", links, err)
	}
	if err := scanJSON(&links).Scan(`{oops`); err == nil {
		t.Error("invalid JSON accepted")
	}
}

// FuzzDecodeJSON checks that the fast decoders, whenever they accept an
// input, agree with encoding/json.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`[]`, `["a","b"]`, `[{"url":"u","title":"t"},{}]`, `{"k":"v","x":""}`, `["\u00e9"]`, "[\"\xff\"]", `{"a":"b","a":"c"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := decodeStrings(s); ok {
			var want []string
			if err := json.Unmarshal([]byte(s), &want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeStrings(%q) = %q; encoding/json: %q, %v", s, got, want, err)
			}
		}
		if got, ok := decodeLinks(s); ok {
			var want []paved.Link
			if err := json.Unmarshal([]byte(s), &want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeLinks(%q) = %+v; encoding/json: %+v, %v", s, got, want, err)
			}
		}
		if got, ok := decodeStringMap(s); ok {
			var want map[string]string
			if err := json.Unmarshal([]byte(s), &want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeStringMap(%q) = %q; encoding/json: %q, %v", s, got, want, err)
			}
		}
	})
}
