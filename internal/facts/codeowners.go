package facts

import (
	"regexp"
	"strings"
)

// CodeOwners returns the owners a CODEOWNERS file gives file (a path in
// the repository): the last matching rule wins, as on GitHub and GitLab.
// Patterns follow gitignore: a leading / anchors at the root, a trailing /
// matches a directory and everything below, * stays within a path part
// and ** crosses them; a pattern without a slash matches at any depth.
// GitLab's [Section] headers are skipped.
func CodeOwners(text, file string) []string {
	var owners []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if line == "" || line[0] == '#' || line[0] == '[' || line[0] == '^' {
			continue
		}
		f := strings.Fields(line)
		if codeownersMatch(f[0], file) {
			owners = f[1:]
		}
	}
	if owners == nil {
		return []string{}
	}
	return owners
}

func codeownersMatch(pattern, file string) bool {
	file = strings.TrimPrefix(file, "/")
	anchored := strings.HasPrefix(pattern, "/") || strings.Contains(strings.TrimSuffix(pattern, "/"), "/")
	pattern = strings.TrimPrefix(pattern, "/")
	dir := strings.HasSuffix(pattern, "/")
	pattern = strings.TrimSuffix(pattern, "/")
	var b strings.Builder
	if !anchored {
		b.WriteString(`^(?:.*/)?`)
	} else {
		b.WriteString(`^`)
	}
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(`.*`)
			i++
		case c == '*':
			b.WriteString(`[^/]*`)
		case c == '?':
			b.WriteString(`[^/]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if dir {
		b.WriteString(`/.*$`)
	} else {
		b.WriteString(`(?:/.*)?$`) // a name matches a file, or a directory and what is below
	}
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(file)
}
