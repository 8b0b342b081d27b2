package web

// The portal: server-rendered HTML pages over the same store and the same
// authorisation point (paved.Authorize, through s.authorize) as the API.
//
// How to add a page
//
//  1. Write a handler `func (s *Server) fooPage(w http.ResponseWriter, r *http.Request) error`
//     that loads what it shows and ends with `return s.render(w, r, "foo.html", data)`.
//     The route's action is checked before it runs; ask s.authorize only
//     about extras the page shows to some users (an edit link, a form).
//     Return errors instead of writing them: a *paved.Error becomes an HTML
//     error page with its status (404, 403 ...), anything else a 500 whose
//     detail goes to the log only.
//  2. Write templates/foo.html with {{define "title"}} and {{define "content"}}
//     blocks; base.html supplies header, navigation, flash and footer. The
//     page's own data is .Data; .User, .CSRF, .Org and .Version are common.
//     Every <form method="post"> needs {{template "csrf" .}}.
//  3. Add it to the route table (routeTable in routes.go) with a Go 1.22
//     method pattern, facePortal (signed-in users only; POSTs are
//     CSRF-checked there), the action it needs and how its resource is
//     found, and state who may use it in the route x role test.
//  4. For a navigation entry add one line to portalNav; its Action hides the
//     entry from users that paved.Authorize would refuse.
//
// Styles go in static/paved.css (the Content-Security-Policy forbids inline
// styles and scripts, so no style= attributes and no <script> bodies).

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

//go:embed templates static
var portalFS embed.FS

// navItem is one entry of the portal navigation. Path is also the prefix
// that marks the entry as active.
type navItem struct {
	Label  string
	Path   string
	Action paved.Action // the entry shows only if this action is allowed; "" for everyone
}

// portalNav is the navigation bar, in order. Adding a page to it is one line.
var portalNav = []navItem{
	{Label: "Home", Path: "/"},
	{Label: "Services", Path: "/services"},
	{Label: "Launches", Path: "/launches"},
	{Label: "Reviews", Path: "/reviews", Action: paved.ActReviewAnswer},
	{Label: "Exceptions", Path: "/exceptions"},
	{Label: "Ownership", Path: "/ownership"},
	{Label: "Campaigns", Path: "/campaigns"},
	{Label: "Spend", Path: "/spend", Action: paved.ActReadCost},
	{Label: "Teams", Path: "/teams"},
	{Label: "People", Path: "/users"},
	{Label: "Audit log", Path: "/audit", Action: paved.ActReadAudit},
	{Label: "Collectors", Path: "/facts/collectors", Action: paved.ActCollectFacts},
}

// portal holds what initPortal prepares once at start-up.
type portal struct {
	pages map[string]*template.Template // page file name -> base + page
	// assetVersion is a hash of all static files, appended to asset URLs so
	// that they can be cached for a year and still change with a release.
	assetVersion string
	static       http.Handler
	crossOrigin  *http.CrossOriginProtection
}

// initPortal parses every page template with the base layout, so that a
// broken template fails NewServer instead of the first request to it.
func (s *Server) initPortal() error {
	p := &portal{pages: map[string]*template.Template{}, crossOrigin: http.NewCrossOriginProtection()}

	staticFS, err := fs.Sub(portalFS, "static")
	if err != nil {
		return fmt.Errorf("portal: static assets: %w", err)
	}
	h := sha256.New()
	err = fs.WalkDir(staticFS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFS, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return fmt.Errorf("portal: hash static assets: %w", err)
	}
	p.assetVersion = hex.EncodeToString(h.Sum(nil))[:12]
	p.static = http.StripPrefix("/static/", http.FileServerFS(staticFS))

	base, err := template.New("base.html").Funcs(s.templateFuncs(p)).ParseFS(portalFS, "templates/base.html")
	if err != nil {
		return fmt.Errorf("portal: parse base template: %w", err)
	}
	names, err := fs.Glob(portalFS, "templates/*.html")
	if err != nil {
		return fmt.Errorf("portal: list templates: %w", err)
	}
	for _, name := range names {
		file := path.Base(name)
		if file == "base.html" {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return fmt.Errorf("portal: clone base for %s: %w", file, err)
		}
		if _, err := t.ParseFS(portalFS, name); err != nil {
			return fmt.Errorf("portal: parse %s: %w", file, err)
		}
		p.pages[file] = t
	}
	s.portal = p
	return nil
}

