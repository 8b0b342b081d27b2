package main

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/policy"
)

// exceptionSettings is what paved serve needs for exceptions: the guard
// rails' metadata (which rules are security rules, whose exceptions only
// the security role decides), compiled once at start-up, and the signing
// key of exceptions.key_file (nil: the database's key, made on first use).
// A broken key file fails the start, not the first export.
func exceptionSettings(cfg *config.Config) (func(string) (paved.Rule, bool), ed25519.PrivateKey, error) {
	eng, err := policy.New(policy.Options{Config: cfg.Guardrails})
	if err != nil {
		return nil, nil, err
	}
	var key ed25519.PrivateKey
	if f := cfg.ExceptionKeyFile(); f != "" {
		if key, err = exception.LoadPrivateKey(f); err != nil {
			return nil, nil, err
		}
	}
	return eng.Rule, key, nil
}

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
