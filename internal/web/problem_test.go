package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

func TestProblemFor(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		detail     string // substring; internal errors must not show theirs
		field      string
		noInDetail string
	}{
		{"invalid", paved.FieldErrorf(paved.EINVALID, "tier", "tier 9 is out of range"), 400, "invalid", "tier 9 is out of range", "tier", ""},
		{"unprocessable", paved.FieldErrorf(paved.EUNPROCESSABLE, "owner", "team %q does not exist", "x"), 422, "unprocessable", `team "x" does not exist`, "owner", ""},
		{"unauthorized", paved.Errorf(paved.EUNAUTHORIZED, "unknown token"), 401, "unauthorized", "unknown token", "", ""},
		{"forbidden", paved.Errorf(paved.EFORBIDDEN, "needs admin"), 403, "forbidden", "needs admin", "", ""},
		{"not found", paved.Errorf(paved.ENOTFOUND, "service %q not found", "x"), 404, "not_found", "not found", "", ""},
		{"conflict", paved.FieldErrorf(paved.ECONFLICT, "name", "exists"), 409, "conflict", "exists", "name", ""},
		{"too large", paved.Errorf(paved.ETOOLARGE, "too big"), 413, "too_large", "too big", "", ""},
		{"rate limited", errRateLimited(20 * time.Second), 429, "rate_limited", "try again in 20 seconds", "", ""},
		{"wrapped", fmt.Errorf("store: create: %w", paved.Errorf(paved.ECONFLICT, "dup")), 409, "conflict", "dup", "", "store:"},
		{"internal paved", paved.Errorf(paved.EINTERNAL, "disk /var/x full"), 500, "internal", "internal error", "", "/var/x"},
		{"plain error", errors.New("sql: connection refused at 10.0.0.1"), 500, "internal", "internal error", "", "10.0.0.1"},
		{"unknown code", &paved.Error{Code: "weird", Message: "secret"}, 500, "internal", "internal error", "", "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemFor(tt.err, "/api/v1/x")
			if p.Status != tt.status || p.Code != tt.code || p.Field != tt.field {
				t.Fatalf("got %d/%q/%q, want %d/%q/%q", p.Status, p.Code, p.Field, tt.status, tt.code, tt.field)
			}
			if !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", p.Detail, tt.detail)
			}
			if tt.noInDetail != "" && strings.Contains(p.Detail, tt.noInDetail) {
				t.Errorf("detail %q leaks %q", p.Detail, tt.noInDetail)
			}
			if p.Type != problemTypeBase+p.Code || p.Title != http.StatusText(p.Status) || p.Instance != "/api/v1/x" {
				t.Errorf("type/title/instance = %q/%q/%q", p.Type, p.Title, p.Instance)
			}
		})
	}
}

