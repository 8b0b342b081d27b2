package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/launch"
)

// maxAnswerFileBytes bounds --file: an answer is a few paragraphs, not a
// document.
const maxAnswerFileBytes = 256 << 10

func (a *app) launchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "launch",
		Short: "Walk a service along the path to production: status, answers, assessments, walkthrough, gates",
		Long: `Walk a service along the path to production: playground -> green-light ->
production. The questionnaire and the enablement contact open green-light;
the checklist, a security assessment, a load profile and an approved
walkthrough open production. paved launch status SERVICE says what is
missing and what to do next.

On the local database, changes are made as the paved user named by --as
(or PAVED_AS), under that user's roles; with --server the API token says
who you are.`,
	}
	cmd.PersistentFlags().StringVar(&a.as, "as", "", "act as this paved user on the local database (env "+config.EnvAs+")")
	cmd.AddCommand(
		a.launchStatus(),
		a.launchAnswer(),
		a.launchHistory(),
		a.launchComment(),
		a.launchComments(),
		a.launchReview(),
		a.launchContact(),
		a.launchAdvance(),
		a.launchAssess(),
		a.launchWalkthrough(),
		a.launchSignoff(),
		a.launchPacket(),
		a.launchUpgrade(),
		a.launchReadiness(),
		a.launchBlocked(),
		a.launchInbox(),
	)
	return cmd
}

func (a *app) launchStatus() *cobra.Command {
	var (
		o   string
		all bool
	)
	cmd := &cobra.Command{
		Use:   "status SERVICE [-o text|json] [--all]",
		Short: "Show where a service stands: phase, next step, progress per area, gaps, walkthrough",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVar(&all, "all", false, "list every item with its state and id")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			st, err := b.LaunchStatus(ctx, args[0])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, st)
			}
			printStatus(a.stdout, st, all)
			return nil
		})
	})
	return cmd
}

