// Package gitlab is the GitLab collector (gitlab.com or a self-managed
// instance's API base URL such as https://gitlab.example.com/api/v4): for
// each service whose project is named by the gitlab.com/project-slug
// annotation or a repository link on the collector's host, it observes
// whether the project exists and is archived, the default branch's
// protection (who may push and merge, code owner approval, the approvals
// required, whether a merge waits for the pipeline, the external status
// checks), whether .gitlab-ci.yml runs paved check, whether CODEOWNERS
// names an enablement team for the infrastructure paths, the latest commit
// of the default branch and the latest release and deployment; with a
// group configured (organisation) it also finds the catalog-info.yaml
// files of the group's projects, subgroups included.
package gitlab

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// Collector is the GitLab collector.
type Collector struct {
	cfg facts.CollectorConfig
	api *facts.API
	web string // the web host project links use (gitlab.com, gitlab.example.com)
}

// New builds the collector; the token is read from the environment
// variable token_env names and sent as PRIVATE-TOKEN (personal, project
// and group access tokens) or, with auth_scheme: bearer, as an OAuth
// bearer token.
func New(c facts.CollectorConfig, d facts.Deps) (facts.Collector, error) {
	tok := strings.TrimSpace(d.Getenv(c.TokenEnv))
	if tok == "" {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: the environment variable %s holds no GitLab token", c.Name, c.TokenEnv)
	}
	h := http.Header{"Accept": {"application/json"}}
	if c.AuthScheme == facts.AuthBearer {
		h.Set("Authorization", "Bearer "+tok)
	} else {
		h.Set("Private-Token", tok)
	}
	api, err := facts.NewAPI(c, d, h)
	if err != nil {
		return nil, err
	}
	return &Collector{cfg: c, api: api, web: api.Base.Host}, nil
}

// Project finds the path (group/subgroup/project) of a service's project:
// the gitlab.com/project-slug annotation (Backstage's GitLab plugin), or a
// repository link on the collector's host (everything before /-/).
func (c *Collector) Project(s *paved.Service) (string, bool) {
	if slug := strings.Trim(strings.TrimSpace(s.Annotations["gitlab.com/project-slug"]), "/"); strings.Contains(slug, "/") {
		return slug, true
	}
	for _, l := range s.Links {
		u, err := url.Parse(l.URL)
		if err != nil || !strings.EqualFold(u.Host, c.web) {
			continue
		}
		p, _, _ := strings.Cut(strings.Trim(u.Path, "/"), "/-/")
		p = strings.TrimSuffix(strings.Trim(p, "/"), ".git")
		if strings.Contains(p, "/") && !strings.HasPrefix(p, "api/") {
			return p, true
		}
	}
	return "", false
}

