// Package github is the GitHub collector (api.github.com or a GitHub
// Enterprise Server base URL such as https://github.example.com/api/v3):
// for each service whose repository link points at the collector's host,
// it observes whether the repository exists and is archived, the default
// branch's protection (classic protection and rulesets: required reviews,
// required status checks, whether one of them is paved check), whether
// CODEOWNERS names an enablement team for the infrastructure paths, the
// latest commit of the default branch and the latest release and
// deployment; with an organisation configured it also finds the
// catalog-info.yaml files of the organisation's repositories.
package github

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// Collector is the GitHub collector.
type Collector struct {
	cfg facts.CollectorConfig
	api *facts.API
	web string // the web host repository links use (github.com, github.example.com)
}

// New builds the collector; the token is read from the environment
// variable token_env names.
func New(c facts.CollectorConfig, d facts.Deps) (facts.Collector, error) {
	tok := strings.TrimSpace(d.Getenv(c.TokenEnv))
	if tok == "" {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: the environment variable %s holds no GitHub token", c.Name, c.TokenEnv)
	}
	api, err := facts.NewAPI(c, d, http.Header{
		"Authorization":        {"Bearer " + tok},
		"Accept":               {"application/vnd.github+json"},
		"X-Github-Api-Version": {"2022-11-28"},
	})
	if err != nil {
		return nil, err
	}
	web := api.Base.Host
	if web == "api.github.com" {
		web = "github.com"
	}
	return &Collector{cfg: c, api: api, web: web}, nil
}

// Repository finds the owner/name of a service's repository: the
// github.com/project-slug annotation (Backstage's), or a repo link on the
// collector's host.
func (c *Collector) Repository(s *paved.Service) (string, bool) {
	if slug := strings.TrimSpace(s.Annotations["github.com/project-slug"]); strings.Count(slug, "/") == 1 {
		return slug, true
	}
	for _, l := range s.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !strings.EqualFold(u.Host, c.web) {
			continue
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) >= 2 && parts[0] != "" && parts[1] != "" {
			return parts[0] + "/" + strings.TrimSuffix(parts[1], ".git"), true
		}
	}
	return "", false
}

// Collect observes every service with a repository on this host.
func (c *Collector) Collect(ctx context.Context, t *facts.Target) error {
	enablement := c.cfg.EnablementOwners
	if len(enablement) == 0 && c.cfg.Organisation != "" {
		// Without a list, the catalog's enablement teams as GitHub teams
		// of the organisation (@acme/platform).
		for _, tm := range t.Teams {
			if tm.Kind != paved.KindProduct && tm.Kind != "" {
				enablement = append(enablement, "@"+c.cfg.Organisation+"/"+tm.Name)
			}
		}
	}
	for _, s := range t.Services {
		repo, ok := c.Repository(s)
		if !ok {
			continue
		}
		fs, err := c.repository(ctx, repo, enablement)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			var e *facts.Error
			if asErr(err, &e) && e.Status == http.StatusUnauthorized {
				return err // bad credentials: every call would fail
			}
			t.Fail(s.Name, err)
			continue
		}
		t.Observe(s.Name, fs)
	}
	if c.cfg.Organisation != "" && t.Discover {
		ds, err := c.discover(ctx)
		if err != nil {
			return fmt.Errorf("discover catalog files in %s: %w", c.cfg.Organisation, err)
		}
		t.Discovered(ds)
	}
	return nil
}