// bar draws a score from 0 to 1 as [#####-----].
func bar(score float64) string {
	const width = 20
	n := int(score*width + 0.5)
	n = min(max(n, 0), width)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

func percent(score float64) string { return fmt.Sprintf("%3.0f%%", score*100) }

func printStatus(w io.Writer, st *launch.Status, all bool) {
	s := st.Service
	fmt.Fprintf(w, "%s", clean(s.Name))
	if s.Title != "" {
		fmt.Fprintf(w, "  %s", clean(s.Title))
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	row(tw, "  owner:", fmt.Sprintf("%s, tier %d, %s", s.Owner, s.Tier, s.DataClass))
	row(tw, "  phase:", phaseText(s))
	row(tw, "  contact:", st.Contact)
	var vs []string
	for _, k := range paved.TemplateKinds {
		v := fmt.Sprintf("%s v%d", k, st.Versions[k])
		if up := st.Upgrades[k]; up > 0 {
			v += fmt.Sprintf(" (v%d available: paved launch upgrade %s --kind %s)", up, s.Name, k)
		}
		vs = append(vs, v)
	}
	row(tw, "  templates:", join(vs))
	done, req := 0, 0
	for _, ar := range st.Areas {
		done += ar.Done
		req += ar.Required
	}
	row(tw, "  readiness:", fmt.Sprintf("%s (%d of %d required items done)", strings.TrimSpace(percent(st.Score.Overall)), done, req))
	tw.Flush()
	if st.NextStep != "" {
		fmt.Fprintf(w, "\nnext step: %s\n", clean(st.NextStep))
	}

	// One table for both templates, so that the bars line up; the padding
	// of the template lines is trimmed.
	var areas strings.Builder
	tw = newTable(&areas)
	for _, k := range paved.TemplateKinds {
		fmt.Fprintf(tw, "\t\t\t\n%s v%d\t\t\t\n", k, st.Versions[k])
		for _, ar := range st.Areas {
			if ar.Kind != k {
				continue
			}
			row(tw, "  "+ar.Title, bar(ar.Score), percent(ar.Score), fmt.Sprintf("%d/%d", ar.Done, ar.Required))
		}
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(areas.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}

	// Every item with --all; otherwise the gaps below say what is missing,
	// and only the flagged items are listed here, with their notes.
	tw = newTable(w)
	n := 0
	for _, ar := range st.Areas {
		for _, it := range ar.Items {
			if !all && !it.Flagged {
				continue
			}
			state := string(it.State)
			if !it.Required {
				state += " (optional)"
			}
			note := ar.Title + ": " + it.Item.Title
			if it.Flagged && it.Answer != nil {
				note += "  [flagged: " + it.Answer.Flag + "]"
			}
			if it.Comments > 0 {
				note += fmt.Sprintf("  [%d comments]", it.Comments)
			}
			row(tw, "  "+state, it.Item.ID, note)
			n++
		}
	}
	if n > 0 {
		if all {
			fmt.Fprintln(w, "\nitems:")
		} else {
			fmt.Fprintln(w, "\nflagged for follow-up:")
		}
		tw.Flush()
	}

	if st.Grandfathered {
		fmt.Fprintln(w, "\ngrandfathered: imported as already in production, no gate applies")
	} else if g := st.Next; g != nil {
		if g.Open() {
			fmt.Fprintf(w, "\nthe gate to %s is open: paved launch advance %s\n", g.To, s.Name)
		} else {
			fmt.Fprintf(w, "\ngaps before %s (%d):\n", g.To, len(g.Gaps))
			for _, gap := range g.Gaps {
				fmt.Fprintf(w, "  - %s\n", clean(gap.Message))
			}
		}
	}

	if st.Security != nil || st.Load != nil {
		fmt.Fprintln(w, "\nassessments:")
		if sa := st.Security; sa != nil {
			fmt.Fprintf(w, "  security  risk %s, threat model %s", sa.RiskRating, clean(sa.ThreatModel))
			if sa.PenTest != "" {
				fmt.Fprintf(w, ", pen test %s", clean(sa.PenTest))
			}
			fmt.Fprintf(w, " (#%d by %s, %s)\n", sa.ID, clean(sa.RecordedBy), dateText(sa.RecordedAt))
		}
		if la := st.Load; la != nil {
			fmt.Fprintf(w, "  load      expected %g rps, tested %g rps (%.0f%% headroom), p99 %g ms (#%d by %s, %s)\n",
				la.ExpectedPeakRPS, la.TestedRPS, la.Headroom()*100, la.P99Millis, la.ID, clean(la.RecordedBy), dateText(la.RecordedAt))
		}
	}
	if st.Walkthrough != nil {
		fmt.Fprintln(w)
		printWalkthrough(w, st.Walkthrough)
	}
	if len(st.Phases) > 0 {
		fmt.Fprintln(w, "\nphases:")
		tw = newTable(w)
		for _, pc := range st.Phases {
			how := "by " + pc.Actor
			if pc.Forced {
				how += ", forced: " + pc.Reason
			}
			row(tw, "  "+timeText(pc.At), fmt.Sprintf("%s -> %s", pc.From, pc.To), how)
		}
		tw.Flush()
	}
}

func dateText(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func printWalkthrough(w io.Writer, ws *launch.WalkthroughStatus) {
	state := string(ws.Outcome)
	if ws.Cancelled {
		state = "cancelled"
	}
	req := make([]string, len(ws.Required))
	for i, r := range ws.Required {
		req[i] = string(r)
	}
	fmt.Fprintf(w, "walkthrough #%d of %s, %s, outcome %s (required: %s", ws.ID, ws.Service, ws.ScheduledAt.UTC().Format("2006-01-02 15:04 UTC"), state, join(req))
	if ws.VetoAllowed {
		fmt.Fprint(w, "; veto allowed")
	}
	fmt.Fprintln(w, ")")
	fmt.Fprintf(w, "  participants: %s\n", clean(join(ws.Participants)))
	tw := newTable(w)
	for _, r := range ws.Required {
		so := ws.Current[r]
		if so == nil {
			row(tw, "  "+string(r), "pending", "", "")
			continue
		}
		row(tw, "  "+string(r), string(so.Decision), so.Signer, so.Comment)
	}
	tw.Flush()
	if len(ws.FollowUps) > 0 {
		fmt.Fprintln(w, "  follow-ups:")
		tw = newTable(w)
		for _, f := range ws.FollowUps {
			state := "open"
			if f.DoneAt != nil {
				state = "done"
			}
			row(tw, fmt.Sprintf("    #%d", f.ID), state, "due "+dateText(f.Due), f.Owner, f.Description)
		}
		tw.Flush()
	}
}

func (a *app) launchAnswer() *cobra.Command {
	var (
		text, file, na string
		links          []string
		version        int
		o              string
	)
	cmd := &cobra.Command{
		Use:   "answer SERVICE ITEM [--text T | --file F] [--link URL]... | --na REASON",
		Short: "Answer a questionnaire or checklist item: text, links, or n/a with a reason",
		Long: `Answer one item of the service's questionnaire or checklist. An answer is
text (--text, or --file with "-" for stdin), links (--link, repeatable), or
both; --na marks the item not applicable, with a reason a reviewer must
accept. paved launch status SERVICE --all lists the item ids.`,
		Example: `  paved launch answer checkout-api ha --text "Three replicas across two zones behind the load balancer."
  paved launch answer checkout-api runbook --link https://runbooks.example.com/checkout-api
  paved launch answer checkout-api pen-test --na "internal tool, no external exposure"`,
		Args: cobra.ExactArgs(2),
	}
	fl := cmd.Flags()
	fl.StringVar(&text, "text", "", "the answer as text")
	fl.StringVar(&file, "file", "", "read the answer text from this file (- for stdin)")
	fl.StringArrayVar(&links, "link", nil, "a link to evidence, http(s) URL (repeatable)")
	fl.StringVar(&na, "na", "", "mark the item not applicable, with this reason")
	fl.IntVar(&version, "template-version", 0, "refuse the answer unless the service is pinned to this template version")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		fl := cmd.Flags()
		if fl.Changed("text") && fl.Changed("file") {
			return usagef("give the answer with --text or --file, not both")
		}
		in := launch.AnswerInput{Status: paved.AnswerGiven, Text: text, Links: links, TemplateVersion: version}
		if fl.Changed("na") {
			if fl.Changed("text") || fl.Changed("file") || len(links) > 0 {
				return usagef("--na marks the item not applicable: give no --text, --file or --link with it")
			}
			if strings.TrimSpace(na) == "" {
				return usagef("--na needs a reason: say why the item does not apply")
			}
			in = launch.AnswerInput{Status: paved.AnswerNA, NAReason: na, TemplateVersion: version}
		}
		if fl.Changed("file") {
			t, err := a.readAnswerFile(file)
			if err != nil {
				return err
			}
			in.Text = t
		}
		if in.Status == paved.AnswerGiven && strings.TrimSpace(in.Text) == "" && len(in.Links) == 0 {
			return usagef("give the answer: --text, --file or --link (or --na REASON)")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ans, err := b.Answer(ctx, args[0], args[1], in)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, ans)
			}
			what := "answered"
			if ans.Status == paved.AnswerNA {
				what = "marked n/a (a reviewer must accept the reason)"
			}
			fmt.Fprintf(a.stdout, "%s: %s %s item %s (revision %d)\n", ans.Service, what, ans.Kind, ans.Item, ans.Revision)
			return nil
		})
	})
	return cmd
}

