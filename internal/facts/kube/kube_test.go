package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

var approved = []string{"ghcr.io/paved-dev", "registry.k8s.io"}

func deps() facts.Deps {
	return facts.Deps{ApprovedRegistries: func(*paved.Service) []string { return approved }}
}

func i32(n int32) *int32 { return &n }

// container is a container with both probes and both limits unless told.
func container(name, image string, probes, limits bool) corev1.Container {
	c := corev1.Container{Name: name, Image: image}
	if probes {
		p := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}}
		c.ReadinessProbe, c.LivenessProbe = p, p
	}
	if limits {
		c.Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}
	}
	return c
}

func template(app string, cs ...corev1.Container) (*metav1.LabelSelector, corev1.PodTemplateSpec) {
	l := map[string]string{"app": app}
	return &metav1.LabelSelector{MatchLabels: l}, corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l}, Spec: corev1.PodSpec{Containers: cs}}
}

func deployment(ns, name string, labels map[string]string, want, ready int32, cs ...corev1.Container) *appsv1.Deployment {
	sel, tpl := template(name, cs...)
	return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{Replicas: i32(want), Selector: sel, Template: tpl}, Status: appsv1.DeploymentStatus{ReadyReplicas: ready}}
}

// pod is a running pod of app; images are image=imageID pairs.
func pod(ns, name, app string, images ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": app}}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	for i, im := range images {
		img, id, _ := strings.Cut(im, "=")
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: fmt.Sprint("c", i), Image: img, ImageID: id, Ready: true})
	}
	return p
}

func pdb(ns, name, app string) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}}}
}

const (
	webDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	dbDigest  = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// cluster: checkout runs web (3 of 3 ready, a budget, probes and limits,
// an approved image) and db (2 wanted, 1 ready, a budget that selects
// other pods, no probes or limits, a Docker Hub image) in shop; ledger
// is found by Backstage's kubernetes-id label in money; search by its
// label-selector annotation; idle runs nothing.
func cluster() *fake.Clientset {
	partOf := func(s string) map[string]string { return map[string]string{"app.kubernetes.io/part-of": s} }
	sel, tpl := template("db", container("postgres", "postgres:16", false, false))
	db := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "db", Labels: partOf("checkout")},
		Spec: appsv1.StatefulSetSpec{Replicas: i32(2), Selector: sel, Template: tpl}, Status: appsv1.StatefulSetStatus{ReadyReplicas: 1}}
	return fake.NewClientset(
		deployment("shop", "web", partOf("checkout"), 3, 3, container("app", "ghcr.io/paved-dev/web:1.3", true, true)),
		pod("shop", "web-1", "web", "ghcr.io/paved-dev/web:1.3=ghcr.io/paved-dev/web@"+webDigest),
		pod("shop", "web-2", "web", "ghcr.io/paved-dev/web:1.3=docker-pullable://ghcr.io/paved-dev/web@"+webDigest),
		db, pod("shop", "db-0", "db", "docker.io/library/postgres:16=docker.io/library/postgres@"+dbDigest),
		pdb("shop", "web", "web"), pdb("shop", "db-old", "database"),
		deployment("money", "ledger-api", map[string]string{AnnotationID: "ledger"}, 2, 2, container("app", "ghcr.io/paved-dev/ledger@"+webDigest, true, true)),
		pod("money", "ledger-api-1", "ledger-api", "ghcr.io/paved-dev/ledger@"+webDigest+"=ghcr.io/paved-dev/ledger@"+webDigest),
		pdb("money", "ledger", "ledger-api"),
		deployment("shop", "search", map[string]string{"team": "search", "tier": "web"}, 1, 1, container("app", "registry.k8s.io/search:1", true, false)),
		// Labelled for checkout in a namespace the collector does not read.
		deployment("kube-system", "stray", partOf("checkout"), 1, 1, container("app", "busybox", false, false)),
	)
}

func services() []*paved.Service {
	return []*paved.Service{
		{Name: "checkout"},
		{Name: "ledger", Annotations: map[string]string{AnnotationID: "ledger"}},
		{Name: "search", Annotations: map[string]string{AnnotationLabelSelector: "team=search,tier in (web)"}},
		{Name: "idle"},
	}
}

