package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/demo"
	"github.com/paved-dev/paved/internal/notify"
)

// costAlertsEvery is how often paved serve runs the budget, forecast,
// spike and burn-rate rules, besides after every ingest: billing data
// arrives in pieces through the day, and an hour is short enough to catch
// a playground account burning money on a Saturday.
const costAlertsEvery = time.Hour

// costAlertsJob evaluates the alert rules on the month of the latest
// billing data. It is idempotent: the store raises each alert once.
func costAlertsJob(spend *cost.Spend, log *slog.Logger) notify.Job {
	return notify.Job{
		Name:  "cost.alerts",
		Every: costAlertsEvery,
		Run: func(ctx context.Context) error {
			ev, err := spend.Evaluate(ctx)
			if err != nil {
				return err
			}
			if len(ev.Raised) > 0 {
				log.Info("cost alerts raised", "count", len(ev.Raised), "month", ev.Month)
			}
			return nil
		},
	}
}

// printDemoSpend points at the demo's spend (journey 5).
func printDemoSpend(w io.Writer) {
	fmt.Fprintf(w, "Spend to look at (or paved cost report, paved cost alerts):\n\n")
	for _, s := range demo.SpendStories {
		fmt.Fprintf(w, "    %s\n", s)
	}
	fmt.Fprintln(w)
}
