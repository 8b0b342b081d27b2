package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	paved "github.com/paved-dev/paved"
)

// auditAnchorer appends a signed anchor of the audit log's head to a file
// every period (paved serve --audit-anchor-every, --audit-anchor-file):
// one line of JSON per anchor, which paved audit verify --anchor reads.
// Put the file where the database's operators cannot write (another
// volume, a log shipper's input, an append-only bucket); a log whose tail
// is deleted or which is rewritten whole then no longer verifies against
// it. A log that does not verify is not anchored, and the failure is
// logged.
type auditAnchorer struct {
	every time.Duration
	file  string
	sign  func(ctx context.Context) (*paved.AuditAnchor, error)
	log   *slog.Logger
}

// anchorOnce signs the head and appends it to the file.
func (a *auditAnchorer) anchorOnce(ctx context.Context) error {
	an, err := a.sign(ctx)
	if err != nil {
		a.log.Error("audit anchor: not signed", "error", paved.ErrorMessage(err))
		return err
	}
	line, err := json.Marshal(an)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(a.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		a.log.Error("audit anchor: cannot open the anchor file", "file", a.file, "error", paved.UnwrapPathError(err).Error())
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		a.log.Error("audit anchor: cannot write the anchor file", "file", a.file, "error", err.Error())
		return err
	}
	a.log.Info("audit anchor written", "file", a.file, "seq", an.Seq, "hash", an.Hash, "key_id", an.KeyID)
	return nil
}

// run anchors every period until ctx ends; a period of 0 turns it off.
func (a *auditAnchorer) run(ctx context.Context) {
	if a.every <= 0 || a.file == "" {
		return
	}
	t := time.NewTicker(a.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_ = a.anchorOnce(ctx)
	}
}

func checkAnchorFlags(every time.Duration, file string) error {
	switch {
	case every < 0:
		return usagef("--audit-anchor-every %s: want 0 or a positive duration", every)
	case every > 0 && file == "":
		return usagef("--audit-anchor-every needs --audit-anchor-file: where to append the anchors")
	case every == 0 && file != "":
		return usagef("--audit-anchor-file needs --audit-anchor-every: how often to anchor")
	}
	return nil
}
