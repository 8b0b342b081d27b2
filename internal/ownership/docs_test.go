package ownership

import (
	"fmt"
	"os"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestDocsInStep holds docs/ownership.md to the embedded default map and
// tables: every concern's row, and every type's coverage row.
func TestDocsInStep(t *testing.T) {
	b, err := os.ReadFile("../../docs/ownership.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range MustDefault().Concerns() {
		row := fmt.Sprintf("| `%s` | %s | %s | %s | %s | %s |", c.ID, c.Title, c.Owner, c.Accountable, strings.Join(c.Consulted, ", "), strings.Join(c.Informed, ", "))
		if !strings.Contains(doc, row) {
			t.Errorf("docs/ownership.md lacks the default map's row\n%s", row)
		}
	}
	ab := map[paved.Coverage]string{paved.CoverVendor: "V", paved.CoverVendorOnceEnabled: "E", paved.CoverTeam: "T", paved.CoverNotApplicable: "–"}
	ts, _ := Tables()
	for _, tb := range ts {
		cells := []string{"`" + tb.Type + "`"}
		for _, r := range tb.Rows {
			cells = append(cells, ab[r.CoveredBy])
		}
		row := "| " + strings.Join(cells, " | ") + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/ownership.md lacks the coverage row\n%s", row)
		}
	}
}
