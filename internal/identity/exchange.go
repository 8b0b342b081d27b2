package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// The CI token exchange's request: {"token": "<the job's ID token>",
// "services": ["shop"]} as JSON, or OAuth 2.0 Token Exchange (RFC 8693) as
// a form: grant_type=urn:ietf:params:oauth:grant-type:token-exchange,
// subject_token=<ID token>, subject_token_type=...:id_token (or :jwt), and
// optionally scope="shop shop-worker" (service names, space-separated).

// RFC 8693 names.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
)

// MaxExchangeBytes bounds an exchange request's body.
const MaxExchangeBytes = 64 << 10

// ExchangeRequest is a parsed exchange request.
type ExchangeRequest struct {
	Token    string
	Services []string
	// OAuth is true for the RFC 8693 form: the answer then uses its
	// field names as well.
	OAuth bool
}

// ExchangeResponse is the answer: a paved token, also under RFC 8693's
// names so that OAuth clients read it as they expect.
type ExchangeResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Services  []string  `json:"services"`
	// RecordedAs is how checks recorded with the token name their recorder.
	RecordedAs string `json:"recorded_as"`

	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	Scope           string `json:"scope"`
}

// NewExchangeResponse fills both spellings.
func NewExchangeResponse(secret string, t *paved.Token, now time.Time) *ExchangeResponse {
	r := &ExchangeResponse{Token: secret, AccessToken: secret, IssuedTokenType: TokenTypeAccess, TokenType: "Bearer"}
	if t.ExpiresAt != nil {
		r.ExpiresAt = t.ExpiresAt.UTC()
		r.ExpiresIn = int64(t.ExpiresAt.Sub(now) / time.Second)
	}
	if t.Scope != nil {
		r.Services = t.Scope.Services
		r.RecordedAs = t.Scope.CI
		r.Scope = strings.Join(t.Scope.Services, " ")
	}
	return r
}

// ParseExchange reads an exchange request body of the given content type
// (application/json or application/x-www-form-urlencoded). Errors are
// EINVALID with the field at fault.
func ParseExchange(contentType string, body []byte) (*ExchangeRequest, error) {
	if len(body) > MaxExchangeBytes {
		return nil, paved.Errorf(paved.ETOOLARGE, "the request is larger than %d bytes", MaxExchangeBytes)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = ""
	}
	var req ExchangeRequest
	switch mt {
	case "application/json":
		var in struct {
			Token    string   `json:"token"`
			Services []string `json:"services"`
			Service  string   `json:"service"`
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "the request is not the JSON object {\"token\": \"<the job's ID token>\", \"services\": [...]}: %v", err)
		}
		if dec.More() {
			return nil, paved.Errorf(paved.EINVALID, "the request holds more than one JSON value")
		}
		req.Token, req.Services = in.Token, in.Services
		if in.Service != "" {
			req.Services = append(req.Services, in.Service)
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "the form cannot be read: %v", err)
		}
		for k, v := range q {
			if len(v) > 1 {
				return nil, paved.FieldErrorf(paved.EINVALID, k, "%s is given %d times", k, len(v))
			}
		}
		if g := q.Get("grant_type"); g != GrantTokenExchange {
			return nil, paved.FieldErrorf(paved.EINVALID, "grant_type", "grant_type %q: want %s", clean(g), GrantTokenExchange)
		}
		if tt := q.Get("subject_token_type"); tt != TokenTypeIDToken && tt != TokenTypeJWT {
			return nil, paved.FieldErrorf(paved.EINVALID, "subject_token_type", "subject_token_type %q: want %s", clean(tt), TokenTypeIDToken)
		}
		if rt := q.Get("requested_token_type"); rt != "" && rt != TokenTypeAccess {
			return nil, paved.FieldErrorf(paved.EINVALID, "requested_token_type", "paved issues access tokens only (%s)", TokenTypeAccess)
		}
		req.Token, req.OAuth = q.Get("subject_token"), true
		req.Services = strings.Fields(q.Get("scope"))
	default:
		return nil, paved.Errorf(paved.EINVALID, "send application/json or application/x-www-form-urlencoded (RFC 8693 token exchange)")
	}
	req.Token = strings.TrimSpace(req.Token)
	if len(req.Services) == 0 {
		req.Services = nil
	}
	if req.Token == "" {
		return nil, paved.FieldErrorf(paved.EINVALID, "token", "no token: send the CI job's ID token")
	}
	if len(req.Services) > paved.MaxScopeServices {
		return nil, paved.FieldErrorf(paved.EINVALID, "services", "%d services: at most %d", len(req.Services), paved.MaxScopeServices)
	}
	for _, s := range req.Services {
		if err := paved.ValidateName("services", s); err != nil {
			return nil, err
		}
	}
	return &req, nil
}

// CI environments paved check recognises, and the variable a GitLab job
// names its ID token with (id_tokens: PAVED_ID_TOKEN: aud: ...).
const (
	EnvGitHubRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	EnvGitHubRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	EnvGitLabIDToken      = "PAVED_ID_TOKEN"
	EnvGitLabCI           = "GITLAB_CI"
)

// JobToken fetches the running CI job's ID token for audience: from
// GitHub Actions' token service (the job needs permissions: id-token:
// write), or from the GitLab variable PAVED_ID_TOKEN. It returns the
// token and where it came from; ("", "", nil) outside a CI job that
// offers one.
func JobToken(ctx context.Context, getenv func(string) string, client *http.Client, audience string) (string, string, error) {
	if u, t := getenv(EnvGitHubRequestURL), getenv(EnvGitHubRequestToken); u != "" && t != "" {
		tok, err := githubJobToken(ctx, client, u, t, audience)
		return tok, "GitHub Actions", err
	}
	if v := strings.TrimSpace(getenv(EnvGitLabIDToken)); v != "" {
		return v, "GitLab CI (" + EnvGitLabIDToken + ")", nil
	}
	return "", "", nil
}

func githubJobToken(ctx context.Context, client *http.Client, requestURL, bearer, audience string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return "", fmt.Errorf("%s is not an https URL", EnvGitHubRequestURL)
	}
	if audience != "" {
		q := u.Query()
		q.Set("audience", audience)
		u.RawQuery = q.Encode()
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("ask GitHub Actions for the job's ID token: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBytes+1024))
	if err != nil {
		return "", fmt.Errorf("read the job's ID token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GitHub Actions refused the job's ID token (%s): does the workflow grant permissions: id-token: write?", resp.Status)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("GitHub Actions answered without a token")
	}
	return out.Value, nil
}
