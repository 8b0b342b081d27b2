// Package oidctest runs a real OpenID provider for paved's tests, in its
// own process: zitadel's certified OpenID provider library
// (github.com/zitadel/oidc/v3/pkg/op) with its example in-memory storage,
// extended with a groups claim, signing-key rotation, a login form and a
// few control endpoints under /test/ that let a test change a person's
// groups, rotate keys, and sign tokens with the provider's own key (to
// build expired, wrong-audience and wrong-nonce tokens that still carry a
// valid signature) or with a stranger's (a forgery).
//
// The provider is the test binary itself, re-executed: a test package's
// TestMain calls RunIfProvider first, and Start launches the binary with
// the variable that makes RunIfProvider serve instead of testing. It is
// imported only by tests; the paved binary does not link it.
package oidctest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// envChild carries the provider's options to the re-executed test binary.
const envChild = "PAVED_OIDCTEST_PROVIDER"

// readyPrefix starts the line the child prints when it listens.
const readyPrefix = "PAVED_OIDCTEST_LISTENING "

// Options configure the provider's one client (paved).
type Options struct {
	ClientID     string
	ClientSecret string
	// RedirectURLs are the client's exact redirect URIs; SetClient
	// changes them later (when paved's port is known only after start).
	RedirectURLs   []string
	PostLogoutURLs []string
	// IDTokenLifetime defaults to 5 minutes.
	IDTokenLifetime time.Duration
}

// User is a person at the provider.
type User struct {
	ID            string   `json:"id"`
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	FirstName     string   `json:"first_name"`
	LastName      string   `json:"last_name"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Groups        []string `json:"groups"`
}

// RunIfProvider serves the provider and exits when the process was
// started by Start; otherwise it returns at once. Call it first in
// TestMain.
func RunIfProvider() {
	spec := os.Getenv(envChild)
	if spec == "" {
		return
	}
	var o Options
	if err := json.Unmarshal([]byte(spec), &o); err != nil {
		fmt.Fprintln(os.Stderr, "oidctest:", err)
		os.Exit(2)
	}
	if err := serve(o); err != nil {
		fmt.Fprintln(os.Stderr, "oidctest:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serve listens on a loopback port, prints it, and serves until stdin
// closes (the parent died or stopped it).
func serve(o Options) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	issuer := "http://" + ln.Addr().String()
	st := newStore(o)
	key := sha256.Sum256([]byte("oidctest"))
	prov, err := op.NewOpenIDProvider(issuer, &op.Config{
		CryptoKey:                key,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		DefaultLogoutRedirectURI: "/signed-out",
		SupportedUILocales:       []language.Tag{language.English},
	}, st, op.WithAllowInsecure(), op.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	login := op.NewIssuerInterceptor(prov.IssuerFromRequest)
	callback := op.AuthCallbackURL(prov)
	mux.HandleFunc("GET /login/username", func(w http.ResponseWriter, r *http.Request) {
		renderLogin(w, r.URL.Query().Get("authRequestID"), "")
	})
	mux.Handle("POST /login/username", login.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PostFormValue("id")
		if err := st.CheckUsernamePassword(r.PostFormValue("username"), r.PostFormValue("password"), id); err != nil {
			renderLogin(w, id, "Wrong username or password.")
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "signed out at the provider")
	})
	st.routes(mux)
	mux.Handle("/", prov)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	fmt.Printf("%s%s\n", readyPrefix, issuer)
	io.Copy(io.Discard, os.Stdin) // until the parent closes it or dies
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html><head><title>Test provider: sign in</title></head><body>
<h1>Test OpenID provider</h1>
{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login/username">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input id="username" name="username" autocomplete="off"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Sign in</button>
</form></body></html>`))

func renderLogin(w http.ResponseWriter, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	loginPage.Execute(w, struct{ ID, Error string }{id, msg})
}

// store is the example storage with paved's client, a groups claim and
// rotating keys.
type store struct {
	*storage.Storage
	users *users

	mu     sync.Mutex
	client *client
	keys   []*signingKey // the last one signs
	ended  int           // end-session requests
}

