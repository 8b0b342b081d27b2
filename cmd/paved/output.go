package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
)

// Output formats of -o.
const (
	formatText = "text"
	formatJSON = "json"
)

// addFormatFlag adds -o text|json to cmd.
func addFormatFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVarP(dst, "output", "o", formatText, "output format: text or json")
}

func checkFormat(f string) error {
	if f != formatText && f != formatJSON {
		return usagef("-o %q: want text or json", f)
	}
	return nil
}

// withBackend opens the backend, runs f and closes it.
func (a *app) withBackend(cmd *cobra.Command, f func(ctx context.Context, b backend) error) error {
	ctx := cmd.Context()
	b, err := a.open(ctx, cmd)
	if err != nil {
		return err
	}
	defer b.Close()
	return f(ctx, b)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listJSON is the JSON shape of every list, the same as the API's.
type listJSON[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

func newListJSON[T any](items []T, total int, p paved.Page) listJSON[T] {
	if items == nil {
		items = []T{}
	}
	return listJSON[T]{Items: items, Total: total, Offset: p.Offset, Limit: p.Limit}
}

// newTable returns a writer that aligns tab-separated columns.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
}

// row writes one table row. Cells are cleaned: catalog data comes from
// YAML files and API callers, and a tab, newline or terminal escape in a
// title must not break the table or the user's terminal.
func row(w io.Writer, cells ...string) {
	for i, c := range cells {
		cells[i] = clean(c)
	}
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

func clean(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// showing writes the "showing X-Y of N" line under a list.
func showing(w io.Writer, what string, n, total int, p paved.Page) {
	switch {
	case total == 0:
		fmt.Fprintf(w, "no %s match\n", what)
	case n == 0:
		fmt.Fprintf(w, "showing none of %d %s (offset %d is past the end)\n", total, what, p.Offset)
	default:
		fmt.Fprintf(w, "showing %d-%d of %d %s\n", p.Offset+1, p.Offset+n, total, what)
	}
}

// pageFlags adds --offset and --limit.
func pageFlags(cmd *cobra.Command, p *paved.Page) {
	cmd.Flags().IntVar(&p.Offset, "offset", 0, "skip this many results")
	cmd.Flags().IntVar(&p.Limit, "limit", paved.DefaultLimit, fmt.Sprintf("show at most this many results (up to %d)", paved.MaxLimit))
}

func checkPage(p paved.Page) error {
	if p.Offset < 0 {
		return usagef("--offset %d: want 0 or more", p.Offset)
	}
	if p.Limit < 1 || p.Limit > paved.MaxLimit {
		return usagef("--limit %d: want 1 to %d", p.Limit, paved.MaxLimit)
	}
	return nil
}

// flagError names the flag in a parse error from the domain.
func flagError(flag string, err error) error {
	code := paved.ErrorCode(err)
	if code == paved.EINTERNAL {
		code = paved.EINVALID
	}
	return paved.FieldErrorf(code, "--"+flag, "%s", paved.ErrorMessage(err))
}

func join(ss []string) string { return strings.Join(ss, ", ") }

func roles(rs []paved.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return join(s)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func timePtrText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return timeText(*t)
}

// parseLinks reads --link values: TYPE=URL or a bare URL.
func parseLinks(vals []string) ([]paved.Link, error) {
	links := make([]paved.Link, 0, len(vals))
	for _, v := range vals {
		typ, u, ok := strings.Cut(v, "=")
		if !ok || strings.Contains(typ, "/") {
			typ, u = "", v
		}
		u = strings.TrimSpace(u)
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, paved.FieldErrorf(paved.EINVALID, "--link", "link %q: want TYPE=URL (repo=https://...) or an http(s) URL", v)
		}
		links = append(links, paved.Link{URL: u, Type: strings.TrimSpace(typ), Title: strings.TrimSpace(typ)})
	}
	return links, nil
}
