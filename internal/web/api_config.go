package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/platform"
)

// The platform config over HTTP (docs/config-as-code.md): the version in
// force and the reloader's state, the impact of a proposed config on every
// service's latest check (for the config repository's CI), and the
// campaigns (api_config.go, portal_campaigns.go).

// impactTimeout bounds one impact analysis: it evaluates every service's
// latest check twice.
const impactTimeout = 50 * time.Second

// platform is the snapshot of the config this server copy runs on.
func (s *Server) platform() (*platform.Snapshot, error) { return s.app.Platform() }

// configStatus is the reloader's status, or that of the config in force
// when there is no reloader.
func (s *Server) configStatus() paved.ConfigStatus {
	if s.cfg.ConfigStatus != nil {
		return s.cfg.ConfigStatus()
	}
	cur := s.live.cur.Load()
	if cur == nil || cur.app.Snapshot() == nil {
		return paved.ConfigStatus{Version: platform.BuiltinVersion}
	}
	p := cur.app.Snapshot()
	return paved.ConfigStatus{Dir: p.Dir, Version: p.Version.String(), Hash: p.Version.Hash, Commit: p.Version.Commit, LoadedAt: p.LoadedAt}
}

func (s *Server) getConfigStatus(w http.ResponseWriter, r *http.Request) error {
	st := s.configStatus()
	if s.authorize(r, paved.ActConfigAdmin, paved.Resource{}) != nil {
		st.Dir, st.Error, st.ErrorVersion, st.ErrorAt = "", "", "", nil
	}
	resp := api.ConfigStatusResponse{ConfigStatus: st}
	if p, err := s.platform(); err == nil {
		resp.Rules = len(p.Engine.Rules())
		resp.Campaigns = len(p.Engine.Campaigns(s.now()))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// postConfigImpact analyses a proposed config: the body is the config
// directory as a JSON bundle ({"files": {...}, "commit": "..."}) or as a
// .tar.gz (Content-Type application/gzip).
//
// The one-at-a-time guard is taken before anything else: reading the
// bundle, parsing its policies for the safety check and compiling them
// all take memory in proportion to the bundle, so concurrent requests
// must not each get that far.
func (s *Server) postConfigImpact(w http.ResponseWriter, r *http.Request) error {
	select {
	case s.impactBusy <- struct{}{}:
		defer func() { <-s.impactBusy }()
	default:
		return paved.Errorf(paved.ECONFLICT, "another impact analysis is running on this server: try again in a minute")
	}
	b, err := readBundle(w, r)
	if err != nil {
		return err
	}
	if err := platform.CheckSafePolicies(b); err != nil {
		return err
	}
	proposed, err := platform.LoadBundle(b, platform.Options{Now: s.now})
	if err != nil {
		return err
	}
	cur, err := s.platform()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), impactTimeout)
	defer cancel()
	rep, err := platform.Impact(ctx, s.store, cur, proposed, s.now())
	if err != nil {
		if ctx.Err() != nil && r.Context().Err() == nil {
			return paved.Errorf(paved.EUNPROCESSABLE, "the impact analysis took longer than %s: the organisation's checks are too many to analyse in one request; run paved policy impact against a copy of the database instead", impactTimeout)
		}
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// readBundle reads the body of an impact request.
func readBundle(w http.ResponseWriter, r *http.Request) (*paved.ConfigBundle, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/gzip", "application/x-gzip", "application/x-tar+gzip", "application/x-gtar":
		body := http.MaxBytesReader(w, r.Body, platform.MaxBundleBytes)
		b, err := platform.ReadBundleTarGz(body)
		if err != nil && isTooLarge(err) {
			return nil, paved.Errorf(paved.ETOOLARGE, "the bundle is larger than %d MiB", platform.MaxBundleBytes>>20)
		}
		return b, err
	case "", "application/json":
		// JSON escapes can double the size of text.
		body := http.MaxBytesReader(w, r.Body, 2*platform.MaxBundleBytes)
		data, err := io.ReadAll(body)
		if err != nil {
			if isTooLarge(err) {
				return nil, paved.Errorf(paved.ETOOLARGE, "the bundle is larger than %d MiB", 2*platform.MaxBundleBytes>>20)
			}
			return nil, paved.Errorf(paved.EINVALID, "cannot read the body: %v", err)
		}
		return platform.ParseBundleJSON(data)
	}
	return nil, paved.FieldErrorf(paved.EINVALID, "Content-Type", "%q: send the config directory as application/json ({\"files\": {...}}) or as a .tar.gz (application/gzip)", ct)
}

func isTooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb) || strings.Contains(err.Error(), "request body too large")
}

// ---- the check's config version in the portal

// configDrift is what the portal says about a check recorded against
// another config than the server's.
type configDrift struct {
	Check  string // the version the check ran with ("" for none)
	Server string // the server's
}

// configDriftOf compares a recorded check's config version with the
// config in force; nil when they match.
func (s *Server) configDriftOf(version string) *configDrift {
	cur := s.configStatus().Version
	if platform.SameVersion(version, cur) {
		return nil
	}
	return &configDrift{Check: version, Server: cur}
}
