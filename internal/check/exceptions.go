package check

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/report"
)

// Exceptions in a check. A check recorded with the store is covered by the
// store's exceptions (GET /api/v1/checks/{id}/coverage on a server): the
// covered deny findings are reported with severity "exception", the
// exception's id and expiry, and no longer fail the check. Exceptions.Request
// opens requests for the uncovered ones (an identical pending request is
// reused), Exceptions.Wait polls until they are decided. Without a store,
// a signed export (Exceptions.File, verified with Exceptions.Trust) covers
// findings instead.

// serverExceptions records the check, asks for exceptions if told to,
// waits if told to, and applies the store's coverage to res.
func serverExceptions(ctx context.Context, st Store, o Options, res *report.Result, rec *paved.CheckRecord, note func(string)) error {
	if err := st.RecordCheck(ctx, rec); err != nil {
		return fmt.Errorf("recording the check for %s: %w", rec.Service, err)
	}
	note(fmt.Sprintf("recorded check #%d for %s on %s", rec.ID, rec.Service, o.Server))
	deny, _ := paved.Summarize(res.Findings)
	if deny == 0 {
		return nil
	}
	cov, err := st.CheckCoverage(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("asking the server which exceptions cover check #%d: %w", rec.ID, err)
	}
	// A rejected request is not asked again automatically: the team
	// changes the plan, or asks again on purpose (paved exception request).
	x := o.Exceptions
	if x.Request && hasState(cov, paved.FindingUncovered) {
		in := exception.RequestInput{Check: rec.ID, Service: rec.Service, Reason: x.Reason, Expires: x.Expires,
			Security: anySecurity(res, cov)}
		rr, err := st.RequestExceptions(ctx, in)
		if err != nil {
			return fmt.Errorf("requesting exceptions for check #%d: %w", rec.ID, err)
		}
		note(fmt.Sprintf("%d exception request(s) opened, %d already pending", rr.Created, rr.Reused))
		if cov, err = st.CheckCoverage(ctx, rec.ID); err != nil {
			return err
		}
	}
	for _, fc := range cov.Findings {
		if fc.State == paved.FindingPending && fc.Exception != nil {
			note(fmt.Sprintf("exception #%d for %s on %s waits for a sign-off: %s", fc.Exception.ID, fc.Rule, fc.Resource, link(o.Server, fc.Exception.Link)))
		}
	}
	if x.Wait > 0 && cov.Pending > 0 {
		next, err := waitForDecisions(ctx, st, rec.ID, cov, x.Wait, x.Every, note)
		res.ApplyCoverage(next, o.Server, "server")
		return err
	}
	res.ApplyCoverage(cov, o.Server, "server")
	return nil
}

// link is a portal path on the server.
func link(server, path string) string {
	if server != "" {
		return strings.TrimRight(server, "/") + path
	}
	return path
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
// findings stay deny findings, so the check fails and says why.
func waitForDecisions(ctx context.Context, st Store, check int64, cov *paved.ExceptionCoverage, wait, every time.Duration, note func(string)) (*paved.ExceptionCoverage, error) {
	deadline := time.Now().Add(wait)
	note(fmt.Sprintf("waiting up to %s for %d sign-off(s)", wait, cov.Pending))
	t := time.NewTicker(every)
	defer t.Stop()
	for cov.Pending > 0 {
		if !time.Now().Before(deadline) {
			note(fmt.Sprintf("%d sign-off(s) still pending after %s", cov.Pending, wait))
			return cov, nil
		}
		select {
		case <-ctx.Done():
			return cov, ctx.Err()
		case <-t.C:
		}
		next, err := st.CheckCoverage(ctx, check)
		if err != nil {
			return cov, fmt.Errorf("asking the server about check #%d: %w", check, err)
		}
		if next.Pending != cov.Pending {
			note(fmt.Sprintf("%d sign-off(s) pending", next.Pending))
		}
		cov = next
	}
	for _, fc := range cov.Findings {
		if fc.State == paved.FindingRejected && fc.Exception != nil {
			note(fmt.Sprintf("exception #%d for %s on %s was rejected: %s", fc.Exception.ID, fc.Rule, fc.Resource, fc.Exception.Reason))
		}
	}
	return cov, nil
}

// maxExceptionsFile bounds a signed exceptions file.
const maxExceptionsFile = 32 << 20

// fileExceptions applies a signed exceptions file. A file that does not
// verify covers nothing: the report says why, and the deny findings stay.
func fileExceptions(x Exceptions, res *report.Result, svc paved.ServiceContext, now time.Time, note func(string)) {
	warn := func(msg string) {
		res.Warn(msg)
		note(msg)
	}
	key, err := exception.LoadTrust(x.Trust)
	if err != nil {
		warn("--trust: " + paved.ErrorMessage(err) + ": the exceptions file covers nothing")
		return
	}
	data, err := readLimited(x.File, maxExceptionsFile)
	if err != nil {
		warn("--exceptions " + x.File + ": " + err.Error() + ": it covers nothing")
		return
	}
	v, err := exception.Verify(data, key, now)
	if err != nil {
		warn("--exceptions " + x.File + ": " + paved.ErrorMessage(err))
		return
	}
	for _, w := range v.Warnings {
		warn("--exceptions " + x.File + ": " + w)
	}
	service := svc.Name
	if service == "" {
		service = v.File.Service
	}
	if service == "" {
		warn("--exceptions " + x.File + " holds every service's exceptions: name the service with --service, or export with --service")
		return
	}
	if v.File.Service != "" && v.File.Service != service {
		warn(fmt.Sprintf("--exceptions %s was exported for service %q, not %q: it covers nothing here", x.File, v.File.Service, service))
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