func (a *app) readAnswerFile(name string) (string, error) {
	var r io.Reader
	if name == "-" {
		r = a.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return "", paved.FieldErrorf(paved.EINVALID, "--file", "%v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxAnswerFileBytes+1))
	if err != nil {
		return "", paved.FieldErrorf(paved.EINVALID, "--file", "reading %s: %v", name, err)
	}
	if len(data) > maxAnswerFileBytes {
		return "", paved.FieldErrorf(paved.ETOOLARGE, "--file", "%s is larger than %d bytes: an answer is a few paragraphs; link longer documents with --link", name, maxAnswerFileBytes)
	}
	return string(data), nil
}

func (a *app) launchHistory() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "history SERVICE ITEM",
		Short: "Show every revision of an answer",
		Args:  cobra.ExactArgs(2),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			revs, err := b.History(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(revs, len(revs), paved.Page{Limit: len(revs)}))
			}
			if len(revs) == 0 {
				fmt.Fprintf(a.stdout, "no answer to %s yet\n", args[1])
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "REV", "TIME", "AUTHOR", "VERSION", "STATUS", "ANSWER")
			for _, r := range revs {
				body := r.Text
				if r.Status == paved.AnswerNA {
					body = r.NAReason
				}
				if len(r.Links) > 0 {
					body = strings.TrimSpace(body + " " + join(r.Links))
				}
				row(tw, strconv.Itoa(r.Revision), timeText(r.At), r.Author, "v"+strconv.Itoa(r.TemplateVersion), string(r.Status), short(body, 80))
			}
			return tw.Flush()
		})
	})
	return cmd
}

// short cuts s to n runes for a table cell.
func short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (a *app) launchComment() *cobra.Command {
	return &cobra.Command{
		Use:   "comment SERVICE ITEM MESSAGE",
		Short: "Comment on an item: the dialogue between the team and its enablement contact",
		Args:  cobra.ExactArgs(3),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[2]) == "" {
				return usagef("the comment is empty")
			}
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				c, err := b.Comment(ctx, args[0], args[1], args[2])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s: comment #%d on %s by %s\n", c.Service, c.ID, c.Item, c.Author)
				return nil
			})
		}),
	}
}