// serveStatic serves the embedded assets. URLs carry ?v=<content hash>
// (see the static template function), so they may be cached for a year.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	if strings.HasSuffix(r.URL.Path, "/") {
		// No directory listings.
		s.portalError(w, r, paved.Errorf(paved.ENOTFOUND, "page not found"))
		return nil
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	s.portal.static.ServeHTTP(w, r)
	return nil
}

// page wraps a portal route for signed-in users: it resolves the session
// (or redirects to sign-in), checks CSRF on every state-changing request,
// admits the user to the route's action, and renders returned errors.
func (s *Server) page(rt route) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		sess := sessionFrom(r.Context())
		if sess == nil {
			s.redirectToSignin(w, r)
			return nil
		}
		if !isSafeMethod(r.Method) {
			if err := s.checkCSRF(r, sess.CSRF); err != nil {
				return err
			}
		}
		r, err := s.admit(r, &rt)
		if err != nil {
			return err
		}
		return rt.Handle(w, r)
	})
}

// public wraps a handler that may run without a session (sign-in, 404); the
// session is still resolved so that the header shows who is signed in.
func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = s.withSession(w, r)
		if !isSafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		if err := h(w, r); err != nil {
			s.portalError(w, r, err)
		}
	})
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// pageData is what every template receives.
type pageData struct {
	Org     string // "" when no organisation is configured
	Version string
	User    *paved.User
	CSRF    string // the session's CSRF secret, echoed by every form
	Nav     []navLink
	Flash   string
	Path    string
	Data    any // the page's own data
	// Config is the admins' banner about a refused platform config.
	Config *configBanner
}

type navLink struct {
	Label  string
	Path   string
	Active bool
}

