package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/report"
)

// Exceptions in paved check. With --server and --service the check is
// recorded first, then the server answers which deny findings valid
// exceptions cover (GET /api/v1/checks/{id}/coverage): those are reported
// with severity "exception", the exception's id and expiry, and no longer
// fail the check. --request-exceptions opens requests for the uncovered
// ones (an identical pending request is reused), --wait polls until they
// are decided. Offline, --exceptions FILE --trust KEY reads a signed export
// instead.

// checkExceptionFlags are the exception flags of paved check.
type checkExceptionFlags struct {
	request  bool
	reason   string
	expires  string
	wait     time.Duration
	interval time.Duration
	file     string
	trust    string
}

func (f *checkExceptionFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.request, "request-exceptions", false, "with --server and --service: ask for exceptions for the deny findings no valid exception covers (needs --reason)")
	fl.StringVar(&f.reason, "reason", "", "with --request-exceptions: the team's justification")
	fl.StringVar(&f.expires, "exception-expires", "", "with --request-exceptions: the expiry asked for (30d, 12w, YYYY-MM-DD; default the configured default)")
	fl.DurationVar(&f.wait, "wait", 0, "with --server and --service: wait up to this long (e.g. 30m) for pending requests to be decided")
	fl.DurationVar(&f.interval, "wait-interval", 15*time.Second, "with --wait: how often to ask the server")
	fl.StringVar(&f.file, "exceptions", "", "without a server: a signed exceptions file (paved exception export) whose approved exceptions cover deny findings")
	fl.StringVar(&f.trust, "trust", "", "with --exceptions: the public key the file must be signed with (ed25519:..., as paved exception key prints it, or a file holding it)")
	_ = fl.MarkHidden("wait-interval")
}

// validate checks the combinations before anything is read.
func (f *checkExceptionFlags) validate(record bool) error {
	switch {
	case (f.request || f.wait > 0) && !record:
		flag := "--request-exceptions"
		if !f.request {
			flag = "--wait"
		}
		return usagef("%s works with the server: it needs --server (or PAVED_SERVER) and --service", flag)
	case f.request && strings.TrimSpace(f.reason) == "":
		return usagef("--request-exceptions needs --reason: say why the change must go out of bounds")
	case !f.request && (f.reason != "" || f.expires != ""):
		return usagef("--reason and --exception-expires go with --request-exceptions")
	case f.wait < 0:
		return usagef("--wait %s: want a positive duration such as 30m", f.wait)
	case f.interval < time.Second:
		return usagef("--wait-interval %s: want at least 1s", f.interval)
	case f.file != "" && record:
		return usagef("--exceptions is for checks without a server: with --server and --service the server says which exceptions apply")
	case f.file != "" && f.trust == "":
		return usagef("--exceptions needs --trust KEY: the public key the file must be signed with (paved exception key prints it)")
	case f.trust != "" && f.file == "":
		return usagef("--trust goes with --exceptions FILE")
	}
	return nil
}

// recordAndCover records the check with the server, asks for exceptions
// if told to, waits if told to, and applies the server's coverage to res.
// An error is also a warning in the report, which is written whatever
// happens here.
func (a *app) recordAndCover(ctx context.Context, cmd *cobra.Command, o *checkOptions, res *report.Result, rec *paved.CheckRecord) error {
	err := a.serverExceptions(ctx, cmd, o, res, rec)
	if err != nil {
		res.Warn("exceptions were not applied: " + paved.ErrorMessage(err))
	}
	return err
}

func (a *app) serverExceptions(ctx context.Context, cmd *cobra.Command, o *checkOptions, res *report.Result, rec *paved.CheckRecord) error {
	b, err := a.open(ctx, cmd)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.RecordCheck(ctx, rec); err != nil {
		return fmt.Errorf("recording the check for %s: %w", rec.Service, err)
	}
	fmt.Fprintf(a.stderr, "paved: recorded check #%d for %s on %s\n", rec.ID, rec.Service, a.serverURL())
	deny, _ := paved.Summarize(res.Findings)
	if deny == 0 {
		return nil
	}
	cov, err := b.CheckCoverage(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("asking the server which exceptions cover check #%d: %w", rec.ID, err)
	}
	// A rejected request is not asked again automatically: the team
	// changes the plan, or asks again on purpose (paved exception request).
	if o.exc.request && hasState(cov, paved.FindingUncovered) {
		in := exception.RequestInput{Check: rec.ID, Service: rec.Service, Reason: o.exc.reason, Expires: o.exc.expires,
			Security: anySecurity(res, cov)}
		rr, err := b.RequestExceptions(ctx, in)
		if err != nil {
			return fmt.Errorf("requesting exceptions for check #%d: %w", rec.ID, err)
		}
		fmt.Fprintf(a.stderr, "paved: %d exception request(s) opened, %d already pending\n", rr.Created, rr.Reused)
		if cov, err = b.CheckCoverage(ctx, rec.ID); err != nil {
			return err
		}
	}
	for _, fc := range cov.Findings {
		if fc.State == paved.FindingPending && fc.Exception != nil {
			fmt.Fprintf(a.stderr, "paved: exception #%d for %s on %s waits for a sign-off: %s\n", fc.Exception.ID, fc.Rule, fc.Resource, a.portalLink(fc.Exception.Link))
		}
	}
	if o.exc.wait > 0 && cov.Pending > 0 {
		next, err := a.waitForDecisions(ctx, b, rec.ID, cov, o.exc.wait, o.exc.interval)
		res.ApplyCoverage(next, a.serverURL(), "server")
		return err
	}
	res.ApplyCoverage(cov, a.serverURL(), "server")
	return nil
}