func (a *app) launchComments() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "comments SERVICE ITEM",
		Short: "Show the comments on an item, oldest first",
		Args:  cobra.ExactArgs(2),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			cs, err := b.Comments(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(cs, len(cs), paved.Page{Limit: len(cs)}))
			}
			if len(cs) == 0 {
				fmt.Fprintf(a.stdout, "no comments on %s\n", args[1])
			}
			for _, c := range cs {
				fmt.Fprintf(a.stdout, "%s  %s:\n  %s\n", timeText(c.At), clean(c.Author), strings.ReplaceAll(clean(c.Body), "\n", "\n  "))
			}
			return nil
		})
	})
	return cmd
}

func (a *app) launchReview() *cobra.Command {
	var (
		acceptNA, unflag bool
		flag             string
	)
	cmd := &cobra.Command{
		Use:   "review SERVICE ITEM --accept-na | --flag NOTE | --unflag",
		Short: "Accept an n/a reason, or flag an item for follow-up (reviewers outside the owning team)",
		Args:  cobra.ExactArgs(2),
	}
	fl := cmd.Flags()
	fl.BoolVar(&acceptNA, "accept-na", false, "accept the item's n/a reason")
	fl.StringVar(&flag, "flag", "", "flag the item for follow-up, with a note saying what is needed")
	fl.BoolVar(&unflag, "unflag", false, "close the item's follow-up flag")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		n := 0
		var r paved.AnswerReview
		if acceptNA {
			r.AcceptNA, n = true, n+1
		}
		if cmd.Flags().Changed("flag") {
			if strings.TrimSpace(flag) == "" {
				return usagef("--flag needs a note saying what is needed (--unflag closes a flag)")
			}
			r.Flag, n = &flag, n+1
		}
		if unflag {
			empty := ""
			r.Flag, n = &empty, n+1
		}
		if n != 1 {
			return usagef("give exactly one of --accept-na, --flag NOTE or --unflag")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ans, err := b.Review(ctx, args[0], args[1], r)
			if err != nil {
				return err
			}
			switch {
			case acceptNA:
				fmt.Fprintf(a.stdout, "%s: accepted n/a on %s\n", ans.Service, ans.Item)
			case unflag:
				fmt.Fprintf(a.stdout, "%s: closed the flag on %s\n", ans.Service, ans.Item)
			default:
				fmt.Fprintf(a.stdout, "%s: flagged %s for follow-up\n", ans.Service, ans.Item)
			}
			return nil
		})
	})
	return cmd
}

func (a *app) launchContact() *cobra.Command {
	var remove bool
	cmd := &cobra.Command{
		Use:   "contact SERVICE USER | --remove SERVICE",
		Short: "Assign the enablement contact (a member of an enablement team); green-light needs one",
		Args:  cobra.RangeArgs(1, 2),
	}
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the contact")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		user := ""
		switch {
		case remove && len(args) == 2:
			return usagef("--remove takes only the service")
		case !remove && len(args) == 1:
			return usagef("name the contact: paved launch contact SERVICE USER (or --remove)")
		case len(args) == 2:
			user = args[1]
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if err := b.SetContact(ctx, args[0], user); err != nil {
				return err
			}
			if user == "" {
				fmt.Fprintf(a.stdout, "%s: removed the enablement contact\n", args[0])
			} else {
				fmt.Fprintf(a.stdout, "%s: enablement contact is %s\n", args[0], user)
			}
			return nil
		})
	})
	return cmd
}

