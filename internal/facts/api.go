package facts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// API is a small JSON client for a provider's REST API, shared by the
// collectors: it paces requests, honours the providers' rate-limit
// answers (Retry-After; GitHub's X-RateLimit-Remaining/-Reset; GitLab's
// and PagerDuty's RateLimit-* headers; Opsgenie's X-RateLimit-Period-In-Sec),
// retries 5xx answers and broken connections with backoff, bounds every
// body, and never follows a link to another host with its credentials.
type API struct {
	Base   *url.URL
	Client *http.Client
	// Header is sent with every request (authorisation, Accept).
	Header http.Header
	// Interval is the least time between two requests (from
	// requests_per_second).
	Interval time.Duration
	// MaxRetries bounds the retries of one request (default 4); MaxWait
	// the wait for one rate-limit reset (default 2m: a longer one fails
	// the request and leaves the rest for the next run).
	MaxRetries int
	MaxWait    time.Duration
	// MaxBody bounds an answer (default 8 MiB).
	MaxBody int64
	// OnRateLimit is told of every rate-limited answer (metrics).
	OnRateLimit func()
	// Sleep waits (tests make it instant); Now is the clock.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time

	mu   sync.Mutex
	next time.Time // when the next request may go
}

// Error is an API's answer other than 2xx.
type Error struct {
	Status  int
	Message string
	Path    string
}

func (e *Error) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("%s: %d %s: %s", e.Path, e.Status, http.StatusText(e.Status), e.Message)
	}
	return fmt.Sprintf("%s: %d %s", e.Path, e.Status, http.StatusText(e.Status))
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// Response is a successful answer's paging information.
type Response struct {
	Header http.Header
	// Next is the URL of the next page from the Link header (rel="next"),
	// "" on the last page.
	Next string
}

func (a *API) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if a.Sleep != nil {
		return a.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// pace waits until the next request may go.
func (a *API) pace(ctx context.Context, extra time.Duration) error {
	a.mu.Lock()
	now := a.now()
	at := a.next
	if at.Before(now) {
		at = now
	}
	if extra > 0 && now.Add(extra).After(at) {
		at = now.Add(extra)
	}
	a.next = at.Add(a.Interval)
	a.mu.Unlock()
	return a.sleep(ctx, at.Sub(now))
}

// hold delays every later request until t (a rate-limit reset).
func (a *API) hold(t time.Time) {
	a.mu.Lock()
	if t.After(a.next) {
		a.next = t
	}
	a.mu.Unlock()
}

// URL resolves a path (with its query) against the base URL: the base's
// path is kept (https://ghe.example.com/api/v3 + /repos/x).
func (a *API) URL(path string, q url.Values) string {
	u := *a.Base
	p, rawQuery, _ := strings.Cut(path, "?")
	// p is already escaped (group%2Fproject is one path segment).
	raw := strings.TrimSuffix(a.Base.EscapedPath(), "/") + p
	if dec, err := url.PathUnescape(raw); err == nil {
		u.Path, u.RawPath = dec, raw
	} else {
		u.Path, u.RawPath = raw, ""
	}
	if q != nil {
		u.RawQuery = q.Encode()
	} else {
		u.RawQuery = rawQuery
	}
	return u.String()
}

// GetJSON fetches target (a path under the base, or an absolute URL on
// the base's host, such as a Link header's next page) and decodes the
// answer into out.
func (a *API) GetJSON(ctx context.Context, target string, out any) (*Response, error) {
	body, resp, err := a.Get(ctx, target)
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("%s: the answer is not the JSON expected: %v", a.display(target), err)
		}
	}
	return resp, nil
}

// display is target without its query (which may carry nothing secret,
// but keeps log lines short).
func (a *API) display(target string) string {
	if u, err := url.Parse(target); err == nil && u.IsAbs() {
		target = u.Path
	}
	p, _, _ := strings.Cut(target, "?")
	return p
}