func newStore(o Options) *store {
	u := &users{byID: map[string]*User{}}
	s := &store{Storage: storage.NewStorageWithClients(u, map[string]*storage.Client{}), users: u}
	s.client = &client{id: o.ClientID, secret: o.ClientSecret, redirects: o.RedirectURLs, postLogout: o.PostLogoutURLs, lifetime: o.IDTokenLifetime}
	if s.client.lifetime <= 0 {
		s.client.lifetime = 5 * time.Minute
	}
	s.keys = []*signingKey{newKey()}
	return s
}

// users is the provider's directory, changed by /test/users.
type users struct {
	mu   sync.Mutex
	byID map[string]*User
}

func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return toExample(u.byID[id])
}

func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, v := range u.byID {
		if v.Username == name {
			return toExample(v)
		}
	}
	return nil
}

func (u *users) ExampleClientID() string { return "" }

func (u *users) groups(id string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if v := u.byID[id]; v != nil {
		return append([]string(nil), v.Groups...)
	}
	return nil
}

func toExample(v *User) *storage.User {
	if v == nil {
		return nil
	}
	return &storage.User{ID: v.ID, Username: v.Username, Password: v.Password, FirstName: v.FirstName, LastName: v.LastName,
		Email: v.Email, EmailVerified: v.EmailVerified, PreferredLanguage: language.English}
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func newKey() *signingKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	return &signingKey{id: fmt.Sprintf("k-%x", b), key: k}
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }

func (s *store) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[len(s.keys)-1], nil
}

func (s *store) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet publishes every key, old ones too, as a provider does while
// tokens signed with them may still be in flight.
func (s *store) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]op.Key, 0, len(s.keys))
	for _, k := range s.keys {
		out = append(out, publicKey{k})
	}
	return out, nil
}

func (s *store) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.client.id {
		return nil, errors.New("client not found")
	}
	c := *s.client
	return &c, nil
}

func (s *store) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != s.client.id || secret != s.client.secret {
		return errors.New("invalid client")
	}
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims: the example's, and
// the person's groups when the groups scope was asked for.
func (s *store) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	s.addGroups(ui, req.GetSubject(), scopes)
	return nil
}

// SetUserinfoFromToken fills the userinfo endpoint's answer.
func (s *store) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.addGroups(ui, subject, []string{"groups"})
	return nil
}

func (s *store) addGroups(ui *oidc.UserInfo, subject string, scopes []string) {
	for _, sc := range scopes {
		if sc == "groups" {
			g := s.users.groups(subject)
			if g == nil {
				g = []string{}
			}
			ui.AppendClaims("groups", g)
		}
	}
}

// TerminateSession counts end-session requests (RP-initiated logout).
func (s *store) TerminateSession(ctx context.Context, userID, clientID string) error {
	s.mu.Lock()
	s.ended++
	s.mu.Unlock()
	return s.Storage.TerminateSession(ctx, userID, clientID)
}

// client is paved as the provider's client.
type client struct {
	id, secret            string
	redirects, postLogout []string
	lifetime              time.Duration
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string    { return c.postLogout }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string {
	return "/login/username?authRequestID=" + url.QueryEscape(id)
}
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return c.lifetime }
func (c *client) DevMode() bool                        { return true } // http://127.0.0.1 redirect URIs
func (c *client) IsScopeAllowed(scope string) bool     { return scope == "groups" }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// routes are the control endpoints.
func (s *store) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /test/users", func(w http.ResponseWriter, r *http.Request) {
		var u User
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || u.ID == "" {
			http.Error(w, "bad user", http.StatusBadRequest)
			return
		}
		s.users.mu.Lock()
		s.users.byID[u.ID] = &u
		s.users.mu.Unlock()
	})
	mux.HandleFunc("POST /test/client", func(w http.ResponseWriter, r *http.Request) {
		var c struct{ RedirectURLs, PostLogoutURLs []string }
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, "bad client", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.client.redirects, s.client.postLogout = c.RedirectURLs, c.PostLogoutURLs
		s.mu.Unlock()
	})
	mux.HandleFunc("POST /test/rotate", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.keys = append(s.keys, newKey())
		s.mu.Unlock()
	})
	mux.HandleFunc("POST /test/sign", func(w http.ResponseWriter, r *http.Request) {
		var claims map[string]any
		if err := json.NewDecoder(r.Body).Decode(&claims); err != nil {
			http.Error(w, "bad claims", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		k := s.keys[len(s.keys)-1]
		s.mu.Unlock()
		if r.URL.Query().Get("forged") != "" {
			// A stranger's key under the provider's key id.
			k = &signingKey{id: k.id, key: newKey().key}
		}
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.key, KeyID: k.id}}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		tok, err := jwt.Signed(sig).Claims(claims).Serialize()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"token": tok})
	})
	mux.HandleFunc("GET /test/ended", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]int{"ended": s.ended})
	})
}