func (a *app) launchAdvance() *cobra.Command {
	var (
		to, reason string
		force      bool
		o          string
	)
	cmd := &cobra.Command{
		Use:   "advance SERVICE [PHASE | --to PHASE] [--force --reason R]",
		Short: "Move a service through its next gate; a refused move lists every gap and exits 1",
		Long: `Move a service to its next phase (or --to PHASE) through the gate. When
something is missing the move is refused, every gap is listed with what to
do, and paved exits 1. --to retired needs no gate. An admin can --force a
move past the gate with a --reason, which is recorded. The phase may also
be given as a second argument (paved launch advance SERVICE retired).`,
		Args: cobra.RangeArgs(1, 2),
	}
	fl := cmd.Flags()
	fl.StringVar(&to, "to", "", "the phase to move to: green-light, production or retired (default: the next one)")
	fl.BoolVar(&force, "force", false, "move past the gate (admin only; needs --reason)")
	fl.StringVar(&reason, "reason", "", "why the gate is skipped (with --force)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		if len(args) == 2 {
			if to != "" && to != args[1] {
				return usagef("give the phase once: as an argument or with --to")
			}
			to = args[1]
		}
		var phase paved.Phase
		if to != "" {
			var err error
			if phase, err = paved.ParsePhase(to); err != nil {
				return flagError("to", err)
			}
		}
		if force && strings.TrimSpace(reason) == "" {
			return usagef("--force needs --reason: say why the gate is skipped")
		}
		if !force && reason != "" {
			return usagef("--reason goes with --force")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			pc, err := b.Advance(ctx, args[0], phase, force, reason)
			if err != nil {
				if paved.ErrorCode(err) == paved.EUNPROCESSABLE {
					// The gate said no: a failing result, not a mistake
					// in the command line.
					return &exitError{code: 1, msg: message(err)}
				}
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, pc)
			}
			how := ""
			if pc.Forced {
				how = " (forced: " + pc.Reason + ")"
			}
			fmt.Fprintf(a.stdout, "%s: %s -> %s%s\n", pc.Service, pc.From, pc.To, how)
			return nil
		})
	})
	return cmd
}

func (a *app) launchAssess() *cobra.Command {
	var (
		threat, risk, pen, scan, scanLink, notes string
		expected, tested, p99                    float64
		links                                    []string
		o                                        string
	)
	cmd := &cobra.Command{
		Use:   "assess SERVICE security|load [flags]",
		Short: "Record a security assessment or a load profile",
		Long: `Record a security assessment:
  paved launch assess SERVICE security --threat-model URL --risk low|medium|high|critical
      [--pen-test URL] [--vuln-scan TEXT] [--vuln-scan-link URL]
(tiers 1 and 2 need a pen test), or a load profile:
  paved launch assess SERVICE load --expected-rps N --tested-rps N --p99 MS [--link URL]
The newest assessment of each kind is the one the production gate reads.`,
		Args: cobra.ExactArgs(2),
	}
	fl := cmd.Flags()
	fl.StringVar(&threat, "threat-model", "", "security: link to the threat model")
	fl.StringVar(&risk, "risk", "", "security: risk rating, low, medium, high or critical")
	fl.StringVar(&pen, "pen-test", "", "security: link to the pen-test report (required for tiers 1 and 2)")
	fl.StringVar(&scan, "vuln-scan", "", `security: vulnerability scan result, e.g. "0 critical, 2 high (accepted)"`)
	fl.StringVar(&scanLink, "vuln-scan-link", "", "security: link to the scan report")
	fl.Float64Var(&expected, "expected-rps", 0, "load: expected peak requests per second")
	fl.Float64Var(&tested, "tested-rps", 0, "load: requests per second the load test carried")
	fl.Float64Var(&p99, "p99", 0, "load: p99 latency at the tested load, in milliseconds")
	fl.StringArrayVar(&links, "link", nil, "a link to the report or test run (repeatable)")
	fl.StringVar(&notes, "notes", "", "notes")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		kind := paved.AssessmentKind(strings.ToLower(args[1]))
		secFlags := []string{"threat-model", "risk", "pen-test", "vuln-scan", "vuln-scan-link"}
		loadFlags := []string{"expected-rps", "tested-rps", "p99"}
		wrong := func(flags []string, other string) error {
			for _, f := range flags {
				if cmd.Flags().Changed(f) {
					return usagef("--%s is for a %s assessment, not %s", f, other, kind)
				}
			}
			return nil
		}
		as := &paved.Assessment{Service: args[0], Kind: kind, Links: links, Notes: notes}
		switch kind {
		case paved.AssessSecurity:
			if err := wrong(loadFlags, "load"); err != nil {
				return err
			}
			if threat == "" || risk == "" {
				return usagef("a security assessment needs --threat-model URL and --risk low|medium|high|critical")
			}
			as.ThreatModel, as.RiskRating, as.PenTest, as.VulnScan, as.VulnScanLink = threat, paved.RiskRating(strings.ToLower(risk)), pen, scan, scanLink
		case paved.AssessLoad:
			if err := wrong(secFlags, "security"); err != nil {
				return err
			}
			for _, f := range loadFlags {
				if !cmd.Flags().Changed(f) {
					return usagef("a load profile needs --expected-rps, --tested-rps and --p99")
				}
			}
			as.ExpectedPeakRPS, as.TestedRPS, as.P99Millis = expected, tested, p99
		default:
			return usagef("assessment kind %q: want security or load", args[1])
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			out, err := b.Assess(ctx, args[0], as)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, out)
			}
			fmt.Fprintf(a.stdout, "%s: recorded %s assessment #%d\n", args[0], out.Kind, out.ID)
			return nil
		})
	})
	return cmd
}