// render writes the page with status 200; see renderStatus.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus executes page template name with the common data around
// data. It renders into a buffer first so that a template error becomes a
// clean error page instead of half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, ok := s.portal.pages[name]
	if !ok {
		return fmt.Errorf("portal: no template %q", name)
	}
	pd := pageData{
		Org:     s.app.Organisation,
		Version: s.cfg.Version,
		User:    paved.UserFrom(r.Context()),
		Path:    r.URL.Path,
		Data:    data,
	}
	if pd.Version == "" {
		pd.Version = "dev"
	}
	if sess := sessionFrom(r.Context()); sess != nil {
		pd.CSRF = sess.CSRF
		pd.Nav = s.navFor(r)
	}
	pd.Flash = takeFlash(w, r)
	pd.Config = s.configBannerFor(r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", pd); err != nil {
		return fmt.Errorf("portal: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// Pages show data for one signed-in user; no shared cache may keep them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

// navFor returns the navigation the signed-in user may see, with the entry
// for the current page marked.
func (s *Server) navFor(r *http.Request) []navLink {
	var out []navLink
	for _, it := range portalNav {
		if it.Action != "" && s.authorize(r, it.Action, paved.Resource{}) != nil {
			continue
		}
		active := r.URL.Path == it.Path
		if it.Path != "/" && strings.HasPrefix(r.URL.Path, it.Path+"/") {
			active = true
		}
		out = append(out, navLink{Label: it.Label, Path: it.Path, Active: active})
	}
	return out
}

// errorView is the data of error.html.
type errorView struct {
	Status  int
	Title   string
	Message string
}

// portalError renders err as an HTML page with the status its code maps to.
// Internal errors are logged in full and shown generically.
func (s *Server) portalError(w http.ResponseWriter, r *http.Request, err error) {
	st := StatusFor(err)
	if st == http.StatusUnauthorized {
		// A page that needs a signed-in user: send the browser to sign in.
		s.redirectToSignin(w, r)
		return
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = paved.Errorf(paved.ETOOLARGE, "the form is larger than the limit of %d bytes", mbe.Limit)
		st = http.StatusRequestEntityTooLarge
	}
	v := errorView{Status: st, Title: http.StatusText(st), Message: paved.ErrorMessage(err)}
	switch st {
	case http.StatusNotFound:
		v.Title = "Page not found"
	case http.StatusForbidden:
		v.Title = "Not allowed"
	}
	if st >= 500 {
		s.log.ErrorContext(r.Context(), "portal request failed",
			slog.String("request_id", requestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("error", err.Error()))
		v.Message = "Something went wrong on our side. The request id in the X-Request-Id header finds it in the server log."
	}
	if rerr := s.renderStatus(w, r, st, "error.html", v); rerr != nil {
		// The error page itself failed (a template bug): plain text is all
		// that is left.
		s.log.ErrorContext(r.Context(), "portal error page failed", slog.String("error", rerr.Error()))
		http.Error(w, v.Title+": "+v.Message, st)
	}
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) error {
	return paved.Errorf(paved.ENOTFOUND, "There is no page at %s.", r.URL.Path)
}

// templateFuncs are the helpers every template may call.
func (s *Server) templateFuncs(p *portal) template.FuncMap {
	fm := template.FuncMap{
		"static": func(name string) string {
			return "/static/" + name + "?v=" + p.assetVersion
		},
		"phaseLabel": func(ph paved.Phase) string {
			if ph == paved.PhaseGreenLight {
				return "green-light"
			}
			return string(ph)
		},
		"tierLabel": tierLabel,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04 UTC")
		},
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"join":    strings.Join,
		"roles": func(rs []paved.Role) string {
			ss := make([]string, len(rs))
			for i, r := range rs {
				ss[i] = string(r)
			}
			return strings.Join(ss, ", ")
		},
		"sortedKeys": paved.SortedKeys[string],
		"changeKeys": paved.SortedKeys[paved.Change],
		"changeText": changeText,
		"safeURL":    safeURL,
		"enablement": func(k paved.TeamKind) bool { return k.Enablement() },
		"eq2": func(a, b any) bool {
			// Compare a typed value (a Tier, a Phase) with the form's string.
			return fmt.Sprint(a) == fmt.Sprint(b)
		},
		"contains":  func(list []string, v string) bool { return slices.Contains(list, v) },
		"objectURL": auditObjectURL,
	}
	maps.Copy(fm, s.launchFuncs())
	maps.Copy(fm, s.ownershipFuncs())
	maps.Copy(fm, s.campaignFuncs())
	maps.Copy(fm, s.spendFuncs())
	return fm
}

func tierLabel(t paved.Tier) string {
	switch t {
	case 1:
		return "tier 1 · business critical"
	case 2:
		return "tier 2 · important"
	case 3:
		return "tier 3 · standard"
	case 4:
		return "tier 4 · internal tool"
	}
	return "tier " + strconv.Itoa(int(t))
}

// safeURL lets only http(s) and mailto links through as hrefs; anything else
// (javascript:, data:) from an imported catalog is shown as text by the
// template. html/template would also neutralise unsafe schemes, but to a
// broken "#ZgotmplZ" link; an empty result lets the page say why.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return u.String()
	}
	return ""
}

// changeText shows one audit change compactly: "from → to" with JSON values.
func changeText(c paved.Change) string {
	from, to := string(c.From), string(c.To)
	const max = 120
	cut := func(s string) string {
		// Cut at a rune boundary: half a UTF-8 sequence would show as U+FFFD.
		if r := []rune(s); len(r) > max {
			return string(r[:max]) + "…"
		}
		return s
	}
	switch {
	case from == "" && to == "":
		return ""
	case from == "":
		return cut(to)
	case to == "":
		return cut(from) + " → (removed)"
	}
	return cut(from) + " → " + cut(to)
}