func collect(t *testing.T, cfg facts.CollectorConfig, d facts.Deps, cs Client, ss []*paved.Service) (*facts.Target, error) {
	t.Helper()
	c, err := NewWithClient(cfg, d, cs)
	if err != nil {
		t.Fatal(err)
	}
	tg := facts.NewTarget(ss, time.Now())
	err = c.Collect(context.Background(), tg)
	return tg, err
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCollect(t *testing.T) {
	cfg := facts.CollectorConfig{Name: "kube-prod", Kind: facts.KindKubernetes, Namespaces: []string{"shop", "money"}}
	tg, err := collect(t, cfg, deps(), cluster(), services())
	if err != nil {
		t.Fatal(err)
	}
	if len(tg.Failed()) > 0 {
		t.Fatalf("failed: %v", tg.Failed())
	}
	obs := tg.Observed()
	tests := []struct {
		service, key string
		want         string // JSON
	}{
		{"checkout", "kube.workloads.count", `2`},
		{"checkout", "kube.replicas.desired_min", `2`},
		{"checkout", "kube.replicas.ready_min", `1`},
		// db's budget selects app=database, not db's pods.
		{"checkout", "kube.pdb.covered", `false`},
		{"checkout", "kube.pdb.missing", `["StatefulSet/shop/db"]`},
		{"checkout", "kube.probes.readiness_missing", `1`},
		{"checkout", "kube.probes.liveness_missing", `1`},
		{"checkout", "kube.limits.missing", `1`},
		{"checkout", "kube.images.running", `["docker.io/library/postgres:16","ghcr.io/paved-dev/web:1.3"]`},
		{"checkout", "kube.images.registries", `["docker.io","ghcr.io"]`},
		{"checkout", "kube.images.unapproved", `1`},
		{"checkout", "kube.images.unapproved_list", `["docker.io/library/postgres"]`},
		{"checkout", "kube.images.without_digest", `0`},
		{"checkout", facts.WorkloadsKey, `[` +
			`{"kind":"Deployment","namespace":"shop","name":"web","replicas":3,"ready":3,"images":["ghcr.io/paved-dev/web:1.3"],` +
			`"running":[{"image":"ghcr.io/paved-dev/web:1.3","digest":"` + webDigest + `","registry":"ghcr.io"}],"pdb":true,"pdbs":["web"]},` +
			`{"kind":"StatefulSet","namespace":"shop","name":"db","replicas":2,"ready":1,"images":["postgres:16"],` +
			`"running":[{"image":"docker.io/library/postgres:16","digest":"` + dbDigest + `","registry":"docker.io"}],"pdb":false,` +
			`"probes_missing":["postgres"],"liveness_missing":["postgres"],"limits_missing":["postgres"]}]`},
		{"ledger", "kube.replicas.ready_min", `2`},
		{"ledger", "kube.pdb.covered", `true`},
		{"ledger", "kube.images.unapproved", `0`},
		{"search", "kube.workloads.count", `1`},
		{"search", "kube.limits.missing", `1`},
		{"search", "kube.pdb.covered", `true`}, // one replica: no budget needed
		{"idle", "kube.workloads.count", `0`},
		{"idle", facts.WorkloadsKey, `[]`},
	}
	for _, tt := range tests {
		fs, ok := obs[tt.service]
		if !ok {
			t.Errorf("%s not observed", tt.service)
			continue
		}
		if got := jsonOf(t, fs[tt.key]); got != tt.want {
			t.Errorf("%s %s = %s\nwant %s", tt.service, tt.key, got, tt.want)
		}
	}
	// Nothing runs: no minimum to claim, so "ready_min >= 2" cannot hold.
	if _, ok := obs["idle"]["kube.replicas.ready_min"]; ok {
		t.Errorf("idle has kube.replicas.ready_min: %v", obs["idle"])
	}
	// Every key is one a fact may have.
	for s, fs := range obs {
		for k, v := range fs {
			if err := paved.ValidateFactKey(k, k); err != nil {
				t.Errorf("%s: %v", s, err)
			}
			if _, err := paved.ValidateFactValue(k, v); err != nil {
				t.Errorf("%s %s: %v", s, k, err)
			}
		}
	}
}

// TestNoApprovedRegistries: without the guard rail's parameter the
// collector does not judge the images.
func TestNoApprovedRegistries(t *testing.T) {
	tg, err := collect(t, facts.CollectorConfig{Name: "kube", Namespaces: []string{"shop"}}, facts.Deps{}, cluster(), services()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := tg.Observed()["checkout"]["kube.images.unapproved"]; ok {
		t.Fatalf("kube.images.unapproved = %v without approved registries", v)
	}
}

// TestAllNamespaces: no namespaces configured reads them all.
func TestAllNamespaces(t *testing.T) {
	tg, err := collect(t, facts.CollectorConfig{Name: "kube"}, deps(), cluster(), services()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.Observed()["checkout"]["kube.workloads.count"]; got != 3 {
		t.Fatalf("workloads = %v, want 3 (web, db, kube-system's stray)", got)
	}
}

// TestForbidden: RBAC that forbids pods fails each service with an error
// that names the verb and the resource, and the run fails when no
// service could be observed.
func TestForbidden(t *testing.T) {
	cs := cluster()
	cs.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", fmt.Errorf(`User "system:serviceaccount:paved:paved-facts" cannot list resource "pods" in API group "" in the namespace %q`, a.GetNamespace()))
	})
	tg, err := collect(t, facts.CollectorConfig{Name: "kube", Namespaces: []string{"shop"}}, deps(), cs, services()[:1])
	if err == nil || !apierrors.IsForbidden(err) {
		t.Fatalf("err = %v, want forbidden", err)
	}
	msg := tg.Failed()["checkout"]
	for _, want := range []string{"may not list pods in namespace shop", "grant get and list on pods", "facts-rbac.yaml"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure %q does not say %q", msg, want)
		}
	}
	// idle has no workloads, so no pods to list: observed, and the run
	// does not fail as a whole.
	tg, err = collect(t, facts.CollectorConfig{Name: "kube", Namespaces: []string{"shop"}}, deps(), cs, []*paved.Service{{Name: "checkout"}, {Name: "idle"}})
	if err != nil || tg.Failed()["checkout"] == "" || tg.Observed()["idle"] == nil {
		t.Fatalf("err=%v failed=%v observed=%v", err, tg.Failed(), tg.Observed())
	}
}