// TestStatusTableComplete keeps the code -> status table in step with the
// codes error.go defines.
func TestStatusTableComplete(t *testing.T) {
	for _, c := range []string{paved.EINVALID, paved.EUNPROCESSABLE, paved.EUNAUTHORIZED, paved.EFORBIDDEN,
		paved.ENOTFOUND, paved.ECONFLICT, paved.ETOOLARGE, paved.EINTERNAL, paved.ERATELIMITED} {
		if _, ok := statusByCode[c]; !ok {
			t.Errorf("code %q has no HTTP status", c)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name  string   `json:"name"`
		Tier  int      `json:"tier"`
		Tags  []string `json:"tags"`
		Inner struct {
			On bool `json:"on"`
		} `json:"inner"`
	}
	tests := []struct {
		name   string
		in     string
		limit  int64
		code   string
		field  string
		detail string
	}{
		{"ok", `{"name":"a","tier":1,"tags":["x"],"inner":{"on":true}}`, 1 << 10, "", "", ""},
		{"ok with trailing space", "{\"name\":\"a\"}\n\t ", 1 << 10, "", "", ""},
		{"unknown field", `{"name":"a","nmae":"b"}`, 1 << 10, "invalid", "nmae", "unknown field"},
		{"syntax", `{"name":"a",}`, 1 << 10, "invalid", "", "offset 13"},
		{"wrong type", `{"tier":"one"}`, 1 << 10, "invalid", "tier", "got a JSON string where a number was expected"},
		{"wrong nested type", `{"inner":{"on":"yes"}}`, 1 << 10, "invalid", "inner.on", "a boolean"},
		{"wrong array type", `{"tags":"x"}`, 1 << 10, "invalid", "tags", "an array"},
		{"not an object", `[1,2]`, 1 << 10, "invalid", "", "array"},
		{"empty", ``, 1 << 10, "invalid", "", "empty"},
		{"truncated", `{"name":`, 1 << 10, "invalid", "", "ends in the middle"},
		{"trailing value", `{"name":"a"}{"name":"b"}`, 1 << 10, "invalid", "", "after the JSON value at offset 12"},
		{"trailing garbage", `{"name":"a"} x`, 1 << 10, "invalid", "", "not valid JSON"},
		{"too large", `{"name":"` + strings.Repeat("a", 100) + `"}`, 50, "too_large", "", "limit of 50 bytes"},
		{"duplicate key", `{"name":"a","tier":1,"name":"b"}`, 1 << 10, "invalid", "name", `"name" is in this object twice`},
		{"duplicate nested key", `{"inner":{"on":true,"on":false}}`, 1 << 10, "invalid", "inner.on", "twice"},
		{"same key in two objects", `{"name":"a","inner":{"name":1}}`, 1 << 10, "invalid", "name", "unknown field"},
		{"tags at the bound", `{"tags":[` + strings.Repeat(`"x",`, 199) + `"x"]}`, 1 << 20, "", "", ""},
		{"tags past the bound", `{"tags":[` + strings.Repeat(`"x",`, 200) + `"x"]}`, 1 << 20, "invalid", "tags", "more than 200 items"},
		{"200,000 tags", `{"tags":[` + strings.Repeat(`"x",`, 200000) + `"x"]}`, 1 << 20, "invalid", "tags", "more than 200 items"},
		{"nested list past its bound", `{"inner":{"resources":[{"tags":{` + strings.Repeat(`"k":1,`, 0) + tagObj(201) + `}}]}}`, 1 << 20, "invalid", "inner.resources[0].tags", "more than 200 keys"},
		{"any list past the default", `{"other":[` + strings.Repeat(`1,`, defaultMaxItems) + `1]}`, 1 << 20, "invalid", "other", "more than 10000 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.in))
			var v body
			err := decodeJSON(httptest.NewRecorder(), r, tt.limit, &v)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *paved.Error", err, err)
			}
			if pe.Code != tt.code || pe.Field != tt.field || !strings.Contains(pe.Message, tt.detail) {
				t.Fatalf("got %q/%q/%q, want %q/%q/...%q...", pe.Code, pe.Field, pe.Message, tt.code, tt.field, tt.detail)
			}
		})
	}
}

func tagObj(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":"v"`, i)
	}
	return b.String()
}

func TestCheckQuery(t *testing.T) {
	allowed := []string{"team", "phase", "include_retired"}
	tests := []struct {
		raw   string
		field string // "" = ok
	}{
		{"", ""},
		{"team=a&phase=production", ""},
		{"team=a&&phase=", ""},
		{"include%5Fretired=true", ""},
		{"phse=production", "phse"},
		{"team=a&limit=5", "limit"},
		{"te%61m=a", ""},
		{"%zz=1", "%zz"},
	}
	for _, tt := range tests {
		err := checkQuery(tt.raw, allowed)
		var pe *paved.Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tt.raw, err)
		case tt.field != "" && (!errors.As(err, &pe) || pe.Field != tt.field || pe.Code != paved.EINVALID):
			t.Errorf("%q: got %v, want invalid naming %q", tt.raw, err, tt.field)
		}
	}
	if err := checkQuery("x=1", nil); err == nil || !strings.Contains(err.Error(), "takes none") {
		t.Errorf("route without parameters: got %v", err)
	}
}

