package web

import (
	"os"
	"testing"

	"github.com/paved-dev/paved/internal/identity/oidctest"
)

// TestMain lets the test binary serve as the OpenID provider of the single
// sign-on tests (oidctest.Start re-executes it).
func TestMain(m *testing.M) {
	oidctest.RunIfProvider()
	os.Exit(m.Run())
}
