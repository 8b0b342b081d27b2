package exception

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// The offline export: `paved exception export` writes the approved,
// unexpired exceptions as a file signed with the server's Ed25519 key, and
// `paved check --exceptions FILE --trust KEY` honours it without a server.
//
// The signature covers a canonical serialisation of every field of the
// file but the signature itself (Canonical): one line per field, strings
// quoted with strconv.Quote, times in RFC 3339 UTC, exceptions in id order.
// It does not depend on JSON formatting, key order or whitespace, so the
// file may be pretty-printed or re-indented; any change to a value breaks
// it.

// FileFormat names the file format and its version.
const FileFormat = "paved-exceptions/v1"

// KeyPrefix starts a public key as `paved exception key` prints it.
const KeyPrefix = "ed25519:"

// maxFileBytes bounds an exceptions file read by paved check.
const maxFileBytes = 32 << 20

// File is a signed exceptions export.
type File struct {
	Format      string    `json:"format"`
	Issuer      string    `json:"issuer"`            // the organisation
	Service     string    `json:"service,omitempty"` // set when the export was for one service
	GeneratedAt time.Time `json:"generated_at"`
	// KeyID is the first 16 hex digits of the SHA-256 of the public key,
	// so that a file signed by another key says so.
	KeyID      string          `json:"key_id"`
	Exceptions []FileException `json:"exceptions"`
	Signature  string          `json:"signature"` // base64 Ed25519 over Canonical
}

// FileException is one approved exception in a file: the binding, the
// expiry and who approved it.
type FileException struct {
	ID          int64     `json:"id"`
	Service     string    `json:"service"`
	Rule        string    `json:"rule"`
	Resource    string    `json:"resource"`
	Fingerprint string    `json:"fingerprint"`
	Path        string    `json:"path,omitempty"`
	Value       any       `json:"value,omitempty"`
	ExpiresAt   time.Time `json:"expires_at"`
	DecidedBy   string    `json:"decided_by"`
	Conditions  string    `json:"conditions,omitempty"`
}

// Exception turns a file entry back into an approved exception, for
// paved.CoverFindings.
func (fe FileException) Exception() *paved.Exception {
	return &paved.Exception{ID: fe.ID, Service: fe.Service, Rule: fe.Rule, Resource: fe.Resource, Fingerprint: fe.Fingerprint,
		Path: fe.Path, Value: fe.Value, Status: paved.ExceptionApproved, ExpiresAt: fe.ExpiresAt, DecidedBy: fe.DecidedBy,
		Conditions: fe.Conditions}
}

// KeyID returns the key id of a public key.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// FormatPublicKey writes a public key as `paved exception key` prints it.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return KeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a public key: ed25519:BASE64, or the base64 alone.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	v := strings.TrimSpace(s)
	v = strings.TrimPrefix(v, KeyPrefix)
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, paved.FieldErrorf(paved.EINVALID, "--trust", "%q is not an Ed25519 public key: want ed25519:BASE64 as `paved exception key` prints it", abbreviate(s))
	}
	return ed25519.PublicKey(b), nil
}

// LoadTrust reads --trust: a key, or a file holding one.
func LoadTrust(s string) (ed25519.PublicKey, error) {
	if k, err := ParsePublicKey(s); err == nil {
		return k, nil
	}
	if st, err := os.Stat(s); err == nil && st.Mode().IsRegular() && st.Size() < 4096 {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "--trust", "%v", err)
		}
		return ParsePublicKey(string(b))
	}
	return ParsePublicKey(s)
}

func abbreviate(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}

// canonicalValue is the value's JSON as it reads back (numbers as
// float64, map keys sorted by encoding/json).
func canonicalValue(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	var back any
	if json.Unmarshal(b, &back) != nil {
		return "null"
	}
	b, _ = json.Marshal(back)
	return string(b)
}