// Collect observes every service with a project on this host.
func (c *Collector) Collect(ctx context.Context, t *facts.Target) error {
	enablement := c.cfg.EnablementOwners
	if len(enablement) == 0 && c.cfg.Organisation != "" {
		// Without a list, the catalog's enablement teams as GitLab groups
		// below the configured group (@acme/platform).
		for _, tm := range t.Teams {
			if tm.Kind != paved.KindProduct && tm.Kind != "" {
				enablement = append(enablement, "@"+c.cfg.Organisation+"/"+tm.Name)
			}
		}
	}
	for _, s := range t.Services {
		p, ok := c.Project(s)
		if !ok {
			continue
		}
		fs, err := c.project(ctx, p, enablement)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			var e *facts.Error
			if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
				return err // a bad or expired token: every call would fail
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

type projectJSON struct {
	ID                               int    `json:"id"`
	PathWithNamespace                string `json:"path_with_namespace"`
	DefaultBranch                    string `json:"default_branch"`
	Archived                         bool   `json:"archived"`
	WebURL                           string `json:"web_url"`
	EmptyRepo                        bool   `json:"empty_repo"`
	CIConfigPath                     string `json:"ci_config_path"`
	OnlyAllowMergeIfPipelineSucceeds bool   `json:"only_allow_merge_if_pipeline_succeeds"`
	ApprovalsBeforeMerge             int    `json:"approvals_before_merge"`
}

// id is a project's path as one URL path segment (group%2Fproject).
func id(p string) string { return url.PathEscape(p) }

// optional turns the answers of a feature the instance or its tier does
// not have (404 on Community Edition, 403 below Premium) into "none".
func optional(err error) error {
	var e *facts.Error
	if errors.As(err, &e) && (e.Status == http.StatusNotFound || e.Status == http.StatusForbidden) {
		return nil
	}
	return err
}

// project observes one project.
func (c *Collector) project(ctx context.Context, p string, enablement []string) (map[string]any, error) {
	var pr projectJSON
	if _, err := c.api.GetJSON(ctx, "/projects/"+id(p), &pr); err != nil {
		if facts.IsNotFound(err) {
			// A missing project is a fact, not a failure.
			return map[string]any{"gitlab.project.exists": false}, nil
		}
		return nil, err
	}
	out := map[string]any{
		"gitlab.project.exists":         true,
		"gitlab.project.archived":       pr.Archived,
		"gitlab.project.default_branch": pr.DefaultBranch,
	}
	pid := strconv.Itoa(pr.ID)
	if pr.ID == 0 {
		pid = id(p)
	}
	branch := pr.DefaultBranch

	prot, err := c.protection(ctx, pid, branch)
	if err != nil {
		return nil, err
	}
	out["gitlab.branch_protection.protected"] = prot.protected
	out["gitlab.branch_protection.push_access"] = prot.push
	out["gitlab.branch_protection.merge_access"] = prot.merge
	out["gitlab.branch_protection.force_push"] = prot.forcePush
	out["gitlab.branch_protection.code_owner_approval"] = prot.codeOwners
	out["gitlab.branch_protection.pipeline_must_succeed"] = pr.OnlyAllowMergeIfPipelineSucceeds

	reviews, err := c.approvals(ctx, pid, branch, prot.id, pr.ApprovalsBeforeMerge)
	if err != nil {
		return nil, err
	}
	out["gitlab.branch_protection.required_reviews"] = reviews
	checks, err := c.statusChecks(ctx, pid, branch)
	if err != nil {
		return nil, err
	}
	out["gitlab.branch_protection.status_checks"] = len(checks)
	out["gitlab.branch_protection.required_checks"] = checks

	if branch == "" || pr.EmptyRepo {
		// Nothing to read files or commits from yet.
		out["gitlab.ci.present"] = false
		out["gitlab.ci.paved_check"] = false
		out["gitlab.codeowners.present"] = false
		return out, nil
	}

	ciPath := ".gitlab-ci.yml"
	if x := strings.TrimSpace(pr.CIConfigPath); x != "" && !strings.Contains(x, "@") && !strings.Contains(x, "://") {
		ciPath = x // a CI file elsewhere in the project; another project's or a URL is not read
	}
	text, _, err := c.file(ctx, pid, ciPath, branch)
	switch {
	case facts.IsNotFound(err):
		out["gitlab.ci.present"] = false
		out["gitlab.ci.paved_check"] = false
	case err != nil:
		return nil, err
	default:
		ci := PavedCheck(text, c.cfg.PavedCheck)
		out["gitlab.ci.present"] = true
		out["gitlab.ci.paved_check"] = ci.Runs()
		out["gitlab.ci.paved_check_jobs"] = ci.Jobs
		if len(ci.Includes) > 0 {
			out["gitlab.ci.paved_check_includes"] = ci.Includes
		}
		if ci.Error != "" {
			out["gitlab.ci.error"] = ci.Error
		}
	}

	present, owners, covered, err := c.codeowners(ctx, pid, branch, enablement)
	if err != nil {
		return nil, err
	}
	out["gitlab.codeowners.present"] = present
	out["gitlab.codeowners.infra_owners"] = owners
	out["gitlab.codeowners.infra_enablement"] = covered

	var br struct {
		Commit struct {
			ID            string `json:"id"`
			CommittedDate string `json:"committed_date"`
		} `json:"commit"`
	}
	if _, err := c.api.GetJSON(ctx, "/projects/"+pid+"/repository/branches/"+url.PathEscape(branch), &br); err == nil {
		out["gitlab.default_branch.commit_sha"] = br.Commit.ID
		out["gitlab.default_branch.commit_at"] = br.Commit.CommittedDate
	} else if !facts.IsNotFound(err) {
		return nil, err
	}

	var rels []struct {
		TagName    string `json:"tag_name"`
		ReleasedAt string `json:"released_at"`
		Commit     struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	if _, err := c.api.GetJSON(ctx, "/projects/"+pid+"/releases?order_by=released_at&sort=desc&per_page=1", &rels); err != nil {
		if err := optional(err); err != nil { // 403: releases hidden from this token's role
			return nil, err
		}
	}
	if len(rels) > 0 {
		out["gitlab.release.latest_tag"] = rels[0].TagName
		out["gitlab.release.latest_at"] = rels[0].ReleasedAt
	}

	var deps []struct {
		SHA       string `json:"sha"`
		CreatedAt string `json:"created_at"`
		Status    string `json:"status"`
	}
	q := url.Values{"environment": {c.cfg.Environment}, "status": {"success"}, "order_by": {"created_at"}, "sort": {"desc"}, "per_page": {"1"}}
	if _, err := c.api.GetJSON(ctx, "/projects/"+pid+"/deployments?"+q.Encode(), &deps); err != nil {
		if err := optional(err); err != nil {
			return nil, err
		}
	}
	if len(deps) > 0 {
		out["gitlab.deployment.latest_sha"] = deps[0].SHA
		out["gitlab.deployment.latest_at"] = deps[0].CreatedAt
	}
	return out, nil
}

type accessLevel struct {
	AccessLevel            int    `json:"access_level"`
	AccessLevelDescription string `json:"access_level_description"`
	UserID                 *int   `json:"user_id"`
	GroupID                *int   `json:"group_id"`
	DeployKeyID            *int   `json:"deploy_key_id"`
}

type protectionFacts struct {
	id          int
	protected   bool
	push, merge []string
	forcePush   bool
	codeOwners  bool
}

// protection finds the protected-branch rule that covers the default
// branch: its exact name, else a wildcard (release/*) that matches it.
// The list is paged (X-Next-Page, Link).
func (c *Collector) protection(ctx context.Context, pid, branch string) (protectionFacts, error) {
	out := protectionFacts{push: []string{}, merge: []string{}}
	type rule struct {
		ID                        int           `json:"id"`
		Name                      string        `json:"name"`
		PushAccessLevels          []accessLevel `json:"push_access_levels"`
		MergeAccessLevels         []accessLevel `json:"merge_access_levels"`
		AllowForcePush            bool          `json:"allow_force_push"`
		CodeOwnerApprovalRequired bool          `json:"code_owner_approval_required"`
	}
	var exact, wild *rule
	err := c.pages(ctx, "/projects/"+pid+"/protected_branches?per_page=100", func(decode func(any) error) error {
		var rules []rule
		if err := decode(&rules); err != nil {
			return err
		}
		for i := range rules {
			r := rules[i]
			if r.Name == branch {
				exact = &r
			} else if wild == nil && strings.Contains(r.Name, "*") && wildcard(r.Name, branch) {
				wild = &r
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	r := exact
	if r == nil {
		r = wild
	}
	if r == nil {
		return out, nil
	}
	out.id, out.protected, out.forcePush, out.codeOwners = r.ID, true, r.AllowForcePush, r.CodeOwnerApprovalRequired
	out.push, out.merge = describe(r.PushAccessLevels), describe(r.MergeAccessLevels)
	return out, nil
}

// describe names who an access-level list lets in: roles by GitLab's
// description (No one, Maintainers), users, groups and deploy keys by id.
func describe(ls []accessLevel) []string {
	out := []string{}
	for _, l := range ls {
		var s string
		switch {
		case l.UserID != nil:
			s = "user:" + strconv.Itoa(*l.UserID)
		case l.GroupID != nil:
			s = "group:" + strconv.Itoa(*l.GroupID)
		case l.DeployKeyID != nil:
			s = "deploy_key:" + strconv.Itoa(*l.DeployKeyID)
		case l.AccessLevelDescription != "":
			s = l.AccessLevelDescription
		default:
			s = map[int]string{0: "No one", 30: "Developers + Maintainers", 40: "Maintainers", 60: "Admins"}[l.AccessLevel]
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// wildcard matches GitLab's protected-branch wildcards: * matches any
// characters, slashes included.
func wildcard(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(name, p)
		}
		j := strings.Index(name, p)
		if j < 0 {
			return false
		}
		name = name[j+len(p):]
	}
	return true
}

// approvals is the approvals a merge into the default branch needs: the
// largest of the project's approval rules that apply to it (Premium) and
// the older approvals_before_merge setting.
func (c *Collector) approvals(ctx context.Context, pid, branch string, protectedID, before int) (int, error) {
	n := before
	err := c.pages(ctx, "/projects/"+pid+"/approval_rules?per_page=100", func(decode func(any) error) error {
		var rules []struct {
			RuleType                      string `json:"rule_type"`
			ApprovalsRequired             int    `json:"approvals_required"`
			AppliesToAllProtectedBranches bool   `json:"applies_to_all_protected_branches"`
			ProtectedBranches             []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"protected_branches"`
		}
		if err := decode(&rules); err != nil {
			return err
		}
		for _, r := range rules {
			applies := r.AppliesToAllProtectedBranches || len(r.ProtectedBranches) == 0 ||
				slices.ContainsFunc(r.ProtectedBranches, func(b struct {
					ID   int    `json:"id"`
					Name string `json:"name"`
				}) bool {
					return (protectedID != 0 && b.ID == protectedID) || b.Name == branch
				})
			if applies && r.RuleType != "report_approver" {
				n = max(n, r.ApprovalsRequired)
			}
		}
		return nil
	})
	return n, optional(err)
}

// statusChecks names the external status checks (Ultimate) that apply to
// the default branch: those scoped to it, and those scoped to no branch.
func (c *Collector) statusChecks(ctx context.Context, pid, branch string) ([]string, error) {
	names := []string{}
	err := c.pages(ctx, "/projects/"+pid+"/external_status_checks?per_page=100", func(decode func(any) error) error {
		var checks []struct {
			Name              string `json:"name"`
			ProtectedBranches []struct {
				Name string `json:"name"`
			} `json:"protected_branches"`
		}
		if err := decode(&checks); err != nil {
			return err
		}
		for _, x := range checks {
			applies := len(x.ProtectedBranches) == 0
			for _, b := range x.ProtectedBranches {
				applies = applies || b.Name == branch || (strings.Contains(b.Name, "*") && wildcard(b.Name, branch))
			}
			if applies && x.Name != "" && !slices.Contains(names, x.Name) {
				names = append(names, x.Name)
			}
		}
		return nil
	})
	return names, optional(err)
}

// maxPages bounds one list: a project with more protected branches or
// rules than this is not one paved needs to read to the end.
const maxPages = 20

// pages calls each with every page of a list, following the Link header's
// next page or, behind a proxy that drops Link, X-Next-Page.
func (c *Collector) pages(ctx context.Context, first string, each func(decode func(any) error) error) error {
	next := first
	for n := 0; next != "" && n < maxPages; n++ {
		body, resp, err := c.api.Get(ctx, next)
		if err != nil {
			return err
		}
		if err := each(func(v any) error { return decodeJSON(body, v, next) }); err != nil {
			return err
		}
		next = nextPage(next, resp)
	}
	return nil
}

// nextPage is the next page's target: the Link header's, else the
// current target with page set to X-Next-Page ("" on the last page).
func nextPage(current string, resp *facts.Response) string {
	if resp.Next != "" {
		return resp.Next
	}
	np := strings.TrimSpace(resp.Header.Get("X-Next-Page"))
	if np == "" {
		return ""
	}
	if _, err := strconv.Atoi(np); err != nil {
		return ""
	}
	p, q, _ := strings.Cut(current, "?")
	v, _ := url.ParseQuery(q)
	if v == nil {
		v = url.Values{}
	}
	v.Set("page", np)
	return p + "?" + v.Encode()
}

// codeowners reads CODEOWNERS in GitLab's search order (the root,
// docs/, .gitlab/; the first found counts): the owners of the
// infrastructure paths, and whether every one of them has an enablement
// owner.
func (c *Collector) codeowners(ctx context.Context, pid, branch string, enablement []string) (bool, []string, bool, error) {
	for _, p := range []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"} {
		text, _, err := c.file(ctx, pid, p, branch)
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

// file reads a file through the repository files API (base64 in JSON).
func (c *Collector) file(ctx context.Context, pid, p, ref string) (string, string, error) {
	var f struct {
		FilePath string `json:"file_path"`
		Encoding string `json:"encoding"`
		Content  string `json:"content"`
		BlobID   string `json:"blob_id"`
		Size     int    `json:"size"`
	}
	target := "/projects/" + pid + "/repository/files/" + url.PathEscape(p) + "?ref=" + url.QueryEscape(ref)
	if _, err := c.api.GetJSON(ctx, target, &f); err != nil {
		return "", "", err
	}
	if f.Encoding != "base64" {
		return "", "", fmt.Errorf("%s: the files API answered encoding %q, want base64", p, f.Encoding)
	}
	b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(f.Content, "\n", ""))
	if err != nil {
		return "", "", fmt.Errorf("%s: %v", p, err)
	}
	return string(b), f.BlobID, nil
}

// maxDiscoveryProjects bounds the projects searched in one run.
const maxDiscoveryProjects = 5000

// discover lists the group's projects, subgroups included and archived
// ones left out, and reads the catalog file of each that has one.
func (c *Collector) discover(ctx context.Context) ([]*paved.CatalogDiscovery, error) {
	var out []*paved.CatalogDiscovery
	next := "/groups/" + id(c.cfg.Organisation) + "/projects?include_subgroups=true&archived=false&simple=true&per_page=100&order_by=id&sort=asc"
	seen := 0
	for next != "" && seen < maxDiscoveryProjects {
		body, resp, err := c.api.Get(ctx, next)
		if err != nil {
			return nil, err
		}
		var projects []projectJSON
		if err := decodeJSON(body, &projects, next); err != nil {
			return nil, err
		}
		for _, pr := range projects {
			seen++
			if pr.Archived || pr.PathWithNamespace == "" || pr.DefaultBranch == "" || pr.EmptyRepo {
				continue
			}
			text, sha, err := c.file(ctx, strconv.Itoa(pr.ID), c.cfg.DiscoveryPath, pr.DefaultBranch)
			if facts.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if len(text) > paved.MaxDiscoveryBytes {
				continue
			}
			out = append(out, &paved.CatalogDiscovery{Repository: pr.PathWithNamespace, Path: c.cfg.DiscoveryPath, SHA: sha, Content: text,
				URL: strings.TrimSuffix(pr.WebURL, "/") + "/-/blob/" + url.PathEscape(pr.DefaultBranch) + "/" + path.Clean(c.cfg.DiscoveryPath), FoundAt: time.Now().UTC()})
		}
		next = nextPage(next, resp)
	}
	return out, nil
}
