package paved

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// An audit anchor is the head of the audit log (its last sequence number
// and hash) signed with the server's Ed25519 key (the key that signs the
// offline exceptions export), kept outside the database: printed by
// `paved audit anchor`, appended to a file by `paved serve
// --audit-anchor-every`. `paved audit verify --anchor FILE` fails when the
// log no longer reaches the anchored head with the anchored hash, which
// catches what the chain alone cannot: a tail deleted, or the whole log
// rewritten, by someone with write access to the database.

// AuditAnchorFormat names the format and its version.
const AuditAnchorFormat = "paved-audit-anchor/v1"

// maxAnchorLine bounds one anchor (one line of an anchor file).
const maxAnchorLine = 4 << 10

// AuditAnchor is one signed head.
type AuditAnchor struct {
	Format    string    `json:"format"`
	Issuer    string    `json:"issuer"` // the organisation
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`    // first 16 hex digits of the SHA-256 of the public key
	Signature string    `json:"signature"` // base64 Ed25519 over Canonical
}

// Head is the anchored head.
func (a *AuditAnchor) Head() AuditHead { return AuditHead{Seq: a.Seq, Hash: a.Hash} }

// Canonical is the byte string the signature covers: one line per field,
// independent of JSON formatting.
func (a *AuditAnchor) Canonical() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "format %s\nissuer %s\nseq %d\nhash %s\nat %s\nkey_id %s\n",
		strconv.Quote(a.Format), strconv.Quote(a.Issuer), a.Seq, strconv.Quote(a.Hash),
		a.At.UTC().Format(time.RFC3339Nano), strconv.Quote(a.KeyID))
	return b.Bytes()
}

// String is the head as SEQ:HASH (the expect parameter of the API).
func (h AuditHead) String() string { return strconv.FormatInt(h.Seq, 10) + ":" + h.Hash }

// ParseAuditHead reads SEQ:HASH.
func ParseAuditHead(s string) (AuditHead, error) {
	a, b, ok := strings.Cut(s, ":")
	seq, err := strconv.ParseInt(a, 10, 64)
	if !ok || err != nil || seq < 1 || len(b) != 64 || strings.Trim(b, "0123456789abcdef") != "" {
		return AuditHead{}, fmt.Errorf("%q: want SEQ:HASH, a sequence number and a 64-digit hex hash", s)
	}
	return AuditHead{Seq: seq, Hash: b}, nil
}

// AnchorKeyID is the key id of a public key (the exceptions export's).
func AnchorKeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// SignAuditAnchor signs head for issuer at time at.
func SignAuditAnchor(key ed25519.PrivateKey, issuer string, head AuditHead, at time.Time) *AuditAnchor {
	a := &AuditAnchor{Format: AuditAnchorFormat, Issuer: issuer, Seq: head.Seq, Hash: head.Hash, At: at.UTC(),
		KeyID: AnchorKeyID(key.Public().(ed25519.PublicKey))}
	a.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, a.Canonical()))
	return a
}

// Verify checks the anchor's signature with pub.
func (a *AuditAnchor) Verify(pub ed25519.PublicKey) error {
	if a.Format != AuditAnchorFormat {
		return Errorf(EINVALID, "not an audit anchor: format %q, want %q", a.Format, AuditAnchorFormat)
	}
	sig, err := base64.StdEncoding.DecodeString(a.Signature)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, a.Canonical(), sig) {
		return Errorf(EINVALID, "the anchor of event %d is not signed by the key %s: it was altered, or signed by another server", a.Seq, AnchorKeyID(pub))
	}
	return nil
}

// ReadAuditAnchors reads an anchor file: one JSON anchor per line (as
// --audit-anchor-file appends them), or one anchor as a whole JSON
// document (as `paved audit anchor --out` writes it). Errors name
// name:line.
func ReadAuditAnchors(name string, r io.Reader) ([]*AuditAnchor, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, FieldErrorf(EINVALID, name, "cannot read: %v", err)
	}
	var one AuditAnchor
	if d := json.NewDecoder(bytes.NewReader(data)); d.Decode(&one) == nil && !d.More() && strings.Count(strings.TrimSpace(string(data)), "\n") > 0 {
		return []*AuditAnchor{&one}, nil
	}
	var out []*AuditAnchor
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, maxAnchorLine), maxAnchorLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var a AuditAnchor
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return nil, FieldErrorf(EINVALID, name+":"+strconv.Itoa(n), "not an audit anchor: %v", err)
		}
		out = append(out, &a)
	}
	if err := sc.Err(); err != nil {
		return nil, FieldErrorf(EINVALID, name+":"+strconv.Itoa(n+1), "a line longer than %d bytes: not an audit anchor file", maxAnchorLine)
	}
	if len(out) == 0 {
		return nil, FieldErrorf(EINVALID, name, "no audit anchor in the file")
	}
	return out, nil
}