// Canonical is the byte string the signature covers.
func (f *File) Canonical() []byte {
	var b bytes.Buffer
	line := func(k string, vs ...string) {
		b.WriteString(k)
		for _, v := range vs {
			b.WriteByte(' ')
			b.WriteString(v)
		}
		b.WriteByte('\n')
	}
	q := strconv.Quote
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	line("format", q(f.Format))
	line("issuer", q(f.Issuer))
	line("service", q(f.Service))
	line("generated_at", ts(f.GeneratedAt))
	line("key_id", q(f.KeyID))
	line("exceptions", strconv.Itoa(len(f.Exceptions)))
	for _, e := range f.Exceptions {
		line("exception", strconv.FormatInt(e.ID, 10), q(e.Service), q(e.Rule), q(e.Resource), q(e.Fingerprint), q(e.Path),
			q(canonicalValue(e.Value)), ts(e.ExpiresAt), q(e.DecidedBy), q(e.Conditions))
	}
	return b.Bytes()
}

// Sign fills KeyID and Signature.
func (f *File) Sign(key ed25519.PrivateKey) {
	slices.SortFunc(f.Exceptions, func(a, b FileException) int { return cmp.Compare(a.ID, b.ID) })
	f.KeyID = KeyID(key.Public().(ed25519.PublicKey))
	f.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, f.Canonical()))
}

// signingKey returns the configured key, or the store's.
func (s *Service) signingKey(ctx context.Context) (ed25519.PrivateKey, error) {
	if s.Key != nil {
		return s.Key, nil
	}
	b, err := s.Store.ExceptionKey(ctx)
	if err != nil {
		return nil, err
	}
	return ed25519.PrivateKey(b), nil
}

// PublicKey returns the public key exports are signed with, as
// `paved exception key` prints it.
func (s *Service) PublicKey(ctx context.Context) (string, error) {
	k, err := s.signingKey(ctx)
	if err != nil {
		return "", err
	}
	return FormatPublicKey(k.Public().(ed25519.PublicKey)), nil
}

// Export returns the approved, unexpired exceptions (of one service, or
// all) as a signed file.
func (s *Service) Export(ctx context.Context, service string) (*File, error) {
	key, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	if service != "" {
		if _, err := s.Store.FindService(ctx, service); err != nil {
			return nil, err
		}
	}
	now := s.now()
	f := &File{Format: FileFormat, Issuer: s.Organisation, Service: service, GeneratedAt: now, Exceptions: []FileException{}}
	filter := paved.ExceptionFilter{Service: service, Status: paved.ExceptionApproved, Page: paved.Page{Limit: paved.MaxLimit}}
	for {
		es, total, err := s.Store.FindExceptions(ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if !e.Valid(now) {
				continue
			}
			f.Exceptions = append(f.Exceptions, FileException{ID: e.ID, Service: e.Service, Rule: e.Rule, Resource: e.Resource,
				Fingerprint: e.Fingerprint, Path: e.Path, Value: e.Value, ExpiresAt: e.ExpiresAt, DecidedBy: e.DecidedBy,
				Conditions: e.Conditions})
		}
		filter.Page.Offset += len(es)
		if len(es) == 0 || filter.Page.Offset >= total {
			break
		}
	}
	f.Sign(key)
	return f, nil
}

// Verified is an exceptions file whose signature holds, with the
// exceptions valid at the time of the check and warnings about the rest.
type Verified struct {
	File     *File
	Valid    []*paved.Exception // approved and unexpired: these may cover findings
	Warnings []string           // expired entries, an old file
}

// ParseFile decodes an exceptions file strictly (unknown fields are an
// error), without verifying it.
func ParseFile(data []byte) (*File, error) {
	if len(data) > maxFileBytes {
		return nil, paved.Errorf(paved.ETOOLARGE, "the exceptions file is %d bytes: at most %d are read", len(data), maxFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "the exceptions file is not valid: %v (write it with paved exception export)", err)
	}
	if dec.More() {
		return nil, paved.Errorf(paved.EINVALID, "the exceptions file has data after its JSON object")
	}
	if f.Format != FileFormat {
		return nil, paved.Errorf(paved.EINVALID, "the exceptions file has format %q: want %q (write it with paved exception export)", f.Format, FileFormat)
	}
	return &f, nil
}