// Provider is a running test provider, seen from the test.
type Provider struct {
	Issuer string
	Opts   Options

	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
	client *http.Client
	once   sync.Once
}

// Start runs the provider in a child process and stops it when the test
// ends. The test binary's TestMain must call RunIfProvider.
func Start(t testing.TB, o Options) *Provider {
	t.Helper()
	spec, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+string(spec))
	p := &Provider{Opts: o, cmd: cmd, stderr: &bytes.Buffer{}, client: &http.Client{Timeout: 30 * time.Second}}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), readyPrefix); ok {
				line <- v
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case p.Issuer = <-line:
	case <-time.After(60 * time.Second):
		p.Stop()
		t.Fatalf("the test OpenID provider did not start: %s", p.stderr)
	}
	return p
}

// Stop ends the provider process (an unreachable issuer, for tests of that).
func (p *Provider) Stop() {
	p.once.Do(func() {
		p.stdin.Close()
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
	})
}

func (p *Provider) post(t testing.TB, path string, body any) []byte {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := p.client.Post(p.Issuer+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("test provider %s: %v", path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("test provider %s: %s: %s", path, resp.Status, out)
	}
	return out
}

// SetUser creates or replaces a person (groups included).
func (p *Provider) SetUser(t testing.TB, u User) { t.Helper(); p.post(t, "/test/users", u) }

// SetClient replaces the client's redirect and post-logout URIs.
func (p *Provider) SetClient(t testing.TB, redirects, postLogout []string) {
	t.Helper()
	p.post(t, "/test/client", map[string][]string{"RedirectURLs": redirects, "PostLogoutURLs": postLogout})
}

// Rotate makes a new signing key current; the old one stays published.
func (p *Provider) Rotate(t testing.TB) { t.Helper(); p.post(t, "/test/rotate", struct{}{}) }

// Sign returns a JWT with these claims signed by the provider's current
// key, or by a stranger's key under the same key id when forged.
func (p *Provider) Sign(t testing.TB, claims map[string]any, forged bool) string {
	t.Helper()
	path := "/test/sign"
	if forged {
		path += "?forged=1"
	}
	var out struct{ Token string }
	if err := json.Unmarshal(p.post(t, path, claims), &out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

// Ended counts the end-session requests the provider has served.
func (p *Provider) Ended(t testing.TB) int {
	t.Helper()
	resp, err := p.client.Get(p.Issuer + "/test/ended")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Ended int }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.Ended
}

// Login walks a browser's part of the authorization code flow with c (which
// must keep cookies): it follows authURL to the provider's login form,
// signs in, and returns the redirect to paved's callback without following
// it. A provider error page fails the test.
func (p *Provider) Login(t testing.TB, c *http.Client, authURL, username, password string) *url.URL {
	t.Helper()
	nc := *c
	nc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), p.Issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}
	resp, err := nc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/login/username" {
		t.Fatalf("the provider did not show its login form: %s %s: %s", resp.Status, resp.Request.URL, body)
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	resp, err = nc.PostForm(p.Issuer+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || loc == "" {
		t.Fatalf("signing in at the provider: %s: %s", resp.Status, body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Request.URL.ResolveReference(u)
}
