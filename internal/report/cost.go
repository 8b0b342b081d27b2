package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/paved-dev/paved/internal/cost"
)

// The plan's monthly cost in each format: text shows a summary and the
// largest changes, json the whole estimate (the `cost` object, documented
// in docs/cost.md), markdown a collapsed table, github one notice. SARIF
// and JUnit carry none: the cost guard rail's finding, when there is one,
// is in them like any finding.

const (
	// costTopText and costTopMarkdown bound the resources listed.
	costTopText     = 10
	costTopMarkdown = 25
	// costReasons bounds the unpriced reasons listed, costAddresses the
	// addresses shown per reason.
	costReasons   = 8
	costAddresses = 3
)

// hasCost reports whether the check has an estimate worth showing: some
// resource that costs something or could not be priced.
func (r *Result) hasCost() bool {
	c := r.Cost
	return c != nil && (len(c.Resources) > 0 || c.Unchanged.Resources > 0)
}

// signedUSD prints a change with its sign: "+$12.00", "-$3.50", "$0.00".
func signedUSD(m cost.Money) string {
	if m > 0 {
		return "+" + cost.FormatUSD(m)
	}
	return cost.FormatUSD(m)
}

func sideUSD(s *cost.Side) string {
	if s == nil {
		return "-"
	}
	return cost.FormatUSD(s.Monthly)
}

// costCounts says what the totals leave out, for the one-line summaries. A
// resource with a priced part counts as priced (its line in the table has
// a price), and the summary says how many of those are priced only in
// part (marked * in the table): a partly priced resource must not read
// as "0 priced" above its own priced line.
// mark is how the table marks such a resource ("" where there is no table).
func costCounts(c *cost.PlanCost, mark string) string {
	priced := len(c.Resources) - c.Unpriced + c.Partial
	first := fmt.Sprintf("%d changed resource(s) priced", priced)
	if c.Partial > 0 {
		if mark != "" {
			first += fmt.Sprintf(" (%d of them only in part, marked %s)", c.Partial, mark)
		} else {
			first += fmt.Sprintf(" (%d of them only in part)", c.Partial)
		}
	}
	parts := []string{first}
	if n := c.Unpriced - c.Partial; n > 0 {
		parts = append(parts, fmt.Sprintf("%d not priced", n))
	}
	if c.UsageBased > 0 {
		parts = append(parts, fmt.Sprintf("%d with usage-based costs not counted", c.UsageBased))
	}
	return strings.Join(parts, ", ")
}