// Verify checks an exceptions file against the trusted public key at now.
// A file signed by another key, or altered after signing, is refused as a
// whole; expired entries are kept out of Valid with a warning.
func Verify(data []byte, trust ed25519.PublicKey, now time.Time) (*Verified, error) {
	if len(trust) != ed25519.PublicKeySize {
		return nil, paved.FieldErrorf(paved.EINVALID, "--trust", "no Ed25519 public key to verify the exceptions file with: give --trust ed25519:... (paved exception key prints it)")
	}
	f, err := ParseFile(data)
	if err != nil {
		return nil, err
	}
	sig, err := base64.StdEncoding.DecodeString(f.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "the exceptions file has no valid signature: it covers nothing (export it again with paved exception export)")
	}
	if want := KeyID(trust); f.KeyID != want {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "the exceptions file names signing key %s but --trust is key %s: it was signed by another key (or altered) and covers nothing", f.KeyID, want)
	}
	if !ed25519.Verify(trust, f.Canonical(), sig) {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "the exceptions file's signature does not verify with the trusted key: it was altered after export (or forged) and covers nothing")
	}
	v := &Verified{File: f}
	for _, fe := range f.Exceptions {
		e := fe.Exception()
		if !e.Valid(now) {
			v.Warnings = append(v.Warnings, fmt.Sprintf("exception #%d (%s on %s of %s) expired on %s: it covers nothing",
				fe.ID, fe.Rule, fe.Resource, fe.Service, fe.ExpiresAt.UTC().Format(time.DateOnly)))
			continue
		}
		v.Valid = append(v.Valid, e)
	}
	if f.GeneratedAt.After(now.Add(5 * time.Minute)) {
		v.Warnings = append(v.Warnings, fmt.Sprintf("the exceptions file was generated in the future (%s): check the clocks", f.GeneratedAt.UTC().Format(time.RFC3339)))
	}
	return v, nil
}

// OfflineCoverage is the coverage of findings by a verified file: a
// revoked exception stays in a file until it is exported again, so files
// should be short-lived (export in the pipeline, or daily).
func OfflineCoverage(v *Verified, service string, findings []paved.Finding, now time.Time) *paved.ExceptionCoverage {
	var es []*paved.Exception
	if v != nil {
		es = v.Valid
	}
	return paved.NewExceptionCoverage(0, service, paved.CoverFindings(service, findings, es, now))
}

// LoadPrivateKey reads the signing key of exceptions.key_file: an Ed25519
// private key in PKCS#8 PEM ("PRIVATE KEY"), as `openssl genpkey
// -algorithm ed25519` writes it.
func LoadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "exceptions.key_file", "%v", err)
	}
	return ParsePrivateKey(path, b)
}

// ParsePrivateKey reads an Ed25519 private key in PKCS#8 PEM; name is for
// the error.
func ParsePrivateKey(name string, data []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "not a PEM private key: want PKCS#8 (openssl genpkey -algorithm ed25519 -out key.pem)")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "the private key cannot be read: %v", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "the key is a %T: exports are signed with Ed25519 (openssl genpkey -algorithm ed25519)", k)
	}
	return ek, nil
}

// AnchorAuditLog verifies the audit log of st and signs its head with the
// key that signs exports (paved.AuditAnchor). A log that does not verify
// is not anchored: an anchor would vouch for its damage.
func (s *Service) AnchorAuditLog(ctx context.Context, st paved.AuditStore) (*paved.AuditAnchor, error) {
	v, _, err := paved.VerifyAuditLog(ctx, st)
	if err != nil {
		return nil, err
	}
	if p := v.Problems(); len(p) > 0 {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "the audit log does not verify (event %d: %s): run paved audit verify; an anchor is signed only for an intact log", p[0].Seq, p[0].Problem)
	}
	if v.Head().Seq == 0 {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "the audit log is empty: there is no head to anchor yet")
	}
	key, err := s.signingKey(ctx)
	if err != nil {
		return nil, err
	}
	return paved.SignAuditAnchor(key, s.Organisation, v.Head(), s.now()), nil
}
