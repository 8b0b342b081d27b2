package paved

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Error codes are stable strings: the API returns them in problem+json
// ("code"), the CLI maps them to exit codes, and clients may switch on them.
const (
	EINVALID       = "invalid"       // malformed input: 400
	EUNPROCESSABLE = "unprocessable" // well-formed but semantically wrong (unknown owner): 422
	EUNAUTHORIZED  = "unauthorized"  // missing, unknown or revoked credentials: 401
	EFORBIDDEN     = "forbidden"     // authenticated but not allowed: 403
	ENOTFOUND      = "not_found"     // 404
	ECONFLICT      = "conflict"      // duplicate name, concurrent decision: 409
	ETOOLARGE      = "too_large"     // request body or file over the limit: 413
	ERATELIMITED   = "rate_limited"  // too many failed authentications from one address: 429
	EINTERNAL      = "internal"      // everything else: 500
)

// Error is paved's one error type for expected failures. Code selects the HTTP
// status and CLI exit code; Message is safe to show to the user; Field names
// the offending input (a JSON field, a file:line) when there is one.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error that names the offending field or location.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the *Error's text, or a
// generic message for internal errors so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// UnwrapPathError drops the path from an *fs.PathError (or the paths from an
// *os.LinkError), for messages that name the file themselves: "paved.yaml:
// permission denied", not the path twice.
func UnwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