func (a *app) launchWalkthrough() *cobra.Command {
	var (
		at           string
		participants []string
		o            string
	)
	cmd := &cobra.Command{
		Use:   "walkthrough SERVICE --at TIME --participant USER...",
		Short: "Schedule the product technical walkthrough; show, cancel, and track its follow-ups",
		Long: `Schedule the walkthrough of SERVICE: --at is RFC 3339 or "YYYY-MM-DD HH:MM"
(UTC); --participant names a user (repeatable). The sign-off roles it needs
follow the tier and data class. Subcommands show and cancel a walkthrough
and manage its follow-up actions.`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.StringVar(&at, "at", "", `when: RFC 3339 or "YYYY-MM-DD HH:MM" (UTC)`)
	fl.StringArrayVar(&participants, "participant", nil, "a participant's user name (repeatable)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		when, err := launch.ParseScheduledAt(at)
		if err != nil {
			return flagError("at", err)
		}
		if len(participants) == 0 {
			return usagef("name the participants with --participant USER (repeatable)")
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ws, err := b.Schedule(ctx, args[0], when, participants)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, ws)
			}
			printWalkthrough(a.stdout, ws)
			fmt.Fprintf(a.stdout, "sign with: paved launch signoff %d --role ROLE --approve|--request-changes\n", ws.ID)
			return nil
		})
	})
	cmd.AddCommand(a.walkthroughShow(), a.walkthroughCancel(), a.walkthroughFollowUp())
	return cmd
}

// walkthroughID reads a walkthrough or follow-up id argument.
func walkthroughID(arg, what string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("%s id %q: want a whole number >= 1", what, arg)
	}
	return id, nil
}

func (a *app) walkthroughShow() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a walkthrough with its sign-offs and follow-ups",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		id, err := walkthroughID(args[0], "walkthrough")
		if err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ws, err := b.Walkthrough(ctx, id)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, ws)
			}
			printWalkthrough(a.stdout, ws)
			return nil
		})
	})
	return cmd
}

func (a *app) walkthroughCancel() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel a walkthrough (it takes no more sign-offs; schedule a new one)",
		Long: `Cancel a walkthrough: it takes no more sign-offs; schedule a new one.

A walkthrough in which a signer asked for changes or vetoed is not cancelled
by the owning team: only that signer (withdrawing the objection) or an admin
with --reason may. A new walkthrough carries over the open objections and
follow-ups of the one before.`,
		Args: cobra.ExactArgs(1),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := walkthroughID(args[0], "walkthrough")
			if err != nil {
				return err
			}
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				if err := b.CancelWalkthrough(ctx, id, reason); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "cancelled walkthrough #%d\n", id)
				return nil
			})
		}),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (required of an admin cancelling a walkthrough in which a signer objected; kept in the audit log)")
	return cmd
}

func (a *app) walkthroughFollowUp() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "followup",
		Aliases: []string{"follow-up"},
		Short:   "Add follow-up actions to a walkthrough and mark them done",
	}
	var desc, owner, due string
	add := &cobra.Command{
		Use:   "add WALKTHROUGH_ID --description D --owner USER --due YYYY-MM-DD",
		Short: "Add a follow-up action with an owner and a due date",
		Args:  cobra.ExactArgs(1),
	}
	fl := add.Flags()
	fl.StringVar(&desc, "description", "", "what is to be done")
	fl.StringVar(&owner, "owner", "", "the user who does it")
	fl.StringVar(&due, "due", "", "due date, YYYY-MM-DD")
	add.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		id, err := walkthroughID(args[0], "walkthrough")
		if err != nil {
			return err
		}
		if strings.TrimSpace(desc) == "" || owner == "" {
			return usagef("a follow-up needs --description and --owner")
		}
		when, err := launch.ParseDue(due)
		if err != nil {
			return flagError("due", err)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			f, err := b.AddFollowUp(ctx, id, desc, owner, when)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "follow-up #%d on walkthrough #%d, owner %s, due %s\n", f.ID, id, f.Owner, dateText(f.Due))
			return nil
		})
	})
	done := &cobra.Command{
		Use:   "done WALKTHROUGH_ID FOLLOWUP_ID",
		Short: "Mark a follow-up done",
		Args:  cobra.ExactArgs(2),
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			id, err := walkthroughID(args[0], "walkthrough")
			if err != nil {
				return err
			}
			fid, err := walkthroughID(args[1], "follow-up")
			if err != nil {
				return err
			}
			return a.withBackend(cmd, func(ctx context.Context, b backend) error {
				f, err := b.CompleteFollowUp(ctx, id, fid)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "follow-up #%d done (%s)\n", f.ID, clean(f.Description))
				return nil
			})
		}),
	}
	cmd.AddCommand(add, done)
	return cmd
}

