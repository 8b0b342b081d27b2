package exception

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

var testNow = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "paved exceptions test key seed..")
	return ed25519.NewKeyFromSeed(seed)
}

func bigDB() paved.Finding {
	f := paved.Finding{Rule: "aws-db-max-memory", Severity: paved.SeverityDeny, Resource: "aws_db_instance.main",
		Path: "instance_class", Value: "db.x2iedn.32xlarge", Message: "db.x2iedn.32xlarge has 1024 GiB of memory"}
	f.Fingerprint = f.ComputeFingerprint()
	return f
}

func signedFile(t testing.TB, key ed25519.PrivateKey) *File {
	f := bigDB()
	file := &File{Format: FileFormat, Issuer: "acme", GeneratedAt: testNow, Exceptions: []FileException{
		{ID: 12, Service: "checkout", Rule: f.Rule, Resource: f.Resource, Fingerprint: paved.ExceptionFingerprint(&f),
			Path: f.Path, Value: f.Value, ExpiresAt: testNow.Add(30 * 24 * time.Hour), DecidedBy: "rita", Conditions: "review the sizing in Q3"},
		{ID: 3, Service: "checkout", Rule: "aws-db-storage", Resource: "aws_db_instance.main", Fingerprint: "ab",
			Value: map[string]any{"gib": 4096, "type": "io2"}, ExpiresAt: testNow.Add(-time.Hour), DecidedBy: "rita"},
	}}
	file.Sign(key)
	return file
}

func marshal(t testing.TB, f *File) []byte {
	t.Helper()
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyGenuine(t *testing.T) {
	key := testKey(t)
	data := marshal(t, signedFile(t, key))
	v, err := Verify(data, key.Public().(ed25519.PublicKey), testNow)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(v.Valid) != 1 || v.Valid[0].ID != 12 {
		t.Fatalf("valid = %+v: want exception 12 only (3 has expired)", v.Valid)
	}
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "#3") || !strings.Contains(v.Warnings[0], "expired") {
		t.Fatalf("warnings = %q: want one about the expired #3", v.Warnings)
	}
	// Re-indenting the file keeps the signature: it covers values, not bytes.
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(m)
	if _, err := Verify(compact, key.Public().(ed25519.PublicKey), testNow); err != nil {
		t.Fatalf("compacted file: %v", err)
	}
	// The finding passes offline; a changed value does not.
	f := bigDB()
	c := OfflineCoverage(v, "checkout", []paved.Finding{f}, testNow)
	if !c.Passed || c.Findings[0].Exception.ID != 12 {
		t.Fatalf("coverage = %+v", c)
	}
	f.Value = "db.x2iedn.metal"
	if c := OfflineCoverage(v, "checkout", []paved.Finding{f}, testNow); c.Passed {
		t.Fatal("a changed value is covered offline")
	}
	if c := OfflineCoverage(v, "ledger", []paved.Finding{bigDB()}, testNow); c.Passed {
		t.Fatal("another service is covered offline")
	}
	// After its expiry the file covers nothing, with a warning.
	later := testNow.Add(31 * 24 * time.Hour)
	v, err = Verify(data, key.Public().(ed25519.PublicKey), later)
	if err != nil || len(v.Valid) != 0 || len(v.Warnings) != 2 {
		t.Fatalf("after expiry: %+v, %v", v, err)
	}
}

