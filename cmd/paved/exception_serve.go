package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/paved-dev/paved/internal/demo"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/notify"
)

// expiringEvery is how often paved serve looks for exceptions close to
// their expiry; each is announced once (exception.expiring).
const expiringEvery = time.Hour

// exceptionExpiringJob announces the approved exceptions within
// exceptions.expiring_notice of their expiry, once each.
func exceptionExpiringJob(svc *exception.Service, log *slog.Logger) notify.Job {
	return notify.Job{
		Name:  "exceptions.expiring",
		Every: expiringEvery,
		Run: func(ctx context.Context) error {
			n, err := svc.NotifyExpiring(ctx)
			if n > 0 {
				log.Info("exceptions close to expiry announced", "count", n)
			}
			return err
		},
	}
}

// printDemoExceptions points at the demo's exceptions (journey 4).
func printDemoExceptions(w io.Writer) {
	names := make([]string, 0, len(demo.ExceptionStories))
	for n := range demo.ExceptionStories {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "Exceptions to look at (the queue at /exceptions, or paved exception list --status all):\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "    %s\t%s\n", n, demo.ExceptionStories[n])
	}
	tw.Flush()
	fmt.Fprintln(w)
}