func (a *app) launchSignoff() *cobra.Command {
	var (
		role, comment           string
		approve, changes, vetos bool
		o                       string
	)
	cmd := &cobra.Command{
		Use:   "signoff WALKTHROUGH_ID --role peer|architect|security --approve|--request-changes|--veto [--comment C]",
		Short: "Sign a walkthrough in a role: approve, request changes, or veto",
		Long: `Sign a walkthrough in one of its required roles. A peer may come from the
owning team but must not be who scheduled the walkthrough; an architect or
security signer must hold that role and sit outside the owning team. A
veto is only for tier 1, restricted data or a high/critical risk rating,
and only by an architect or security; request changes otherwise.`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.StringVar(&role, "role", "", "the role you sign in: peer, architect or security")
	fl.BoolVar(&approve, "approve", false, "approve")
	fl.BoolVar(&changes, "request-changes", false, "ask for changes (say which with --comment)")
	fl.BoolVar(&vetos, "veto", false, "veto the launch")
	fl.StringVar(&comment, "comment", "", "what you ask for, or why")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		id, err := walkthroughID(args[0], "walkthrough")
		if err != nil {
			return err
		}
		r := paved.SignRole(strings.ToLower(role))
		valid := false
		for _, v := range paved.SignRoles {
			valid = valid || v == r
		}
		if !valid {
			return usagef("--role %q: want peer, architect or security", role)
		}
		var d paved.Decision
		n := 0
		for _, c := range []struct {
			set bool
			d   paved.Decision
		}{{approve, paved.DecisionApprove}, {changes, paved.DecisionRequestChanges}, {vetos, paved.DecisionVeto}} {
			if c.set {
				d, n = c.d, n+1
			}
		}
		if n != 1 {
			return usagef("give exactly one of --approve, --request-changes or --veto")
		}
		if d != paved.DecisionApprove && strings.TrimSpace(comment) == "" {
			return usagef("--%s needs a --comment saying what is wrong", d)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			ws, err := b.Sign(ctx, id, r, d, comment)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, ws)
			}
			fmt.Fprintf(a.stdout, "signed walkthrough #%d as %s: %s; outcome now %s\n", ws.ID, r, d, ws.Outcome)
			return nil
		})
	})
	return cmd
}

func (a *app) launchPacket() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "packet SERVICE [--format md|html] [-o FILE]",
		Short: "Render the walkthrough packet as Markdown or a printable HTML page",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&format, "format", "md", "md (Markdown) or html (a printable self-contained page)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write the packet to this file instead of stdout")
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		switch format {
		case "md", "markdown":
			format = "md"
		case "html":
		default:
			return usagef("--format %q: want md or html", format)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			if out == "" {
				return b.Packet(ctx, args[0], format, a.stdout)
			}
			f, err := os.Create(out)
			if err != nil {
				return paved.FieldErrorf(paved.EINVALID, "--out", "%v", err)
			}
			err = b.Packet(ctx, args[0], format, f)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("--out %s: %w", out, cerr)
			}
			if err != nil {
				os.Remove(out)
				return err
			}
			fmt.Fprintf(a.stderr, "wrote %s\n", out)
			return nil
		})
	})
	return cmd
}

