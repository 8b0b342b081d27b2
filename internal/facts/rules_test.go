package facts

import (
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/notify"
)

func TestParseImageAndApproved(t *testing.T) {
	approved := []string{"*.dkr.ecr.*.amazonaws.com", "public.ecr.aws", "registry.k8s.io", "ghcr.io/paved-dev"}
	tests := []struct {
		ref, repo string
		ok        bool
	}{
		{"nginx", "docker.io/library/nginx", false},
		{"bitnami/redis:7", "docker.io/bitnami/redis", false},
		{"123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web", true},
		{"ghcr.io/paved-dev/paved@sha256:abc", "ghcr.io/paved-dev/paved", true},
		{"ghcr.io/someone/paved:1", "ghcr.io/someone/paved", false},
		{"localhost:5000/app", "localhost:5000/app", false},
		{"registry.k8s.io/pause:3.9", "registry.k8s.io/pause", true},
	}
	for _, tt := range tests {
		img := ParseImage(tt.ref)
		if img.Repository != tt.repo || Approved(approved, img.Repository) != tt.ok {
			t.Errorf("%s: %+v approved=%v, want %s %v", tt.ref, img, Approved(approved, img.Repository), tt.repo, tt.ok)
		}
	}
}

func TestDetectDrift(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	deploy := func(name string, replicas any, image string) *paved.CheckResource {
		spec := map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": image}}}}}
		if replicas != nil {
			spec["replicas"] = replicas
		}
		return &paved.CheckResource{Address: "Deployment/shop/" + name, Type: "Deployment",
			After: map[string]any{"metadata": map[string]any{"name": name, "namespace": "shop"}, "spec": spec}}
	}
	rs := &paved.CheckResources{Service: "checkout", CheckID: 7, At: now.Add(-time.Hour), Resources: []*paved.CheckResource{
		deploy("web", 3.0, "ghcr.io/paved-dev/web:1.2"), deploy("worker", nil, "ghcr.io/paved-dev/worker:1.2"), deploy("cron", 1.0, "ghcr.io/paved-dev/cron:1"),
	}}
	workloads := []any{
		map[string]any{"kind": "Deployment", "namespace": "shop", "name": "web", "replicas": 1, "ready": 1, "images": []any{"ghcr.io/paved-dev/web:1.3"}},
		map[string]any{"kind": "Deployment", "namespace": "shop", "name": "worker", "replicas": 5, "ready": 5, "images": []any{"ghcr.io/paved-dev/worker:1.2"}},
		map[string]any{"kind": "Deployment", "namespace": "shop", "name": "debug", "replicas": 1, "ready": 1, "images": []any{"busybox"}},
	}
	f := &paved.Fact{Service: "checkout", Source: "kube-prod", Key: WorkloadsKey, Value: workloads, ObservedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	r := DetectDrift("checkout", []*paved.Fact{f}, rs, now)
	var got []string
	for _, it := range r.Items {
		got = append(got, it.Kind+" "+it.Workload)
	}
	want := "missing Deployment/shop/cron; unchecked Deployment/shop/debug; image Deployment/shop/web; replicas Deployment/shop/web"
	if strings.Join(got, "; ") != want {
		t.Fatalf("drift = %s\nwant %s\n%+v", strings.Join(got, "; "), want, r.Items)
	}
	if !strings.Contains(r.Items[3].Detail, "wants 1 replicas where check #7 saw 3") || !strings.Contains(r.Items[2].Detail, "runs image ghcr.io/paved-dev/web:1.3") {
		t.Fatalf("details: %+v", r.Items)
	}
	// Expired cluster facts compare nothing; neither does a missing check.
	f.ExpiresAt = now.Add(-time.Second)
	if r := DetectDrift("checkout", []*paved.Fact{f}, rs, now); len(r.Items) != 0 || r.Note == "" {
		t.Fatalf("expired: %+v", r)
	}
	f.ExpiresAt = now.Add(time.Hour)
	if r := DetectDrift("checkout", []*paved.Fact{f}, nil, now); len(r.Items) != 0 || !strings.Contains(r.Note, "no recorded check") {
		t.Fatalf("no check: %+v", r)
	}
}

func TestConfigValidate(t *testing.T) {
	where := func(p string) string { return "paved.yaml (" + p + ")" }
	ok := CollectorConfig{Name: "github", TokenEnv: "PAVED_GITHUB_TOKEN"}
	tests := []struct {
		name string
		c    CollectorConfig
		want string // "" valid
	}{
		{"github", ok, ""},
		{"enterprise", CollectorConfig{Name: "ghe", Kind: "github", TokenEnv: "T", BaseURL: "https://github.example.com/api/v3"}, ""},
		{"kube in cluster", CollectorConfig{Name: "kube-prod", Kind: "kubernetes"}, ""},
		{"unknown kind", CollectorConfig{Name: "jira", TokenEnv: "T"}, "unknown kind"},
		{"no token", CollectorConfig{Name: "pagerduty"}, "token_env"},
		{"token in config", CollectorConfig{Name: "github", TokenEnv: "ghp_abc-123"}, "token_env"},
		{"bad url", CollectorConfig{Name: "gitlab", TokenEnv: "T", BaseURL: "gitlab.example.com"}, "base_url"},
		{"url with credentials", CollectorConfig{Name: "gitlab", TokenEnv: "T", BaseURL: "https://u:p@gitlab.example.com/api/v4"}, "base_url"},
		{"kube setting on github", CollectorConfig{Name: "github", TokenEnv: "T", Namespaces: []string{"a"}}, "namespaces is for kubernetes"},
		{"token on kube", CollectorConfig{Name: "kube", Kind: "kubernetes", TokenEnv: "T"}, "token_env is for"},
		// The context may choose from the KUBECONFIG of the environment:
		// the collector checks it when it starts (internal/facts/kube).
		{"context without kubeconfig", CollectorConfig{Name: "kube", Kind: "kubernetes", Context: "prod"}, ""},
		{"selector without the service", CollectorConfig{Name: "kube", Kind: "kubernetes", LabelSelector: "app=web"}, "label_selector"},
		{"too often", CollectorConfig{Name: "github", TokenEnv: "T", Interval: notify.Duration(time.Second)}, "at least 1m"},
		{"timeout over interval", CollectorConfig{Name: "github", TokenEnv: "T", Interval: notify.Duration(time.Minute), Timeout: notify.Duration(time.Hour)}, "timeout"},
		{"ttl under interval", CollectorConfig{Name: "github", TokenEnv: "T", TTL: notify.Duration(time.Minute)}, "ttl"},
		{"push name", CollectorConfig{Name: "push", Kind: "github", TokenEnv: "T"}, "pushed facts"},
		{"bad owner", CollectorConfig{Name: "github", TokenEnv: "T", EnablementOwners: []string{"platform team"}}, "enablement_owners"},
		{"gitlab bearer", CollectorConfig{Name: "gitlab", TokenEnv: "T", BaseURL: "https://gitlab.example.com/api/v4", AuthScheme: "bearer"}, ""},
		{"gitlab unknown auth", CollectorConfig{Name: "gitlab", TokenEnv: "T", AuthScheme: "basic"}, "auth_scheme"},
		{"auth scheme on github", CollectorConfig{Name: "github", TokenEnv: "T", AuthScheme: "bearer"}, "auth_scheme is for gitlab"},
		{"opsgenie eu", CollectorConfig{Name: "opsgenie", TokenEnv: "PAVED_OPSGENIE_KEY", BaseURL: "https://api.eu.opsgenie.com"}, ""},
		{"pagerduty", CollectorConfig{Name: "pagerduty", TokenEnv: "PAVED_PAGERDUTY_TOKEN"}, ""},
		{"group on pagerduty", CollectorConfig{Name: "pagerduty", TokenEnv: "T", Organisation: "acme"}, "organisation is for github and gitlab"},
		{"auth scheme on opsgenie", CollectorConfig{Name: "opsgenie", TokenEnv: "T", AuthScheme: "private-token"}, "auth_scheme is for gitlab"},
		{"bad path", CollectorConfig{Name: "github", TokenEnv: "T", InfrastructurePaths: []string{"../x"}}, "infrastructure_paths"},
	}
	for _, tt := range tests {
		err := (&Config{Collectors: []CollectorConfig{tt.c}}).Validate(where)
		if (tt.want == "") != (err == nil) || (err != nil && (!strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "paved.yaml (facts.collectors[0]."))) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if err := (&Config{Collectors: []CollectorConfig{ok, ok}}).Validate(where); err == nil || !strings.Contains(err.Error(), "two collectors") {
		t.Errorf("duplicate: %v", err)
	}
	n := ok.Normalized()
	if n.Kind != "github" || n.BaseURL != "https://api.github.com" || time.Duration(n.TTL) != 3*time.Hour || n.PavedCheck != "paved" {
		t.Errorf("defaults: %+v", n)
	}
}
