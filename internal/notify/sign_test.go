package notify

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type signingVector struct {
	Secret    string `json:"secret"`
	Timestamp int64  `json:"timestamp"`
	Delivery  int64  `json:"delivery"`
	Body      string `json:"body"`
	Signature string `json:"signature"`
}

// readVectors loads testdata/signing.json: signatures computed outside Go
// (Python's hmac), so Sign is held to the documented scheme, not to itself.
func readVectors(t *testing.T) []signingVector {
	t.Helper()
	b, err := os.ReadFile("testdata/signing.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []signingVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestSignVectors(t *testing.T) {
	for i, v := range readVectors(t) {
		if got := Sign([]byte(v.Secret), v.Timestamp, v.Delivery, []byte(v.Body)); got != v.Signature {
			t.Errorf("vector %d: Sign = %s, want %s", i, got, v.Signature)
		}
	}
}

func TestVerify(t *testing.T) {
	v := readVectors(t)[0]
	secret, body := []byte(v.Secret), []byte(v.Body)
	at := time.Unix(v.Timestamp, 0)
	headers := func(mod func(h http.Header)) http.Header {
		h := http.Header{}
		h.Set(HeaderSignature, v.Signature)
		h.Set(HeaderTimestamp, strconv.FormatInt(v.Timestamp, 10))
		h.Set(HeaderDelivery, strconv.FormatInt(v.Delivery, 10))
		if mod != nil {
			mod(h)
		}
		return h
	}
	for _, c := range []struct {
		name   string
		h      http.Header
		body   []byte
		secret []byte
		now    time.Time
		want   error
	}{
		{"good", headers(nil), body, secret, at, nil},
		{"good, 4 minutes late", headers(nil), body, secret, at.Add(4 * time.Minute), nil},
		{"replayed an hour later", headers(nil), body, secret, at.Add(time.Hour), ErrStale},
		{"from the future", headers(nil), body, secret, at.Add(-time.Hour), ErrStale},
		{"altered body", headers(nil), append([]byte(nil), strings.Replace(v.Body, "db.size", "db.sizes", 1)...), secret, at, ErrBadSignature},
		{"wrong secret", headers(nil), body, []byte("not the secret at all"), at, ErrBadSignature},
		{"other delivery id", headers(func(h http.Header) { h.Set(HeaderDelivery, "2") }), body, secret, at, ErrBadSignature},
		{"moved timestamp", headers(func(h http.Header) { h.Set(HeaderTimestamp, strconv.FormatInt(v.Timestamp+1, 10)) }), body, secret, at, ErrBadSignature},
		{"no signature", headers(func(h http.Header) { h.Del(HeaderSignature) }), body, secret, at, ErrNoSignature},
		{"no timestamp", headers(func(h http.Header) { h.Del(HeaderTimestamp) }), body, secret, at, ErrNoSignature},
		{"garbage timestamp", headers(func(h http.Header) { h.Set(HeaderTimestamp, "soon") }), body, secret, at, ErrBadSignature},
		{"other scheme", headers(func(h http.Header) { h.Set(HeaderSignature, "md5=abc") }), body, secret, at, ErrBadSignature},
	} {
		if err := Verify(c.secret, c.h, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: Verify = %v, want %v", c.name, err, c.want)
		}
	}
}

// TestVerifyShell runs the documented shell check (testdata/verify.sh,
// quoted in docs/notifications.md) with openssl on the vectors.
func TestVerifyShell(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	for i, v := range readVectors(t) {
		body := filepath.Join(dir, "body")
		if err := os.WriteFile(body, []byte(v.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		run := func(sig string) error {
			cmd := exec.Command("sh", "testdata/verify.sh", strconv.FormatInt(v.Timestamp, 10), strconv.FormatInt(v.Delivery, 10), sig, body)
			cmd.Env = append(os.Environ(), "PAVED_WEBHOOK_SECRET="+v.Secret, "MAX_AGE=99999999999")
			out, err := cmd.CombinedOutput()
			if err == nil && strings.TrimSpace(string(out)) != "ok" {
				return errors.New(string(out))
			}
			return err
		}
		if err := run(v.Signature); err != nil {
			t.Errorf("vector %d: verify.sh refused a good signature: %v", i, err)
		}
		if err := run(strings.Replace(v.Signature, "sha256=", "sha256=0", 1)); err == nil {
			t.Errorf("vector %d: verify.sh accepted a bad signature", i)
		}
	}
}

// TestDocsShowVerifyScript keeps the shell check in docs/notifications.md
// the one this package tests.
func TestDocsShowVerifyScript(t *testing.T) {
	doc, err := os.ReadFile("../../docs/notifications.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/verify.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```sh\n"+string(script)+"```\n") {
		t.Error("docs/notifications.md does not show testdata/verify.sh verbatim: copy it into the shell example")
	}
	for _, h := range []string{HeaderSignature, HeaderTimestamp, HeaderDelivery, HeaderEvent} {
		if !strings.Contains(string(doc), h) {
			t.Errorf("docs/notifications.md does not mention %s", h)
		}
	}
}

// TestDocsGoExample compiles the Go verification example of
// docs/notifications.md and runs it on a request paved signed, and on a
// tampered one.
func TestDocsGoExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	doc, err := os.ReadFile("../../docs/notifications.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "In Go:\n\n```go\n")
	if !ok {
		t.Fatal(`docs/notifications.md has no "In Go:" example`)
	}
	example, _, _ := strings.Cut(rest, "```")
	imports, fn, ok := strings.Cut(example, ")\n")
	if !ok {
		t.Fatal("the example has no import block")
	}
	body := `{"id":1,"kind":"cost.spike","subject":"x","created_at":"2026-03-14T09:26:53Z"}`
	ts := time.Now().Unix()
	sig := Sign([]byte("docs-secret-0123456789"), ts, 42, []byte(body))
	prog := "package main\n\n" + strings.Replace(imports, "import (", "import (\n\t\"fmt\"\n\t\"strings\"", 1) + ")\n" + fn + `
func main() {
	for _, body := range []string{` + strconv.Quote(body) + `, ` + strconv.Quote(strings.Replace(body, "x", "y", 1)) + `} {
		r, _ := http.NewRequest("POST", "http://receiver/", strings.NewReader(body))
		r.Header.Set("X-Paved-Timestamp", "` + strconv.FormatInt(ts, 10) + `")
		r.Header.Set("X-Paved-Delivery", "42")
		r.Header.Set("X-Paved-Signature", "` + sig + `")
		_, err := verifyPaved(r, []byte("docs-secret-0123456789"))
		fmt.Println(err)
	}
}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gobin, "run", "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run the docs example: %v\n%s\n%s", err, out, prog)
	}
	if got := string(out); got != "<nil>\nbad signature\n" {
		t.Fatalf("the docs example says %q, want it to accept the signed request and refuse the tampered one", got)
	}
}