// TestVerifyTampered: every alteration of a signed file, a file signed by
// another key and a forged one cover nothing, with a clear error.
func TestVerifyTampered(t *testing.T) {
	key := testKey(t)
	trust := key.Public().(ed25519.PublicKey)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	tests := []struct {
		name   string
		change func(f *File) *File
		want   string // in the message
	}{
		{"a changed value (1 TB -> 2 TB)", func(f *File) *File { f.Exceptions[1].Value = "db.x2iedn.metal"; return f }, "does not verify"},
		{"a later expiry", func(f *File) *File {
			f.Exceptions[0].ExpiresAt = f.Exceptions[0].ExpiresAt.Add(365 * 24 * time.Hour)
			return f
		}, "does not verify"},
		{"another service", func(f *File) *File { f.Exceptions[0].Service = "ledger"; return f }, "does not verify"},
		{"another resource", func(f *File) *File { f.Exceptions[0].Resource = "aws_db_instance.replica"; return f }, "does not verify"},
		{"another fingerprint", func(f *File) *File { f.Exceptions[0].Fingerprint = strings.Repeat("0", 64); return f }, "does not verify"},
		{"an added exception", func(f *File) *File {
			f.Exceptions = append(f.Exceptions, FileException{ID: 99, Service: "checkout", Rule: "x", Resource: "y", Fingerprint: "z", ExpiresAt: testNow.Add(time.Hour)})
			return f
		}, "does not verify"},
		{"a removed exception", func(f *File) *File { f.Exceptions = f.Exceptions[1:]; return f }, "does not verify"},
		{"reordered", func(f *File) *File { f.Exceptions[0], f.Exceptions[1] = f.Exceptions[1], f.Exceptions[0]; return f }, "does not verify"},
		{"changed conditions", func(f *File) *File { f.Exceptions[1].Conditions = ""; return f }, "does not verify"},
		{"another issuer", func(f *File) *File { f.Issuer = "evil"; return f }, "does not verify"},
		{"signed by another key", func(f *File) *File { f.Sign(otherKey); return f }, "signed by another key"},
		{"re-signed by another key naming ours", func(f *File) *File { f.Sign(otherKey); f.KeyID = KeyID(trust); return f }, "does not verify"},
		{"forged signature", func(f *File) *File { f.Signature = "bm90IGEgc2lnbmF0dXJl"; return f }, "no valid signature"},
		{"no signature", func(f *File) *File { f.Signature = ""; return f }, "no valid signature"},
		{"a signature of zeros", func(f *File) *File { f.Signature = strings.Repeat("A", 86) + "=="; return f }, "does not verify"},
		{"another format", func(f *File) *File { f.Format = "paved-exceptions/v0"; return f }, "format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.change(signedFile(t, key))
			v, err := Verify(marshal(t, f), trust, testNow)
			if err == nil {
				t.Fatalf("Verify accepted it: %d valid", len(v.Valid))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			if code := paved.ErrorCode(err); code == paved.EINTERNAL {
				t.Fatalf("internal error: %v", err)
			}
		})
	}
	// Bytes that are not a file at all.
	for _, data := range []string{"", "{", "null", `{"format":"paved-exceptions/v1","extra":1}`, string(marshal(t, signedFile(t, key))) + "{}"} {
		if _, err := Verify([]byte(data), trust, testNow); err == nil {
			t.Errorf("Verify(%.30q) accepted it", data)
		}
	}
	if _, err := Verify(marshal(t, signedFile(t, key)), nil, testNow); err == nil {
		t.Error("Verify without a trusted key accepted the file")
	}
}

func TestParsePublicKey(t *testing.T) {
	pub := testKey(t).Public().(ed25519.PublicKey)
	s := FormatPublicKey(pub)
	if !strings.HasPrefix(s, KeyPrefix) {
		t.Fatalf("FormatPublicKey = %q", s)
	}
	for _, in := range []string{s, strings.TrimPrefix(s, KeyPrefix), " " + s + "\n"} {
		k, err := ParsePublicKey(in)
		if err != nil || !k.Equal(pub) {
			t.Errorf("ParsePublicKey(%q) = %v, %v", in, k, err)
		}
	}
	for _, in := range []string{"", "ed25519:", "ed25519:AAAA", "not base64!", KeyPrefix + strings.Repeat("A", 100)} {
		if _, err := ParsePublicKey(in); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("ParsePublicKey(%q) = %v, want invalid", in, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	key := testKey(f)
	f.Add(marshal(f, signedFile(f, key)))
	f.Add([]byte(`{"format":"paved-exceptions/v1","exceptions":[{"id":1,"value":{"a":[1,2,{"b":null}]}}],"signature":"AA=="}`))
	f.Add([]byte("{}"))
	trust := key.Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Verify(data, trust, testNow)
		if err != nil {
			if paved.ErrorCode(err) == paved.EINTERNAL {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		// Whatever verifies must have been signed by us: re-signing the
		// parsed file reproduces its signature (Ed25519 is deterministic).
		g := *v.File
		g.Exceptions = append([]FileException(nil), v.File.Exceptions...)
		sig := g.Signature
		g.Sign(key)
		if g.Signature != sig {
			t.Fatalf("a file verified whose signature we did not make")
		}
	})
}

func TestParsePrivateKey(t *testing.T) {
	key := testKey(t)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	good := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	k, err := ParsePrivateKey("key.pem", good)
	if err != nil || !k.Equal(key) {
		t.Fatalf("ParsePrivateKey = %v, %v", k, err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ = x509.MarshalPKCS8PrivateKey(ecKey)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not PEM":   []byte("hello"),
		"a cert":    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
		"garbage":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		"ECDSA key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	} {
		if _, err := ParsePrivateKey("key.pem", data); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}
