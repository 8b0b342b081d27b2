package demo

import (
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
)

// testApp is the application services over st with the built-in defaults,
// as Seed takes them.
func testApp(t testing.TB, st paved.Store) *app.App {
	t.Helper()
	a, err := app.New(nil, st, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}
