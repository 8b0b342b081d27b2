package launch

import paved "github.com/paved-dev/paved"

// NewTestLibrary is a Library of the given templates (digests computed),
// for the external Service tests.
func NewTestLibrary(ts ...*paved.Template) *Library {
	l := &Library{current: map[paved.TemplateKind]*paved.Template{}}
	for _, t := range ts {
		t.Digest = templateDigest(t)
		l.current[t.Kind] = t
	}
	return l
}

// TestTemplates exports the small templates of the rule tests.
var TestTemplates = testTemplates
