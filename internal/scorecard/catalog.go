package scorecard

import (
	"fmt"
	"slices"
	"strings"

	paved "github.com/paved-dev/paved"
)

// CatalogFields are the fields a catalog rule may name; links.TYPE and
// annotations.KEY name one link type or annotation.
var CatalogFields = []string{"title", "description", "system", "type", "lifecycle", "tags", "links",
	"depends_on", "provides_apis", "consumes_apis", "links.TYPE", "annotations.KEY"}

func checkField(f string) error {
	switch {
	case strings.HasPrefix(f, "links.") && len(f) > len("links."):
		return nil
	case strings.HasPrefix(f, "annotations.") && len(f) > len("annotations."):
		return nil
	case slices.Contains(CatalogFields, f) && !strings.Contains(f, "."):
		return nil
	}
	return fmt.Errorf("unknown catalog field %q: expected one of %s", f, strings.Join(CatalogFields, ", "))
}

// catalogField passes when the field is present (not empty) or, with
// equals, holds that value (for a list: contains it).
func catalogField(field, equals string, svc *paved.Service) (bool, string) {
	if svc == nil {
		return false, "the service is unknown"
	}
	var vals []string
	switch {
	case strings.HasPrefix(field, "links."):
		typ := strings.TrimPrefix(field, "links.")
		for _, l := range svc.Links {
			if strings.EqualFold(strings.TrimSpace(l.Type), typ) || (l.Title != "" && strings.Contains(strings.ToLower(l.Title), strings.ToLower(typ))) {
				vals = append(vals, l.URL)
			}
		}
	case strings.HasPrefix(field, "annotations."):
		if v := strings.TrimSpace(svc.Annotations[strings.TrimPrefix(field, "annotations.")]); v != "" {
			vals = []string{v}
		}
	default:
		one := map[string]string{"title": svc.Title, "description": svc.Description, "system": svc.System,
			"type": svc.Type, "lifecycle": svc.Lifecycle}
		if v, ok := one[field]; ok {
			if v = strings.TrimSpace(v); v != "" {
				vals = []string{v}
			}
			break
		}
		switch field {
		case "tags":
			vals = svc.Tags
		case "links":
			for _, l := range svc.Links {
				vals = append(vals, l.URL)
			}
		case "depends_on":
			vals = svc.DependsOn
		case "provides_apis":
			vals = svc.ProvidesAPIs
		case "consumes_apis":
			vals = svc.ConsumesAPIs
		}
	}
	if equals != "" {
		if slices.Contains(vals, equals) {
			return true, fmt.Sprintf("catalog %s is %s", field, equals)
		}
		return false, fmt.Sprintf("catalog %s is not %s: set it in the service's catalog-info.yaml", field, equals)
	}
	if len(vals) > 0 {
		return true, fmt.Sprintf("catalog %s: %s", field, strings.Join(first(vals, 3), ", "))
	}
	return false, fmt.Sprintf("catalog %s is empty: set it in the service's catalog-info.yaml", field)
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
