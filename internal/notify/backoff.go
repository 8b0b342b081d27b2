package notify

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff is the wait between attempts: Initial after the first failure,
// doubling after each further one up to Max, each wait spread by ±Jitter
// (a fraction) so that deliveries failed together do not retry together.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Jitter  float64
}

// DefaultJitter spreads waits by ±20%.
const DefaultJitter = 0.2

// Delay is the wait after failed attempt number attempt (1 for the first),
// given r uniform in [0, 1).
func (b Backoff) Delay(attempt int, r float64) time.Duration {
	d := b.Initial
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max {
		d = b.Max
	}
	if b.Jitter > 0 {
		d = time.Duration(float64(d) * (1 - b.Jitter + 2*b.Jitter*r))
	}
	return d
}

// retryAfter reads a Retry-After header in seconds (the form receivers
// use for 429 and 503); 0 when absent or in another form.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 86400)) * time.Second
}