func TestConfig(t *testing.T) {
	for _, tt := range []struct {
		sel, err string
	}{
		{"app.kubernetes.io/part-of={{service}}", ""},
		{"app.kubernetes.io/name={{service}},environment in (production)", ""},
		{"app=={{service}}=", "label_selector"},
	} {
		_, err := NewWithClient(facts.CollectorConfig{Name: "kube", Kind: "kubernetes", LabelSelector: tt.sel}, facts.Deps{}, fake.NewClientset())
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err = %v, want %q", tt.sel, err, tt.err)
		}
	}
	// A context without a kubeconfig, outside a cluster.
	_, err := New(facts.CollectorConfig{Name: "kube", Kind: "kubernetes", Context: "prod"}, facts.Deps{Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "needs a kubeconfig") {
		t.Fatalf("err = %v", err)
	}
	_, err = New(facts.CollectorConfig{Name: "kube", Kind: "kubernetes", Kubeconfig: "/nonexistent/kubeconfig"}, facts.Deps{})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/kubeconfig") {
		t.Fatalf("err = %v", err)
	}
}

// TestDrift: what the collector observes, compared with a recorded check
// of the manifests: the cluster runs an image the manifests never named,
// and one replica where the check saw three.
func TestDrift(t *testing.T) {
	cs := fake.NewClientset(
		deployment("shop", "web", map[string]string{"app.kubernetes.io/part-of": "checkout"}, 1, 1, container("app", "ghcr.io/paved-dev/web:1.3-hotfix", true, true)),
		pod("shop", "web-1", "web", "ghcr.io/paved-dev/web:1.3-hotfix=ghcr.io/paved-dev/web@"+webDigest),
	)
	tg, err := collect(t, facts.CollectorConfig{Name: "kube-prod", Namespaces: []string{"shop"}}, deps(), cs, services()[:1])
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// As the store returns it: JSON.
	var value any
	if err := json.Unmarshal([]byte(jsonOf(t, tg.Observed()["checkout"][facts.WorkloadsKey])), &value); err != nil {
		t.Fatal(err)
	}
	fact := &paved.Fact{Service: "checkout", Source: "kube-prod", Key: facts.WorkloadsKey, Value: value, ObservedAt: now, ExpiresAt: now.Add(time.Hour)}
	manifest := func(replicas float64, image string) *paved.CheckResources {
		return &paved.CheckResources{Service: "checkout", CheckID: 7, At: now.Add(-time.Hour), Resources: []*paved.CheckResource{{
			Address: "Deployment/shop/web", Type: "Deployment", After: map[string]any{
				"metadata": map[string]any{"name": "web", "namespace": "shop"},
				"spec": map[string]any{"replicas": replicas, "template": map[string]any{"spec": map[string]any{
					"containers": []any{map[string]any{"name": "app", "image": image}}}}}}}}}
	}
	for _, tt := range []struct {
		name string
		rs   *paved.CheckResources
		want string
	}{
		{"both", manifest(3, "ghcr.io/paved-dev/web:1.3"), "image: kube-prod runs image ghcr.io/paved-dev/web:1.3-hotfix, which check #7's manifests never named (they name ghcr.io/paved-dev/web:1.3); replicas: kube-prod wants 1 replicas where check #7 saw 3"},
		{"none", manifest(1, "ghcr.io/paved-dev/web:1.3-hotfix"), ""},
	} {
		r := facts.DetectDrift("checkout", []*paved.Fact{fact}, tt.rs, now)
		var got []string
		for _, it := range r.Items {
			got = append(got, it.Kind+": "+it.Detail)
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("%s: drift = %s\nwant %s", tt.name, strings.Join(got, "; "), tt.want)
		}
	}
}