func writeCostText(w *bufio.Writer, r *Result, color func(code, s string) string) {
	if !r.hasCost() {
		return
	}
	c := r.Cost
	fmt.Fprintf(w, "%s  (%s a month at %d hours, price book %s)\n", color(ansiBold, "Monthly cost"), c.Currency, c.HoursPerMonth, c.PriceBook)
	change := signedUSD(c.Change)
	switch {
	case c.Change > 0:
		change = color(ansiYellow, change)
	case c.Change < 0:
		change = color(ansiGreen, change)
	}
	fmt.Fprintf(w, "  before %s   after %s   change %s\n", cost.FormatUSD(c.Before), cost.FormatUSD(c.After), change)
	fmt.Fprintf(w, "  %s", costCounts(c, "*"))
	if c.Unchanged.Resources > 0 {
		fmt.Fprintf(w, "; %d unchanged resource(s) at %s are in both totals", c.Unchanged.Resources, cost.FormatUSD(c.Unchanged.Monthly))
	}
	fmt.Fprintln(w)
	if top := changed(c.TopChanges(costTopText)); len(top) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "  CHANGE\tBEFORE\tAFTER\t")
		for _, rc := range top {
			mark := ""
			if len(rc.UnpricedReasons()) > 0 {
				mark = " *"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t  %s (%s)%s\n", signedUSD(rc.Change), sideUSD(rc.Before), sideUSD(rc.After), rc.Address, rc.Action, mark)
		}
		tw.Flush()
		if n := len(changed(c.Resources)); n > len(top) {
			fmt.Fprintf(w, "  … %d more resource(s) with a change: paved check -o json lists them all\n", n-len(top))
		}
	}
	if groups := c.UnpricedByReason(); len(groups) > 0 {
		fmt.Fprintf(w, "\n  %s\n", color(ansiYellow, "Not priced (left out of the totals, not counted as zero):"))
		for i, g := range groups {
			if i == costReasons {
				fmt.Fprintf(w, "    … %d more reason(s)\n", len(groups)-i)
				break
			}
			fmt.Fprintf(w, "    %s: %s\n", addressList(g.Addresses), g.Reason)
		}
	}
	if usage := usageLines(c, costTopText); len(usage) > 0 {
		fmt.Fprintf(w, "\n  %s\n", "Depends on usage (not in the totals):")
		for _, l := range usage {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	fmt.Fprintln(w)
}

// changed keeps the resources whose priced cost moves: the others (a new
// bucket whose cost is all usage, an unpriced resource) are listed under
// their own headings.
func changed(rs []*cost.ResourceCost) []*cost.ResourceCost {
	var out []*cost.ResourceCost
	for _, r := range rs {
		if r.Change != 0 {
			out = append(out, r)
		}
	}
	return out
}

func addressList(as []string) string {
	if len(as) <= costAddresses {
		return strings.Join(as, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(as[:costAddresses], ", "), len(as)-costAddresses)
}

// usageLines describes the usage-based parts of at most n resources:
// "aws_nat_gateway.main: data processed $0.045/GB".
func usageLines(c *cost.PlanCost, n int) []string {
	var out []string
	count := 0
	for _, rc := range c.Resources {
		parts := rc.UsageParts()
		if len(parts) == 0 {
			continue
		}
		count++
		if len(out) == n {
			continue
		}
		var ps []string
		for _, u := range parts {
			if u.Unpriced != "" {
				ps = append(ps, u.Name+" (no price)")
				continue
			}
			ps = append(ps, fmt.Sprintf("%s $%s/%s", u.Name, u.USD, u.Unit))
		}
		out = append(out, rc.Address+": "+strings.Join(ps, ", "))
	}
	if count > len(out) {
		out = append(out, fmt.Sprintf("… %d more", count-len(out)))
	}
	return out
}

// markdownCost is the cost section of the pull-request comment: a summary
// line and a collapsed table.
func (r *Result) markdownCost() string {
	if !r.hasCost() {
		return ""
	}
	c := r.Cost
	var b strings.Builder
	fmt.Fprintf(&b, "💰 **Monthly cost: %s** (from %s to %s; %s; %s at %d hours a month, price book %s)\n\n",
		signedUSD(c.Change), cost.FormatUSD(c.Before), cost.FormatUSD(c.After), costCounts(c, "⚠️"), c.Currency, c.HoursPerMonth, mdEscape(c.PriceBook))
	top := changed(c.TopChanges(costTopMarkdown))
	if len(top) == 0 && c.Unpriced == 0 {
		return b.String()
	}
	fmt.Fprintf(&b, "<details><summary>Cost of the %d changed resource(s)</summary>\n\n", len(c.Resources))
	if len(top) > 0 {
		b.WriteString("| Resource | Action | Before | After | Change |\n|---|---|---:|---:|---:|\n")
		for _, rc := range top {
			name := "`" + mdEscape(rc.Address) + "`"
			if len(rc.UnpricedReasons()) > 0 {
				name += " ⚠️"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", name, rc.Action, sideUSD(rc.Before), sideUSD(rc.After), signedUSD(rc.Change))
		}
		if n := len(changed(c.Resources)); n > len(top) {
			fmt.Fprintf(&b, "\n… %d more: `paved check -o json` lists them all.\n", n-len(top))
		}
	}
	if groups := c.UnpricedByReason(); len(groups) > 0 {
		b.WriteString("\n⚠️ Not priced (left out of the totals):\n")
		for i, g := range groups {
			if i == costReasons {
				fmt.Fprintf(&b, "- … %d more reason(s)\n", len(groups)-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", mdEscape(addressList(g.Addresses)), mdEscape(g.Reason))
		}
	}
	if usage := usageLines(c, costTopText); len(usage) > 0 {
		b.WriteString("\nDepends on usage (not in the totals):\n")
		for _, l := range usage {
			b.WriteString("- " + mdEscape(l) + "\n")
		}
	}
	b.WriteString("\n</details>\n\n")
	return b.String()
}

// githubCost writes one notice with the plan's monthly change.
func githubCost(w io.Writer, r *Result) {
	if !r.hasCost() {
		return
	}
	c := r.Cost
	msg := fmt.Sprintf("Monthly cost change %s (from %s to %s; %s)", signedUSD(c.Change), cost.FormatUSD(c.Before), cost.FormatUSD(c.After), costCounts(c, ""))
	fmt.Fprintf(w, "::notice title=paved cost::%s\n", escapeData(msg))
}