// hasState reports whether some finding of cov is in one of the states.
func hasState(cov *paved.ExceptionCoverage, states ...paved.FindingState) bool {
	for _, fc := range cov.Findings {
		for _, s := range states {
			if fc.State == s {
				return true
			}
		}
	}
	return false
}

// anySecurity reports whether an uncovered finding's rule is a security
// rule as the checker knows it (custom rules the server may not know): the
// request then asks for the security role.
func anySecurity(res *report.Result, cov *paved.ExceptionCoverage) bool {
	for _, fc := range cov.Findings {
		if fc.State == paved.FindingCovered {
			continue
		}
		if r, ok := res.Rules[fc.Rule]; ok && r.Security {
			return true
		}
	}
	return false
}

// waitForDecisions polls the coverage until no request is pending or the
// time is up. Running out of time is not an error of its own: the pending
// findings stay deny findings, so the check fails (exit 1) and says why.
func (a *app) waitForDecisions(ctx context.Context, b backend, check int64, cov *paved.ExceptionCoverage, wait, every time.Duration) (*paved.ExceptionCoverage, error) {
	deadline := time.Now().Add(wait)
	fmt.Fprintf(a.stderr, "paved: waiting up to %s for %d sign-off(s)\n", wait, cov.Pending)
	t := time.NewTicker(every)
	defer t.Stop()
	for cov.Pending > 0 {
		if !time.Now().Before(deadline) {
			fmt.Fprintf(a.stderr, "paved: %d sign-off(s) still pending after %s\n", cov.Pending, wait)
			return cov, nil
		}
		select {
		case <-ctx.Done():
			return cov, ctx.Err()
		case <-t.C:
		}
		next, err := b.CheckCoverage(ctx, check)
		if err != nil {
			return cov, fmt.Errorf("asking the server about check #%d: %w", check, err)
		}
		if next.Pending != cov.Pending {
			fmt.Fprintf(a.stderr, "paved: %d sign-off(s) pending\n", next.Pending)
		}
		cov = next
	}
	for _, fc := range cov.Findings {
		if fc.State == paved.FindingRejected && fc.Exception != nil {
			fmt.Fprintf(a.stderr, "paved: exception #%d for %s on %s was rejected: %s\n", fc.Exception.ID, fc.Rule, fc.Resource, fc.Exception.Reason)
		}
	}
	return cov, nil
}

// fileExceptions applies a signed exceptions file. A file that does not
// verify covers nothing: the report says why, and the deny findings stay.
func (a *app) fileExceptions(o *checkOptions, res *report.Result, svc paved.ServiceContext) {
	warn := func(msg string) {
		res.Warn(msg)
		fmt.Fprintf(a.stderr, "paved: %s\n", msg)
	}
	key, err := exception.LoadTrust(o.exc.trust)
	if err != nil {
		warn("--trust: " + paved.ErrorMessage(err) + ": the exceptions file covers nothing")
		return
	}
	data, err := readLimited(o.exc.file, 32<<20)
	if err != nil {
		warn("--exceptions " + o.exc.file + ": " + err.Error() + ": it covers nothing")
		return
	}
	now := time.Now()
	v, err := exception.Verify(data, key, now)
	if err != nil {
		warn("--exceptions " + o.exc.file + ": " + paved.ErrorMessage(err))
		return
	}
	for _, w := range v.Warnings {
		warn("--exceptions " + o.exc.file + ": " + w)
	}
	service := svc.Name
	if service == "" {
		service = v.File.Service
	}
	if service == "" {
		warn("--exceptions " + o.exc.file + " holds every service's exceptions: name the service with --service, or export with --service")
		return
	}
	if v.File.Service != "" && v.File.Service != service {
		warn(fmt.Sprintf("--exceptions %s was exported for service %q, not %q: it covers nothing here", o.exc.file, v.File.Service, service))
		return
	}
	res.ApplyCoverage(exception.OfflineCoverage(v, service, res.Findings, now), "", "file")
}

// readLimited reads a file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
