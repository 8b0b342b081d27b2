package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// problemTypeBase prefixes the type URI of every problem. The URIs identify
// the class of problem; they are not fetched by clients (RFC 9457 §3.1.1).
const problemTypeBase = "https://paved.dev/problems/"

// statusByCode is the one table from paved error codes to HTTP status.
var statusByCode = map[string]int{
	paved.EINVALID:       http.StatusBadRequest,
	paved.EUNAUTHORIZED:  http.StatusUnauthorized,
	paved.EFORBIDDEN:     http.StatusForbidden,
	paved.ENOTFOUND:      http.StatusNotFound,
	paved.ECONFLICT:      http.StatusConflict,
	paved.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	paved.ERATELIMITED:   http.StatusTooManyRequests,
	paved.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	paved.EINTERNAL:      http.StatusInternalServerError,
}

// codeMethodNotAllowed is used only by the router fallback: no domain
// operation fails this way, so it is not a paved error code.
const codeMethodNotAllowed = "method_not_allowed"

// StatusFor returns the HTTP status for an error's paved code.
func StatusFor(err error) int {
	if st, ok := statusByCode[paved.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// problemFor turns err into the problem to send. Internal errors get a
// generic detail: their text can hold SQL, paths or other internals, and is
// only logged.
func problemFor(err error, instance string) api.Problem {
	code := paved.ErrorCode(err)
	st := StatusFor(err)
	p := api.Problem{
		Type:     problemTypeBase + code,
		Title:    http.StatusText(st),
		Status:   st,
		Instance: instance,
		Code:     code,
	}
	var pe *paved.Error
	if st < 500 && errors.As(err, &pe) {
		p.Detail = pe.Message
		p.Field = pe.Field
	} else {
		p.Code = paved.EINTERNAL
		p.Type = problemTypeBase + paved.EINTERNAL
		p.Detail = "internal error: the server could not complete the request; the request id in X-Request-Id finds it in the server log"
	}
	return p
}

// writeProblem renders err as application/problem+json. It logs internal
// errors with their full text so that the generic detail can be traced.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err, r.URL.Path)
	if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed",
			slog.String("request_id", requestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
	}
	setRetryAfter(w.Header(), err)
	sendProblem(w, p)
}

func sendProblem(w http.ResponseWriter, p api.Problem) {
	h := w.Header()
	if p.Status == http.StatusUnauthorized {
		// RFC 9110 §11.6.1: a 401 names the scheme to use.
		h.Set("WWW-Authenticate", `Bearer realm="paved"`)
	}
	h.Set("Cache-Control", "no-store")
	writeJSONType(w, p.Status, "application/problem+json", p)
}

// bufPool keeps encode buffers between requests: responses are encoded
// whole before the header goes out, so that an encoding failure can still
// become a problem and Content-Length is known.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON sends v as application/json with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, status, "application/json", v)
}

func writeJSONType(w http.ResponseWriter, status int, ctype string, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		// Very large buffers (a big export) are dropped rather than pinned.
		if buf.Cap() <= 1<<20 {
			bufPool.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		// Only unsupported values (channels, NaN) fail; none of paved's
		// types hold them, so this is a programming error worth a 500.
		buf.Reset()
		fmt.Fprintf(buf, `{"type":%q,"title":"Internal Server Error","status":500,"detail":"internal error: response could not be encoded","code":"internal"}`+"\n", problemTypeBase+paved.EINTERNAL)
		status = http.StatusInternalServerError
		ctype = "application/problem+json"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// decodeJSON reads the request body into v strictly: one JSON value, no
// unknown fields, no trailing data, at most limit bytes. Every failure is a
// *paved.Error that says what was wrong and where.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	// The Content-Type is not checked: API calls authenticate with a bearer
	// token, not a cookie, so there is no cross-site form to fend off, and
	// curl -d sends a form type by default.
	// The body is read whole (it is bounded) so that its shape can be
	// checked before it is decoded: no key twice in an object, no list
	// longer than its bound (checkJSONShape).
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return jsonError(err, limit)
	}
	if err := checkJSONShape(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, limit)
	}
	// A second value (or garbage) after the first is an error: silently
	// ignoring it would hide a client bug.
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		if err == nil {
			return paved.Errorf(paved.EINVALID, "request body has data after the JSON value at offset %d: send exactly one JSON value", dec.InputOffset()-int64(len(extra)))
		}
		return jsonError(err, limit)
	}
	return nil
}

// jsonError maps a decoding error to a paved error naming the problem.
func jsonError(err error, limit int64) error {
	var (
		syn  *json.SyntaxError
		typ  *json.UnmarshalTypeError
		mbe  *http.MaxBytesError
		perr *paved.Error
	)
	switch {
	case errors.As(err, &perr):
		// A type's UnmarshalJSON said what was wrong (a bad tier, say).
		return perr
	case errors.As(err, &mbe):
		return paved.Errorf(paved.ETOOLARGE, "request body is larger than the limit of %d bytes", limit)
	case errors.Is(err, io.EOF):
		return paved.Errorf(paved.EINVALID, "request body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return paved.Errorf(paved.EINVALID, "request body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return paved.Errorf(paved.EINVALID, "request body is not valid JSON at offset %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return paved.Errorf(paved.EINVALID, "request body is a JSON %s where %s was expected", typ.Value, jsonTypeName(typ.Type.String()))
		}
		return paved.FieldErrorf(paved.EINVALID, field, "got a JSON %s where %s was expected", typ.Value, jsonTypeName(typ.Type.String()))
	}
	msg := err.Error()
	// encoding/json reports unknown fields only as text.
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return paved.FieldErrorf(paved.EINVALID, name, "unknown field %q: check the spelling against the API document (/api/v1/openapi.json)", name)
	}
	return paved.Errorf(paved.EINVALID, "request body could not be read: %s", strings.TrimPrefix(msg, "json: "))
}

// jsonTypeName names a Go type the way an API client thinks of it.
func jsonTypeName(goType string) string {
	t := strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map["):
		return "an object"
	case t == "string" || strings.HasSuffix(t, ".Phase") || strings.HasSuffix(t, ".DataClass") ||
		strings.HasSuffix(t, ".TeamKind") || strings.HasSuffix(t, ".Role"):
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float") ||
		strings.HasSuffix(t, ".Tier"):
		return "a number"
	case strings.HasPrefix(t, "time."):
		return "an RFC 3339 time string"
	}
	return "an object"
}

// encodeJSON returns v encoded as writeJSON would write it, for answers
// that are cached as bytes.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("web: encoding the answer: %w", err)
	}
	return buf.Bytes(), nil
}

// writeBody writes an encoded answer.
func writeBody(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
