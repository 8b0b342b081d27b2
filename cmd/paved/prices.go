package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/policy"
)

// paved prices: the price book (embedded, plus the platform config's
// pricebook.yaml) from the command line.

func (a *app) pricesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prices",
		Short: "Show the price book plan cost estimates use",
		Long: `The price book holds offline AWS on-demand prices (USD) with the source and
as-of date of every row; pricebook.yaml next to paved.yaml adds negotiated
discounts and rows for other regions and products. docs/cost.md describes both.`,
	}
	cmd.AddCommand(a.pricesShowCmd(), a.pricesValidateCmd())
	return cmd
}

func (a *app) pricesShowCmd() *cobra.Command {
	var region, output string
	cmd := &cobra.Command{
		Use:   "show TYPE",
		Short: "Print the prices of a resource type, product, family or service",
		Long: `Print the rows of the price book for TYPE: a Terraform resource type
(aws_db_instance: every price it uses), an instance type or class (m6i.large,
db.r6g.xlarge, cache.r6g.large), a family (m6i), a volume type or storage
class (gp3, STANDARD) or a price book service (ec2, rds, elb, lambda...).
Each row shows its source and as-of date, and the discount pricebook.yaml
applies to it.`,
		Example: `  paved prices show db.r6g.xlarge --region us-east-1
  paved prices show aws_nat_gateway
  paved prices show m6i -o json`,
		Args: cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output); err != nil {
				return err
			}
			book, cfgDir, err := a.loadPriceBook()
			if err != nil {
				return err
			}
			rows := book.Find(args[0], region)
			if len(rows) == 0 {
				return a.noPrices(book, args[0], region, cfgDir)
			}
			if output == formatJSON {
				return writeJSON(a.stdout, pricesJSON{PriceBook: book.Version, Currency: cost.Currency, Rows: rows})
			}
			return a.printPrices(book, rows)
		}),
	}
	cmd.Flags().StringVar(&region, "region", "", "only this region (us-east-1, eu-west-1...); default every region")
	addFormatFlag(cmd, &output)
	return cmd
}

func (a *app) pricesValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the platform config's pricebook.yaml",
		Long: `Read pricebook.yaml next to the paved.yaml of --config (or PAVED_CONFIG)
strictly, as paved check does, and say what it adds: for the platform
config repository's CI.`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if cfg.Source == "" {
				return usagef("no platform config: give --config DIR (or PAVED_CONFIG); pricebook.yaml is read next to its paved.yaml")
			}
			dir := filepath.Dir(cfg.Source)
			o, err := cost.LoadOverrides(dir)
			if err != nil {
				return err
			}
			if o == nil {
				fmt.Fprintf(a.stdout, "no %s in %s: the embedded price book applies as it is\n", cost.OverrideFileName, dir)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s: %d discount(s), %d row(s)\n", o.File, len(o.Discounts), len(o.Rows))
			return nil
		}),
	}
}

type pricesJSON struct {
	PriceBook string           `json:"price_book"`
	Currency  string           `json:"currency"`
	Rows      []*cost.PriceRow `json:"rows"`
}

// loadPriceBook returns the price book paved check would use and the
// config directory its overrides came from ("" without a config).
func (a *app) loadPriceBook() (*cost.PriceBook, string, error) {
	snap, err := a.snapshot()
	if err != nil {
		return nil, "", err
	}
	return snap.Prices, snap.Dir, nil
}

// noPrices explains an empty answer: the query matched nothing at all, or
// nothing in that region.
func (a *app) noPrices(book *cost.PriceBook, query, region, cfgDir string) error {
	where := "pricebook.yaml next to paved.yaml"
	if cfgDir != "" {
		where = filepath.Join(cfgDir, cost.OverrideFileName)
	}
	if region != "" {
		if others := book.Find(query, ""); len(others) > 0 {
			var regions []string
			for _, r := range others {
				if !slices.Contains(regions, r.Region) {
					regions = append(regions, r.Region)
				}
			}
			slices.Sort(regions)
			return paved.Errorf(paved.ENOTFOUND, "unpriced: no price for %s in region %s (the price book has it in %s); add rows to %s", query, region, strings.Join(regions, ", "), where)
		}
	}
	return paved.Errorf(paved.ENOTFOUND, "no prices for %q: give a Terraform resource type (aws_db_instance), a product (m6i.large, db.r6g.xlarge, gp3), a family (m6i) or a service (%s); add rows to %s", query, strings.Join(cost.Services, ", "), where)
}

func (a *app) printPrices(book *cost.PriceBook, rows []*cost.PriceRow) error {
	sizes := instanceSizes()
	fmt.Fprintf(a.stdout, "price book %s: %d row(s), %s\n", book.Version, len(rows), cost.Currency)
	tw := newTable(a.stdout)
	row(tw, "SERVICE", "PRODUCT", "OPTION", "REGION", "PRICE", "PER", "SIZE", "AS OF", "SOURCE")
	for _, r := range rows {
		price := "$" + r.USD.String()
		if r.Discount != nil {
			price += fmt.Sprintf(" (list $%s, -%s%%)", r.ListUSD, r.Discount.Percent)
		}
		size := ""
		if s, ok := sizes[r.Service+" "+r.Product]; ok {
			size = s
		}
		row(tw, r.Service, r.Product, dash(r.Option), r.Region, price, r.Unit, size, r.AsOf, r.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(book.Discounts()) > 0 {
		fmt.Fprintln(a.stdout, "Discounts from pricebook.yaml are applied in file order; the first that matches a row counts.")
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// instanceSizes reads vCPU and memory from the policy library's instance
// catalog, the one place sizes are kept: "ec2 m6i.large" -> "2 vCPU, 8 GiB".
func instanceSizes() map[string]string {
	out := map[string]string{}
	data, err := fs.ReadFile(policy.Library(), "data/instances.json")
	if err != nil {
		return out
	}
	var cat map[string]map[string]struct {
		VCPU      float64 `json:"vcpu"`
		MemoryGiB float64 `json:"memory_gib"`
	}
	if json.Unmarshal(data, &cat) != nil {
		return out
	}
	for kind, rows := range cat {
		for name, r := range rows {
			out[kind+" "+name] = fmt.Sprintf("%s vCPU, %s GiB", strconv.FormatFloat(r.VCPU, 'f', -1, 64), strconv.FormatFloat(r.MemoryGiB, 'f', -1, 64))
		}
	}
	return out
}