func asErr(err error, target **facts.Error) bool {
	for err != nil {
		if e, ok := err.(*facts.Error); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

type repoJSON struct {
	FullName      string `json:"full_name"`
	Archived      bool   `json:"archived"`
	Disabled      bool   `json:"disabled"`
	DefaultBranch string `json:"default_branch"`
	HTMLURL       string `json:"html_url"`
}

// repository observes one repository.
func (c *Collector) repository(ctx context.Context, repo string, enablement []string) (map[string]any, error) {
	var r repoJSON
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo, &r); err != nil {
		if facts.IsNotFound(err) {
			// A missing repository is a fact, not a failure.
			return map[string]any{"github.repository.exists": false}, nil
		}
		return nil, err
	}
	out := map[string]any{
		"github.repository.exists":         true,
		"github.repository.archived":       r.Archived || r.Disabled,
		"github.repository.default_branch": r.DefaultBranch,
	}
	branch := url.PathEscape(r.DefaultBranch)
	reviews, checks, err := c.protection(ctx, repo, branch)
	if err != nil {
		return nil, err
	}
	out["github.branch_protection.required_reviews"] = reviews
	out["github.branch_protection.status_checks"] = len(checks)
	out["github.branch_protection.required_checks"] = checks
	out["github.branch_protection.paved_check"] = slices.ContainsFunc(checks, func(s string) bool {
		return strings.Contains(strings.ToLower(s), strings.ToLower(c.cfg.PavedCheck))
	})

	present, owners, covered, err := c.codeowners(ctx, repo, enablement)
	if err != nil {
		return nil, err
	}
	out["github.codeowners.present"] = present
	out["github.codeowners.infra_owners"] = owners
	out["github.codeowners.infra_enablement"] = covered

	var commit struct {
		SHA    string `json:"sha"`
		Commit struct {
			Committer struct {
				Date string `json:"date"`
			} `json:"committer"`
		} `json:"commit"`
	}
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo+"/commits/"+branch, &commit); err == nil {
		out["github.default_branch.commit_sha"] = commit.SHA
		out["github.default_branch.commit_at"] = commit.Commit.Committer.Date
	} else if !facts.IsNotFound(err) { // an empty repository has no commit
		return nil, err
	}
	var rel struct {
		TagName     string `json:"tag_name"`
		PublishedAt string `json:"published_at"`
		Target      string `json:"target_commitish"`
	}
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo+"/releases/latest", &rel); err == nil {
		out["github.release.latest_tag"] = rel.TagName
		out["github.release.latest_at"] = rel.PublishedAt
	} else if !facts.IsNotFound(err) { // 404: no release yet
		return nil, err
	}
	var deps []struct {
		SHA         string `json:"sha"`
		Environment string `json:"environment"`
		CreatedAt   string `json:"created_at"`
	}
	q := url.Values{"environment": {c.cfg.Environment}, "per_page": {"1"}}
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo+"/deployments?"+q.Encode(), &deps); err != nil {
		return nil, err
	}
	if len(deps) > 0 {
		out["github.deployment.latest_sha"] = deps[0].SHA
		out["github.deployment.latest_at"] = deps[0].CreatedAt
	}
	return out, nil
}

// protection reads the default branch's required reviews and checks from
// classic branch protection and from the rulesets that apply to it
// (repository and organisation); the stricter of the two counts.
func (c *Collector) protection(ctx context.Context, repo, branch string) (int, []string, error) {
	reviews := 0
	checks := []string{}
	add := func(name string) {
		if name != "" && !slices.Contains(checks, name) {
			checks = append(checks, name)
		}
	}
	var p struct {
		RequiredStatusChecks *struct {
			Contexts []string `json:"contexts"`
			Checks   []struct {
				Context string `json:"context"`
			} `json:"checks"`
		} `json:"required_status_checks"`
		RequiredPullRequestReviews *struct {
			Count int `json:"required_approving_review_count"`
		} `json:"required_pull_request_reviews"`
	}
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo+"/branches/"+branch+"/protection", &p); err == nil {
		if p.RequiredPullRequestReviews != nil {
			reviews = p.RequiredPullRequestReviews.Count
		}
		if p.RequiredStatusChecks != nil {
			for _, x := range p.RequiredStatusChecks.Contexts {
				add(x)
			}
			for _, x := range p.RequiredStatusChecks.Checks {
				add(x.Context)
			}
		}
	} else if !facts.IsNotFound(err) { // 404 "Branch not protected"
		return 0, nil, err
	}
	next := "/repos/" + repo + "/rules/branches/" + branch + "?per_page=100"
	for pages := 0; next != "" && pages < 10; pages++ {
		var rules []struct {
			Type       string `json:"type"`
			Parameters struct {
				Count  int `json:"required_approving_review_count"`
				Checks []struct {
					Context string `json:"context"`
				} `json:"required_status_checks"`
			} `json:"parameters"`
		}
		resp, err := c.api.GetJSON(ctx, next, &rules)
		if err != nil {
			if facts.IsNotFound(err) { // Enterprise Server without rulesets
				break
			}
			return 0, nil, err
		}
		for _, r := range rules {
			switch r.Type {
			case "pull_request":
				reviews = max(reviews, r.Parameters.Count)
			case "required_status_checks":
				for _, x := range r.Parameters.Checks {
					add(x.Context)
				}
			}
		}
		next = resp.Next
	}
	return reviews, checks, nil
}