// Get fetches target and returns the body of a 2xx answer.
func (a *API) Get(ctx context.Context, target string) ([]byte, *Response, error) {
	full := target
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		full = a.URL(target, nil)
	}
	u, err := url.Parse(full)
	if err != nil || !strings.EqualFold(u.Host, a.Base.Host) || u.Scheme != a.Base.Scheme {
		// A next-page link to another host would carry the token there.
		return nil, nil, fmt.Errorf("%s: refusing to follow a link off %s", a.display(target), a.Base.Host)
	}
	path := a.display(target)
	retries := a.MaxRetries
	if retries == 0 {
		retries = 4
	}
	maxWait := a.MaxWait
	if maxWait == 0 {
		maxWait = 2 * time.Minute
	}
	var wait time.Duration
	for attempt := 0; ; attempt++ {
		if err := a.pace(ctx, wait); err != nil {
			return nil, nil, err
		}
		wait = 0
		body, hdr, status, err := a.do(ctx, u.String())
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, ctx.Err())
			}
			if attempt >= retries {
				return nil, nil, fmt.Errorf("%s: %v (after %d attempts)", path, err, attempt+1)
			}
			wait = backoff(attempt)
			continue
		case status >= 200 && status < 300:
			// Slow down before the limit is reached, not after.
			if rem, reset, ok := a.remaining(hdr); ok && rem == 0 && reset > 0 && reset <= maxWait {
				a.hold(a.now().Add(reset))
			}
			return body, &Response{Header: hdr, Next: nextLink(hdr.Get("Link"))}, nil
		}
		if d, limited := a.rateLimited(status, hdr); limited {
			if a.OnRateLimit != nil {
				a.OnRateLimit()
			}
			if d > maxWait || attempt >= retries {
				return nil, nil, &Error{Status: status, Path: path, Message: fmt.Sprintf("rate limited; the limit resets in %s, later than this run can wait", d.Round(time.Second))}
			}
			a.hold(a.now().Add(d))
			continue
		}
		if status >= 500 && attempt < retries {
			wait = backoff(attempt)
			continue
		}
		return nil, nil, &Error{Status: status, Path: path, Message: errorMessage(body)}
	}
}

func (a *API) do(ctx context.Context, target string) ([]byte, http.Header, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, 0, err
	}
	for k, v := range a.Header {
		req.Header[k] = v
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "paved-facts")
	}
	client := a.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL
		}
		return nil, nil, 0, err
	}
	defer resp.Body.Close()
	limit := a.MaxBody
	if limit <= 0 {
		limit = 8 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, 0, err
	}
	if int64(len(body)) > limit {
		return nil, nil, 0, fmt.Errorf("the answer is larger than %d bytes", limit)
	}
	return body, resp.Header, resp.StatusCode, nil
}

func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 6)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// rateLimited decides whether an answer is a rate limit and how long to
// wait: 429 always; 403 when GitHub says the limit is spent or asks to
// retry later (its secondary limits).
func (a *API) rateLimited(status int, h http.Header) (time.Duration, bool) {
	if status != http.StatusTooManyRequests && status != http.StatusForbidden {
		return 0, false
	}
	ra, hasRA := retryAfter(h.Get("Retry-After"), a.now())
	rem, reset, hasRem := a.remaining(h)
	if status == http.StatusForbidden && !hasRA && !(hasRem && rem == 0) {
		return 0, false // a real 403: no permission
	}
	switch {
	case hasRA:
		return ra, true
	case hasRem && reset > 0:
		return reset, true
	case h.Get("X-RateLimit-Period-In-Sec") != "":
		if n, err := strconv.Atoi(h.Get("X-RateLimit-Period-In-Sec")); err == nil && n > 0 {
			return time.Duration(n) * time.Second, true
		}
	}
	return time.Minute, true // no hint: a minute is every provider's window
}

// remaining reads the remaining requests and the time until the reset
// from GitHub's X-RateLimit-* or the RateLimit-* headers of GitLab,
// PagerDuty and the IETF draft. A reset above 1e9 is a Unix time
// (GitHub, GitLab); a smaller one is seconds from now (PagerDuty, IETF).
func (a *API) remaining(h http.Header) (int, time.Duration, bool) {
	for _, p := range []string{"X-RateLimit-", "RateLimit-"} {
		rs := h.Get(p + "Remaining")
		if rs == "" {
			continue
		}
		rem, err := strconv.Atoi(strings.TrimSpace(rs))
		if err != nil {
			continue
		}
		var reset time.Duration
		if v, err := strconv.ParseInt(strings.TrimSpace(h.Get(p+"Reset")), 10, 64); err == nil && v > 0 {
			if v > 1e9 {
				if v > 1e12 { // milliseconds, as some recordings have it
					v /= 1000
				}
				reset = time.Unix(v, 0).Sub(a.now())
			} else {
				reset = time.Duration(v) * time.Second
			}
			if reset < 0 {
				reset = 0
			}
			reset += time.Second // the reset instant itself may still be limited
		}
		return rem, reset, true
	}
	return 0, 0, false
}

// retryAfter reads Retry-After: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

var linkRE = regexp.MustCompile(`<([^>]*)>\s*;[^,]*rel="?next"?`)

// nextLink reads the rel="next" URL of a Link header (GitHub, GitLab).
func nextLink(h string) string {
	if m := linkRE.FindStringSubmatch(h); m != nil {
		return m[1]
	}
	return ""
}

// errorMessage picks the message out of an error answer: GitHub's and
// GitLab's "message", PagerDuty's "error.message", Opsgenie's "message".
func errorMessage(body []byte) string {
	var v struct {
		Message any `json:"message"`
		Error   any `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil {
		for _, m := range []any{v.Message, v.Error} {
			switch x := m.(type) {
			case string:
				return oneLine(x)
			case map[string]any:
				if s, ok := x["message"].(string); ok {
					return oneLine(s)
				}
			}
		}
	}
	return oneLine(string(body))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
