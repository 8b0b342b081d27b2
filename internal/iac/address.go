package iac

import (
	"strings"
)

// tfAddress is a parsed Terraform resource instance address such as
// module.a["x"].module.b[0].data.aws_iam_policy_document.p["k"].
type tfAddress struct {
	Modules []string // module call names, outer first, instance keys dropped
	Mode    string   // "managed" or "data"
	Type    string
	Name    string
	Key     string // the instance key as written ("0", `"k"`), "" without one
}

// configPath is the module path without instance keys, the way a module's
// configuration is addressed: "module.a.module.b" ("" for the root).
func (a tfAddress) configPath() string {
	if len(a.Modules) == 0 {
		return ""
	}
	return "module." + strings.Join(a.Modules, ".module.")
}

// relAddress is the resource's address within its module, without key:
// aws_x.y or data.aws_x.y.
func (a tfAddress) relAddress() string {
	if a.Mode == "data" {
		return "data." + a.Type + "." + a.Name
	}
	return a.Type + "." + a.Name
}

// splitAddress splits an address on the dots that are outside brackets and
// quoted keys; for_each keys may contain dots, brackets and escaped quotes.
func splitAddress(addr string) []string {
	var parts []string
	depth, inStr, esc, start := 0, false, false, 0
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[':
			depth++
		case c == ']':
			if depth > 0 {
				depth--
			}
		case c == '.' && depth == 0:
			parts = append(parts, addr[start:i])
			start = i + 1
		}
	}
	return append(parts, addr[start:])
}

// cutKey splits "name[key]" into name and key.
func cutKey(seg string) (name, key string) {
	if i := strings.IndexByte(seg, '['); i >= 0 && strings.HasSuffix(seg, "]") {
		return seg[:i], seg[i+1 : len(seg)-1]
	}
	return seg, ""
}

// deposedMarker separates a resource address from the key of a deposed
// object of it: aws_db_instance.main (deposed object 8f3a1c2d).
const deposedMarker = " (deposed object "

// parseAddress parses a resource (instance) address or a module path. It
// never fails: what it cannot make sense of ends up in Type/Name, so a
// lookup simply finds nothing.
func parseAddress(addr string) tfAddress {
	var a tfAddress
	addr, _, _ = strings.Cut(addr, deposedMarker)
	parts := splitAddress(addr)
	i := 0
	for i+1 < len(parts) && parts[i] == "module" {
		name, _ := cutKey(parts[i+1])
		a.Modules = append(a.Modules, name)
		i += 2
	}
	a.Mode = "managed"
	if i < len(parts) && parts[i] == "data" && i+2 < len(parts) {
		a.Mode = "data"
		i++
	}
	if i < len(parts) {
		a.Type = parts[i]
		i++
	}
	if i < len(parts) {
		a.Name, a.Key = cutKey(strings.Join(parts[i:], "."))
	}
	return a
}

// modulePath parses a module address such as module.a[0].module.b into
// call names without keys.
func modulePath(addr string) []string {
	if addr == "" {
		return nil
	}
	parts := splitAddress(addr)
	var mods []string
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i] != "module" {
			break
		}
		name, _ := cutKey(parts[i+1])
		mods = append(mods, name)
	}
	return mods
}
