package web

import (
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/platform"
)

// testApp is the application services over st as paved serve builds them
// from snap (nil: the built-in defaults, nothing compiled), on the clock
// now (nil: time.Now).
func testApp(t testing.TB, snap *platform.Snapshot, st paved.Store, now func() time.Time) *app.App {
	t.Helper()
	a, err := app.New(snap, st, app.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// acmeSnapshot is the built-in config of the organisation Acme Corp,
// loaded once for the portal tests (a snapshot never changes).
var acmeSnapshot = sync.OnceValues(func() (*platform.Snapshot, error) {
	return platform.Load("", platform.Options{Adjust: func(c *config.Config) error {
		c.Organisation.Name = "Acme Corp"
		return nil
	}})
})

// acmeApp is testApp with acmeSnapshot.
func acmeApp(t testing.TB, st paved.Store) *app.App {
	t.Helper()
	snap, err := acmeSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	return testApp(t, snap, st, nil)
}
