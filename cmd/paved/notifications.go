package main

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/notify"
)

// newJobRunner builds the job runner of paved serve: the webhook targets of
// paved.yaml with their secrets (read now, so a missing secret fails the
// start), and the store's job table.
func (a *app) newJobRunner(cfg *config.Config, st paved.JobStore, log *slog.Logger) (*notify.Runner, error) {
	targets, err := cfg.Notifications.Targets(a.getenv, os.ReadFile)
	if err != nil {
		return nil, err
	}
	o := cfg.Notifications.Options()
	o.Store, o.Targets, o.PublicURL, o.Logger = st, targets, cfg.Server.PublicURL, log
	o.UserAgent = "paved/" + buildInfo().Version
	if len(targets) > 0 && cfg.Server.PublicURL == "" {
		log.Warn("server.public_url is not set: notification links are portal paths, not URLs")
	}
	names := make([]string, len(targets))
	for i, t := range targets {
		names[i] = t.String()
	}
	if len(targets) > 0 {
		log.Info("webhooks", "targets", strings.Join(names, ", "))
	}
	return notify.New(o)
}

func (a *app) notificationsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notifications",
		Short: "Read the notifications outbox and the webhook delivery log (admins)",
		Long: `Notifications are the events paved announces to the webhooks of paved.yaml
(notifications.webhooks): exception requested, decided or expiring, walkthrough
sign-off requested, budget alerts, cost spikes. Each notification becomes one
delivery per matching webhook, retried with backoff until it is delivered or
given up. See docs/notifications.md.`,
	}
	cmd.AddCommand(a.notificationsList(), a.notificationsDeliveries())
	return cmd
}

func (a *app) notificationsList() *cobra.Command {
	var (
		f paved.NotificationFilter
		o string
	)
	cmd := &cobra.Command{
		Use:   "list [--kind KIND] [--service NAME] [--team NAME]",
		Short: "List notifications, newest first",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Kind, "kind", "", "only this kind: "+strings.Join(paved.NotificationKinds, ", "))
	fl.StringVar(&f.Service, "service", "", "only notifications about this service")
	fl.StringVar(&f.Team, "team", "", "only notifications about this team")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		if f.Kind != "" && !paved.ValidNotificationKind(f.Kind) {
			return usagef("--kind %q: want one of %s", f.Kind, strings.Join(paved.NotificationKinds, ", "))
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ns, total, err := b.FindNotifications(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(ns, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "ID", "TIME", "KIND", "SERVICE", "TEAM", "SUBJECT")
			for _, n := range ns {
				row(tw, strconv.FormatInt(n.ID, 10), timeText(n.CreatedAt), n.Kind, n.Service, n.Team, n.Subject)
			}
			tw.Flush()
			showing(a.stdout, "notifications", len(ns), total, f.Page)
			return nil
		})
	})
	return cmd
}

func (a *app) notificationsDeliveries() *cobra.Command {
	var (
		f      paved.DeliveryFilter
		status string
		failed bool
		o      string
	)
	cmd := &cobra.Command{
		Use:   "deliveries [--failed | --status STATUS] [--target NAME] [--notification ID]",
		Short: "List webhook deliveries with their last attempt, newest first",
		Args:  cobra.NoArgs,
	}
	fl := cmd.Flags()
	fl.BoolVar(&failed, "failed", false, "only deliveries given up after the last attempt (same as --status failed)")
	fl.StringVar(&status, "status", "", "only deliveries in this status: pending, delivered or failed")
	fl.StringVar(&f.Target, "target", "", "only deliveries to this webhook (its name in paved.yaml)")
	fl.Int64Var(&f.NotificationID, "notification", 0, "only deliveries of this notification")
	pageFlags(cmd, &f.Page)
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if err := checkPage(f.Page); err != nil {
			return err
		}
		switch {
		case failed && status != "" && !strings.EqualFold(status, string(paved.DeliveryFailed)):
			return usagef("--failed and --status %s contradict each other: give one", status)
		case failed:
			f.Status = paved.DeliveryFailed
		case status != "":
			s, err := paved.ParseDeliveryStatus(status)
			if err != nil {
				return flagError("--status", err)
			}
			f.Status = s
		}
		if f.NotificationID < 0 {
			return usagef("--notification %d: want a notification id", f.NotificationID)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ds, total, err := b.FindDeliveries(ctx, f)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(ds, total, f.Page))
			}
			tw := newTable(a.stdout)
			row(tw, "ID", "NOTIFICATION", "KIND", "TARGET", "STATUS", "ATTEMPTS", "LAST ANSWER", "NEXT / DONE")
			for _, d := range ds {
				row(tw, strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.NotificationID, 10), d.Kind, d.Target,
					string(d.Status), strconv.Itoa(d.Attempts), lastAnswer(d), deliveryWhen(d))
			}
			tw.Flush()
			showing(a.stdout, "deliveries", len(ds), total, f.Page)
			return nil
		})
	})
	return cmd
}

// lastAnswer is the last attempt's outcome: the status code and the error.
func lastAnswer(d *paved.Delivery) string {
	switch {
	case d.Attempts == 0:
		return "-"
	case d.LastError == "" && d.LastStatusCode != 0:
		return strconv.Itoa(d.LastStatusCode)
	case d.LastError == "":
		return "-"
	}
	msg := d.LastError
	if r := []rune(msg); len(r) > 60 {
		msg = string(r[:59]) + "…"
	}
	return msg
}

// deliveryWhen is when a pending delivery is tried next (or "now" while it
// is being attempted), or when a finished one finished.
func deliveryWhen(d *paved.Delivery) string {
	switch {
	case d.FinishedAt != nil:
		return timeText(*d.FinishedAt)
	case d.LeasedUntil != nil:
		return "now"
	case d.NextAttemptAt != nil:
		return timeText(*d.NextAttemptAt)
	}
	return "-"
}