func TestParsePage(t *testing.T) {
	tests := []struct {
		q      string
		want   paved.Page
		field  string
		substr string
	}{
		{"", paved.Page{Offset: 0, Limit: paved.DefaultLimit}, "", ""},
		{"offset=20&limit=10", paved.Page{Offset: 20, Limit: 10}, "", ""},
		{"limit=500", paved.Page{Limit: 500}, "", ""},
		{"limit=501", paved.Page{}, "limit", "1 to 500"},
		{"limit=0", paved.Page{}, "limit", ""},
		{"limit=ten", paved.Page{}, "limit", ""},
		{"offset=-1", paved.Page{}, "offset", ">= 0"},
		{"offset=1e3", paved.Page{}, "offset", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/?"+tt.q, nil)
		got, err := parsePage(r.URL.Query())
		if tt.field == "" {
			if err != nil || got != tt.want {
				t.Errorf("%q: got %+v, %v; want %+v", tt.q, got, err, tt.want)
			}
			continue
		}
		var pe *paved.Error
		if !errors.As(err, &pe) || pe.Field != tt.field || !strings.Contains(pe.Message, tt.substr) {
			t.Errorf("%q: got %v, want error on %s", tt.q, err, tt.field)
		}
	}
}

func TestServiceFilter(t *testing.T) {
	tests := []struct {
		q     string
		want  paved.ServiceFilter
		field string
	}{
		{"team=alpha&phase=greenlight&tier=tier-1&data_class=Restricted&q=pay&include_retired=1&offset=5&limit=7",
			paved.ServiceFilter{Team: "alpha", Phase: paved.PhaseGreenLight, Tier: 1, DataClass: paved.DataRestricted, Query: "pay", IncludeRetired: true, Page: paved.Page{Offset: 5, Limit: 7}}, ""},
		{"", paved.ServiceFilter{Page: paved.Page{Limit: paved.DefaultLimit}}, ""},
		{"tier=5", paved.ServiceFilter{}, "tier"},
		{"phase=prod", paved.ServiceFilter{}, "phase"},
		{"data_class=secret", paved.ServiceFilter{}, "data_class"},
		{"team=a%20b", paved.ServiceFilter{}, "team"},
		{"include_retired=maybe", paved.ServiceFilter{}, "include_retired"},
		{"q=" + strings.Repeat("x", maxQueryText+1), paved.ServiceFilter{}, "q"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/?"+tt.q, nil)
		got, err := serviceFilter(r.URL.Query())
		if tt.field == "" {
			if err != nil || got != tt.want {
				t.Errorf("%q: got %+v, %v; want %+v", tt.q, got, err, tt.want)
			}
			continue
		}
		var pe *paved.Error
		if !errors.As(err, &pe) || pe.Field != tt.field || pe.Code != paved.EINVALID {
			t.Errorf("%q: got %v, want invalid naming %q", tt.q, err, tt.field)
		}
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		h, want string
		ok      bool
	}{
		{"Bearer pvd_abc", "pvd_abc", true},
		{"bearer  pvd_abc ", "pvd_abc", true},
		{"", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Bearer " + strings.Repeat("x", 600), "", false},
	}
	for _, tt := range tests {
		got, err := bearerToken(tt.h)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%q: got %q, %v", tt.h, got, err)
		}
		if err != nil && paved.ErrorCode(err) != paved.EUNAUTHORIZED {
			t.Errorf("%q: code %q, want unauthorized", tt.h, paved.ErrorCode(err))
		}
	}
}

func TestSaneRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"abc-123":                true,
		"0af7651916cd43dd8448eb": true,
		"a:b.c_d":                true,
		"":                       false,
		strings.Repeat("a", 65):  false,
		"a b":                    false,
		"a\nb":                   false,
		`"><script>`:             false,
	} {
		if got := saneRequestID(id); got != want {
			t.Errorf("saneRequestID(%q) = %v, want %v", id, got, want)
		}
	}
}