// codeowners reads the CODEOWNERS file (in GitHub's search order): the
// owners of the infrastructure paths, and whether every one of those
// paths has an enablement owner.
func (c *Collector) codeowners(ctx context.Context, repo string, enablement []string) (bool, []string, bool, error) {
	for _, p := range []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"} {
		text, _, err := c.file(ctx, repo, p)
		if facts.IsNotFound(err) {
			continue
		}
		if err != nil {
			return false, nil, false, err
		}
		owners := []string{}
		covered := len(c.cfg.InfrastructurePaths) > 0
		for _, ip := range c.cfg.InfrastructurePaths {
			pathOwners := facts.CodeOwners(text, ip)
			covered = covered && slices.ContainsFunc(pathOwners, func(o string) bool {
				return slices.ContainsFunc(enablement, func(e string) bool { return strings.EqualFold(o, e) })
			})
			for _, o := range pathOwners {
				if !slices.Contains(owners, o) {
					owners = append(owners, o)
				}
			}
		}
		return true, owners, covered, nil
	}
	return false, []string{}, false, nil
}

// file reads a file through the contents API (base64 in JSON).
func (c *Collector) file(ctx context.Context, repo, p string) (string, string, error) {
	var f struct {
		Type     string `json:"type"`
		Encoding string `json:"encoding"`
		Content  string `json:"content"`
		SHA      string `json:"sha"`
	}
	if _, err := c.api.GetJSON(ctx, "/repos/"+repo+"/contents/"+p, &f); err != nil {
		return "", "", err
	}
	if f.Type != "file" || f.Encoding != "base64" {
		return "", "", fmt.Errorf("%s in %s is not a file", p, repo)
	}
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(f.Content, "\n", ""))
	if err != nil {
		return "", "", fmt.Errorf("%s in %s: %v", p, repo, err)
	}
	return string(b), f.SHA, nil
}

// maxDiscoveryRepos bounds the repositories searched in one run.
const maxDiscoveryRepos = 5000

// discover lists the organisation's repositories (following the Link
// header's pages) and reads the catalog file of each that has one.
func (c *Collector) discover(ctx context.Context) ([]*paved.CatalogDiscovery, error) {
	var out []*paved.CatalogDiscovery
	next := "/orgs/" + url.PathEscape(c.cfg.Organisation) + "/repos?per_page=100&type=all"
	seen := 0
	for next != "" && seen < maxDiscoveryRepos {
		var repos []repoJSON
		resp, err := c.api.GetJSON(ctx, next, &repos)
		if err != nil {
			return nil, err
		}
		for _, r := range repos {
			seen++
			if r.Archived || r.Disabled || r.FullName == "" {
				continue
			}
			text, sha, err := c.file(ctx, r.FullName, c.cfg.DiscoveryPath)
			if facts.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if len(text) > paved.MaxDiscoveryBytes {
				continue
			}
			out = append(out, &paved.CatalogDiscovery{Repository: r.FullName, Path: c.cfg.DiscoveryPath, SHA: sha, Content: text,
				URL: strings.TrimSuffix(r.HTMLURL, "/") + "/blob/" + url.PathEscape(r.DefaultBranch) + "/" + path.Clean(c.cfg.DiscoveryPath), FoundAt: time.Now().UTC()})
		}
		next = resp.Next
	}
	return out, nil
}