// apiServer speaks enough of the Kubernetes API for the paths the fake
// clientset cannot take: lists in pages (limit and continue) and a
// namespace whose lists RBAC forbids, and a continue token that expires
// once, with the Status bodies the API server sends.
func apiServer(t *testing.T, limits *[]string, expired *bool) *httptest.Server {
	t.Helper()
	deployments := []appsv1.Deployment{}
	for i := range 5 {
		d := deployment("shop", fmt.Sprint("web-", i), nil, 2, 2, container("app", "ghcr.io/paved-dev/web:1", true, true))
		deployments = append(deployments, *d)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		*limits = append(*limits, r.URL.Path+"?limit="+q.Get("limit")+"&continue="+q.Get("continue"))
		if strings.Contains(r.URL.Path, "/namespaces/locked/") {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps is forbidden: User \"system:serviceaccount:paved:paved-facts\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"locked\"","reason":"Forbidden","details":{"group":"apps","kind":"deployments"},"code":403}`)
			return
		}
		if q.Get("continue") == "2" && !*expired {
			// etcd compacted the revision the token points at.
			*expired = true
			w.WriteHeader(http.StatusGone)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.","reason":"Expired","code":410}`)
			return
		}
		list := map[string]any{"apiVersion": "v1", "metadata": map[string]any{}, "items": []any{}}
		switch {
		case strings.HasSuffix(r.URL.Path, "/deployments"):
			list["apiVersion"], list["kind"] = "apps/v1", "DeploymentList"
			start := 0
			if c := q.Get("continue"); c != "" {
				fmt.Sscan(c, &start)
			}
			end := min(start+2, len(deployments))
			list["items"] = deployments[start:end]
			if end < len(deployments) {
				list["metadata"] = map[string]any{"continue": fmt.Sprint(end)}
			}
		case strings.HasSuffix(r.URL.Path, "/statefulsets"):
			list["apiVersion"], list["kind"] = "apps/v1", "StatefulSetList"
		case strings.HasSuffix(r.URL.Path, "/daemonsets"):
			list["apiVersion"], list["kind"] = "apps/v1", "DaemonSetList"
		case strings.HasSuffix(r.URL.Path, "/pods"):
			list["kind"] = "PodList"
		case strings.HasSuffix(r.URL.Path, "/poddisruptionbudgets"):
			list["apiVersion"], list["kind"] = "policy/v1", "PodDisruptionBudgetList"
		default:
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(list)
	}))
}

func TestPagesAndForbiddenOverHTTP(t *testing.T) {
	var calls []string
	expired := false
	srv := apiServer(t, &calls, &expired)
	defer srv.Close()
	cs, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewWithClient(facts.CollectorConfig{Name: "kube", Kind: "kubernetes", Namespaces: []string{"shop", "locked"}}, deps(), cs)
	if err != nil {
		t.Fatal(err)
	}
	c.PageSize = 2
	tg := facts.NewTarget([]*paved.Service{
		{Name: "checkout", Annotations: map[string]string{AnnotationNamespace: "shop"}},
		{Name: "vault", Annotations: map[string]string{AnnotationNamespace: "locked"}},
	}, time.Now())
	if err := c.Collect(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	if got := tg.Observed()["checkout"]["kube.workloads.count"]; got != 5 {
		t.Errorf("workloads = %v, want the 5 deployments of three pages", got)
	}
	// The second page's token expired: the list starts over, once.
	var want []string
	for _, c := range []string{"", "2", "", "2", "4"} {
		want = append(want, "/apis/apps/v1/namespaces/shop/deployments?limit=2&continue="+c)
	}
	if len(calls) < len(want) || strings.Join(calls[:len(want)], " ") != strings.Join(want, " ") {
		t.Errorf("calls = %v\nwant first %v", calls, want)
	}
	if msg := tg.Failed()["vault"]; !strings.Contains(msg, "forbidden: the collector may not list deployments.apps in namespace locked") {
		t.Errorf("vault failed with %q", msg)
	}
}

// TestCallTimeout: an API server that does not answer fails the service
// within the per-call timeout, and the run goes on.
func TestCallTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	cs, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewWithClient(facts.CollectorConfig{Name: "kube", Kind: "kubernetes"}, deps(), cs)
	if err != nil {
		t.Fatal(err)
	}
	c.CallTimeout = 50 * time.Millisecond
	tg := facts.NewTarget([]*paved.Service{{Name: "checkout"}, {Name: "ledger"}}, time.Now())
	if err := c.Collect(context.Background(), tg); err != nil {
		t.Fatal(err)
	}
	if len(tg.Failed()) != 2 {
		t.Fatalf("failed = %v, want both services", tg.Failed())
	}
}
