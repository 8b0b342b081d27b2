package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a json delivery (docs/notifications.md).
const (
	HeaderSignature = "X-Paved-Signature" // sha256=<hex HMAC-SHA256>
	HeaderTimestamp = "X-Paved-Timestamp" // Unix seconds when the attempt was signed
	HeaderDelivery  = "X-Paved-Delivery"  // the delivery id: the idempotency key
	HeaderEvent     = "X-Paved-Event"     // the notification kind
)

// SignedContent is what the signature covers: the timestamp, the delivery
// id and the body, joined by dots. The timestamp stops replays of an old
// request; the delivery id stops a captured body from being passed off as
// another delivery.
func SignedContent(timestamp, delivery int64, body []byte) []byte {
	b := make([]byte, 0, len(body)+40)
	b = strconv.AppendInt(b, timestamp, 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, delivery, 10)
	b = append(b, '.')
	return append(b, body...)
}

// Sign returns the X-Paved-Signature value: "sha256=" and the hex
// HMAC-SHA256 of SignedContent under secret.
func Sign(secret []byte, timestamp, delivery int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(SignedContent(timestamp, delivery, body))
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verification errors.
var (
	ErrNoSignature  = errors.New("the request is not signed: X-Paved-Signature, X-Paved-Timestamp or X-Paved-Delivery is missing")
	ErrBadSignature = errors.New("the signature does not match: wrong secret, or the request was altered")
	ErrStale        = errors.New("the timestamp is too far from now: a replayed or delayed request")
)

// Verify checks a received delivery the way a receiver should (and as
// docs/notifications.md shows): the signature over the timestamp, delivery
// id and body, compared in constant time, and a timestamp within tolerance
// of now.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	sig, ts, id := h.Get(HeaderSignature), h.Get(HeaderTimestamp), h.Get(HeaderDelivery)
	if sig == "" || ts == "" || id == "" {
		return ErrNoSignature
	}
	t, err1 := strconv.ParseInt(ts, 10, 64)
	d, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || !strings.HasPrefix(sig, "sha256=") {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, t, d, body))) {
		return ErrBadSignature
	}
	if age := now.Sub(time.Unix(t, 0)); age > tolerance || age < -tolerance {
		return ErrStale
	}
	return nil
}
