package iac

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/paved-dev/paved"
)

// decodeText returns the input as UTF-8 without a byte-order mark.
//
// UTF-16 matters in practice: Windows PowerShell's `>` redirection writes
// UTF-16LE with a BOM, so `terraform show -json plan > plan.json` there gives a
// file that looks binary to a naive reader. Without a BOM, UTF-16 cannot be
// told from binary reliably, so NUL bytes or invalid UTF-8 are refused with a
// message that says how to fix it.
func decodeText(name string, data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return nil, paved.FieldErrorf(paved.EINVALID, name, "file is UTF-32 encoded, which is not supported: save it as UTF-8")
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(name, data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(name, data[2:], true)
	}
	if err := checkBinary(name, data); err != nil {
		return nil, err
	}
	return data, nil
}

func checkBinary(name string, data []byte) error {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		// terraform plan -out writes a zip archive.
		return paved.FieldErrorf(paved.EINVALID, name, "binary file: this looks like a saved Terraform plan (a zip archive): convert it with terraform show -json PLANFILE > plan.json")
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		return paved.FieldErrorf(paved.EINVALID, name, "binary file: this is gzip-compressed: decompress it first")
	}
	nul := bytes.IndexByte(data, 0)
	if nul >= 0 {
		if looksUTF16(data) {
			return paved.FieldErrorf(paved.EINVALID, name, "binary file: this looks like UTF-16 text without a byte-order mark: save it as UTF-8 (or UTF-16 with a byte-order mark)")
		}
		return paved.FieldErrorf(paved.EINVALID, name, "binary file: it contains NUL bytes (at byte %d); expected a Terraform plan in JSON or Kubernetes manifests in YAML or JSON", nul)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		l, c := position(data, int64(off))
		return paved.FieldErrorf(paved.EINVALID, name, "binary file: invalid UTF-8 at line %d, column %d; save the file as UTF-8", l, c)
	}
	return nil
}

// looksUTF16 guesses BOM-less UTF-16 of mostly-ASCII text: every other byte NUL.
func looksUTF16(data []byte) bool {
	n := min(len(data), 512) &^ 1
	if n < 4 {
		return false
	}
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if data[i] == 0 {
			even++
		}
		if data[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	return (even > half*9/10 && odd == 0) || (odd > half*9/10 && even == 0)
}

func decodeUTF16(name string, data []byte, bigEndian bool) ([]byte, error) {
	if len(data)%2 != 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, name, "invalid UTF-16: odd number of bytes; the file looks truncated")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	runes := utf16.Decode(units)
	out := make([]byte, 0, len(runes)+len(runes)/8)
	for _, r := range runes {
		if r == 0 {
			return nil, paved.FieldErrorf(paved.EINVALID, name, "binary file: UTF-16 text containing NUL characters")
		}
		out = utf8.AppendRune(out, r)
	}
	// A second BOM (PowerShell appending to a file) is dropped.
	out = bytes.TrimPrefix(out, []byte{0xEF, 0xBB, 0xBF})
	return out, nil
}
