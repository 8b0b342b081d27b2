package platform

import (
	"context"
	"errors"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestValidateIdentity: the teams named by server.oidc's group rules must
// be in the catalog, a role must be one paved knows, and an issuer that
// cannot be reached is a warning naming its line.
func TestValidateIdentity(t *testing.T) {
	dir := copyDir(t, "testdata/config")
	cfg := readFile(t, dir, "paved.yaml") + `
server:
  oidc:
    issuer: https://login.example.com/realms/acme
    client_id: paved
    redirect_url: https://paved.example.com/auth/oidc/callback
    groups:
      - {group: checkout-devs, team: checkout, role: developer}
      - {group: payments-devs, team: paymnets}
ci:
  trust:
    - issuer: https://token.actions.githubusercontent.com
      audience: paved
      repositories: ["acme/*"]
`
	writeFile(t, dir, "paved.yaml", cfg)
	cat := &Catalog{Source: "test", Teams: []*paved.Team{{Name: "checkout", Kind: paved.KindProduct}, {Name: "cloud", Kind: paved.KindCloud},
		{Name: "payments", Kind: paved.KindProduct}}}
	var asked []string
	down := func(_ context.Context, issuer string) error {
		asked = append(asked, issuer)
		if strings.Contains(issuer, "login.example.com") {
			return errors.New("dial tcp: lookup login.example.com: no such host")
		}
		return nil
	}
	rep := Validate(dir, ValidateOptions{Catalog: cat, Discover: down})
	var msgs []string
	for _, p := range rep.Problems {
		msgs = append(msgs, p.Severity+" "+p.Where()+" "+p.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`error ` + dir + `/paved.yaml:`,
		`group rule "payments-devs" names team "paymnets", which is not in the catalog (paved team list): did you mean "payments"?`,
		`warning ` + dir + `/paved.yaml:`,
		"the sign-in provider https://login.example.com/realms/acme cannot be reached from here (dial tcp: lookup login.example.com: no such host)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, `team "checkout", which`) {
		t.Errorf("an existing team reported:\n%s", all)
	}
	if len(asked) != 2 || strings.Contains(all, "token.actions.githubusercontent.com cannot") {
		t.Errorf("issuers asked %v", asked)
	}
	if rep.Valid {
		t.Error("a missing team validated")
	}

	// An unknown role is refused when paved.yaml is decoded.
	writeFile(t, dir, "paved.yaml", strings.Replace(cfg, "role: developer", "role: developr", 1))
	rep = Validate(dir, ValidateOptions{Discover: down})
	if rep.Valid || !strings.Contains(rep.Problems[0].Message, `unknown role "developr"`) {
		t.Errorf("unknown role: %+v", rep.Problems)
	}
}