func (a *app) launchUpgrade() *cobra.Command {
	var (
		kind  string
		apply bool
		o     string
	)
	cmd := &cobra.Command{
		Use:   "upgrade SERVICE --kind questionnaire|checklist [--apply]",
		Short: "Show what changes if the service moves to the configured template version; --apply moves it",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&kind, "kind", "", "questionnaire or checklist")
	cmd.Flags().BoolVar(&apply, "apply", false, "pin the configured version (answers to items that still exist are kept)")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		k, err := paved.ParseTemplateKind(kind)
		if err != nil {
			return paved.FieldErrorf(paved.EINVALID, "--kind", "unknown template kind %q: want questionnaire or checklist", kind)
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			up, err := b.Upgrade(ctx, args[0], k, apply)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, up)
			}
			switch {
			case up.From == up.To:
				fmt.Fprintf(a.stdout, "%s: the %s is at the configured version v%d already\n", args[0], up.Kind, up.To)
				return nil
			case up.Applied:
				fmt.Fprintf(a.stdout, "%s: %s upgraded from v%d to v%d\n", args[0], up.Kind, up.From, up.To)
			default:
				fmt.Fprintf(a.stdout, "%s: %s v%d -> v%d would change %d items (run again with --apply to upgrade):\n", args[0], up.Kind, up.From, up.To, len(up.Changes))
			}
			tw := newTable(a.stdout)
			for _, c := range up.Changes {
				row(tw, "  "+c.Change, c.Item, c.Area, c.Detail)
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) launchReadiness() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "readiness SERVICE",
		Short: "Show the readiness score over time (replayed from the answer history)",
		Args:  cobra.ExactArgs(1),
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			pts, err := b.Readiness(ctx, args[0])
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(pts, len(pts), paved.Page{Limit: len(pts)}))
			}
			if len(pts) == 0 {
				fmt.Fprintf(a.stdout, "%s: no answers yet\n", args[0])
				return nil
			}
			tw := newTable(a.stdout)
			for _, p := range pts {
				row(tw, timeText(p.At), bar(p.Score.Overall), percent(p.Score.Overall))
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) launchBlocked() *cobra.Command {
	var team, o string
	cmd := &cobra.Command{
		Use:   "blocked [--team TEAM]",
		Short: "List the services on their way to production and what blocks each",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&team, "team", "", "only this team's services")
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			bs, err := b.Blocked(ctx, team)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, newListJSON(bs, len(bs), paved.Page{Limit: len(bs)}))
			}
			if len(bs) == 0 {
				fmt.Fprintln(a.stdout, "no service is on its way to production")
				return nil
			}
			tw := newTable(a.stdout)
			row(tw, "SERVICE", "TEAM", "TIER", "PHASE", "READY", "NEXT", "GAPS", "FIRST GAP")
			for _, bl := range bs {
				next, gaps, first := "", 0, ""
				if bl.Next != nil {
					next, gaps = string(bl.Next.To), len(bl.Next.Gaps)
					if gaps > 0 {
						first = short(bl.Next.Gaps[0].Message, 70)
					}
				}
				row(tw, bl.Service, bl.Team, strconv.Itoa(int(bl.Tier)), string(bl.Phase), strings.TrimSpace(percent(bl.Score)), next, strconv.Itoa(gaps), first)
			}
			return tw.Flush()
		})
	})
	return cmd
}

func (a *app) launchInbox() *cobra.Command {
	var o string
	cmd := &cobra.Command{
		Use:   "inbox",
		Short: "What waits for you: walkthroughs to sign, n/a answers to accept, flags, services you are contact for",
		Args:  cobra.NoArgs,
	}
	addFormatFlag(cmd, &o)
	cmd.RunE = a.runE(func(cmd *cobra.Command, _ []string) error {
		if err := checkFormat(o); err != nil {
			return err
		}
		return a.withBackend(cmd, func(ctx context.Context, b backend) error {
			in, err := b.Inbox(ctx)
			if err != nil {
				return err
			}
			if o == formatJSON {
				return writeJSON(a.stdout, in)
			}
			printInbox(a.stdout, in)
			return nil
		})
	})
	return cmd
}

func printInbox(w io.Writer, in *launch.Inbox) {
	empty := true
	if len(in.Signoffs) > 0 {
		empty = false
		fmt.Fprintln(w, "walkthroughs to sign:")
		tw := newTable(w)
		for _, ws := range in.Signoffs {
			row(tw, fmt.Sprintf("  #%d", ws.ID), ws.Service, ws.ScheduledAt.UTC().Format("2006-01-02 15:04 UTC"), string(ws.Outcome))
		}
		tw.Flush()
	}
	refs := func(title string, rs []*launch.ItemRef) {
		if len(rs) == 0 {
			return
		}
		empty = false
		fmt.Fprintln(w, title)
		tw := newTable(w)
		for _, r := range rs {
			row(tw, "  "+r.Service, r.Item, r.Title, r.Note)
		}
		tw.Flush()
	}
	refs("n/a answers to accept:", in.NAReviews)
	refs("items you flagged:", in.Flagged)
	if len(in.Contact) > 0 {
		empty = false
		fmt.Fprintf(w, "enablement contact for: %s\n", clean(join(in.Contact)))
	}
	if empty {
		fmt.Fprintln(w, "nothing waits for you")
	}
}
