package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// exceptionFixture is the report fixture after the server answered
// coverage: the 1 TB database is covered by exception #12, the root
// container waits for #13, and a warning says an entry expired.
func exceptionFixture() *Result {
	r := fixture()
	exp := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	cov := &paved.ExceptionCoverage{Check: 4, Service: "checkout-api"}
	for _, f := range r.Findings {
		if f.Severity != paved.SeverityDeny {
			continue
		}
		fc := paved.FindingCoverage{Rule: f.Rule, Resource: f.Resource, Fingerprint: paved.ExceptionFingerprint(&f)}
		if f.Rule == "db-memory-ceiling" {
			fc.State, fc.Exception = paved.FindingCovered, &paved.ExceptionRef{ID: 12, Status: paved.ExceptionApproved, ExpiresAt: exp, DecidedBy: "rita", Link: "/exceptions/12"}
		} else {
			fc.State, fc.Exception = paved.FindingPending, &paved.ExceptionRef{ID: 13, Status: paved.ExceptionPending, ExpiresAt: exp, Link: "/exceptions/13"}
		}
		cov.Findings = append(cov.Findings, fc)
	}
	r.ApplyCoverage(cov, "https://paved.example.com/", "server")
	r.Warn("exception #3 (s3-public-access-block on aws_s3_bucket.logs of checkout-api) expired on 2026-03-01: it covers nothing")
	return r
}

func TestExceptionsGolden(t *testing.T) {
	r := exceptionFixture()
	if r.Passed() {
		t.Fatal("a pending request passes")
	}
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, r, Options{}); err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", "exceptions."+format+".golden"), buf.Bytes())
		})
	}
}

func TestApplyCoverage(t *testing.T) {
	r := exceptionFixture()
	var covered, deny int
	for _, f := range r.Findings {
		switch f.Severity {
		case paved.SeverityException:
			covered++
		case paved.SeverityDeny:
			deny++
		}
	}
	if covered != 1 || deny != 1 {
		t.Fatalf("covered %d, deny %d: want the database covered and the container still denied", covered, deny)
	}
	// Everything covered: the check passes.
	r = fixture()
	cov := &paved.ExceptionCoverage{}
	for _, f := range r.Findings {
		if f.Severity == paved.SeverityDeny {
			cov.Findings = append(cov.Findings, paved.FindingCoverage{Fingerprint: paved.ExceptionFingerprint(&f), State: paved.FindingCovered,
				Exception: &paved.ExceptionRef{ID: 1, Link: "/exceptions/1"}})
		}
	}
	r.ApplyCoverage(cov, "", "file")
	if !r.Passed() {
		t.Fatal("every deny covered, still failing")
	}
	var buf bytes.Buffer
	if err := Write(&buf, "markdown", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "paved check passed") || !strings.Contains(buf.String(), "2 deny finding(s) covered by exceptions") {
		t.Fatalf("markdown:\n%s", buf.String())
	}
	// Nil coverage changes nothing.
	r = fixture()
	r.ApplyCoverage(nil, "", "")
	if r.Exceptions != nil || r.Passed() {
		t.Fatal("nil coverage changed the result")
	}
}

// TestExceptionsSARIFValid: the suppressions of covered findings follow
// the SARIF 2.1.0 schema.
func TestExceptionsSARIFValid(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "sarif", exceptionFixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"suppressions"`) {
		t.Fatal("no suppression for the covered finding")
	}
	res, err := gojsonschema.Validate(gojsonschema.NewStringLoader(sarifSchemaText(t)), gojsonschema.NewBytesLoader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("SARIF schema: %s", e)
	}
}
