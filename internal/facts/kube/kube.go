// Package kube is the Kubernetes collector: read-only, through
// k8s.io/client-go, in the cluster (the pod's service account) or from a
// kubeconfig file and context. For each service it finds the workloads
// labelled for it (Deployments, StatefulSets, DaemonSets) in the
// configured namespaces and observes their desired and ready replicas,
// the images their pods run (with the digest the kubelet resolved), the
// PodDisruptionBudgets that select their pods, and each container's
// probes and resource limits, so that the cluster's truth sits beside
// the manifests that were checked (facts.DetectDrift).
//
// It only lists: get and list on deployments, statefulsets, daemonsets,
// pods and poddisruptionbudgets are all it needs
// (deploy/kubernetes/facts-rbac.yaml).
package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	appsclient "k8s.io/client-go/kubernetes/typed/apps/v1"
	coreclient "k8s.io/client-go/kubernetes/typed/core/v1"
	policyclient "k8s.io/client-go/kubernetes/typed/policy/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

// Backstage's Kubernetes plugin annotations: a catalog entity names its
// resources by a label selector or by the value of the
// backstage.io/kubernetes-id label, optionally in one namespace.
const (
	AnnotationLabelSelector = "backstage.io/kubernetes-label-selector"
	AnnotationID            = "backstage.io/kubernetes-id"
	AnnotationNamespace     = "backstage.io/kubernetes-namespace"
)

// Bounds on what one run reads: list pages of PageSize items, at most
// MaxItems items per list (a selector that matches a whole cluster must
// not exhaust memory), each call within CallTimeout.
const (
	PageSize    = 250
	MaxItems    = 10000
	CallTimeout = 30 * time.Second
)

// Client is the part of client-go's clientset the collector uses
// (kubernetes.Interface and its fake satisfy it). The collector builds
// only these three typed clients: the whole clientset links a client for
// every API group into paved and doubles the binary.
type Client interface {
	AppsV1() appsclient.AppsV1Interface
	CoreV1() coreclient.CoreV1Interface
	PolicyV1() policyclient.PolicyV1Interface
}

type clients struct {
	apps   *appsclient.AppsV1Client
	core   *coreclient.CoreV1Client
	policy *policyclient.PolicyV1Client
}

func (c *clients) AppsV1() appsclient.AppsV1Interface       { return c.apps }
func (c *clients) CoreV1() coreclient.CoreV1Interface       { return c.core }
func (c *clients) PolicyV1() policyclient.PolicyV1Interface { return c.policy }

// NewClient builds the three typed clients on one HTTP client, as
// kubernetes.NewForConfig does for all of them.
func NewClient(rc *rest.Config) (Client, error) {
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return nil, err
	}
	c := &clients{}
	if c.apps, err = appsclient.NewForConfigAndClient(rc, hc); err != nil {
		return nil, err
	}
	if c.core, err = coreclient.NewForConfigAndClient(rc, hc); err != nil {
		return nil, err
	}
	if c.policy, err = policyclient.NewForConfigAndClient(rc, hc); err != nil {
		return nil, err
	}
	return c, nil
}

// Collector is the Kubernetes collector.
type Collector struct {
	cfg      facts.CollectorConfig
	client   Client
	approved func(*paved.Service) []string
	// CallTimeout bounds each API call (tests shorten it).
	CallTimeout time.Duration
	// PageSize is the Limit of each list call (tests shorten it).
	PageSize int64
}

// New builds the collector from its configuration: the kubeconfig file
// of paved.yaml, else the KUBECONFIG environment variable, else the
// cluster paved runs in.
func New(c facts.CollectorConfig, d facts.Deps) (facts.Collector, error) {
	rc, err := restConfig(c, d)
	if err != nil {
		return nil, err
	}
	cs, err := NewClient(rc)
	if err != nil {
		return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: %v", c.Name, err)
	}
	return NewWithClient(c, d, cs)
}

// NewWithClient builds the collector on a client (tests: the fake
// clientset or a client of a test API server).
func NewWithClient(c facts.CollectorConfig, d facts.Deps, client Client) (*Collector, error) {
	c.Kind = facts.KindKubernetes
	c = c.Normalized()
	if _, err := selectorFor(c, &paved.Service{Name: "example"}); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "label_selector", "collector %s: label_selector %q: %v", c.Name, c.LabelSelector, err)
	}
	return &Collector{cfg: c, client: client, approved: d.ApprovedRegistries, CallTimeout: CallTimeout, PageSize: PageSize}, nil
}

func restConfig(c facts.CollectorConfig, d facts.Deps) (*rest.Config, error) {
	path := c.Kubeconfig
	if path == "" && d.Getenv != nil {
		path = d.Getenv("KUBECONFIG")
	}
	var rc *rest.Config
	var err error
	if path == "" {
		if c.Context != "" {
			return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: context %q needs a kubeconfig (kubeconfig in paved.yaml or KUBECONFIG): in the cluster there is no context to choose", c.Name, c.Context)
		}
		rc, err = rest.InClusterConfig()
		if err != nil {
			return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: no kubeconfig (paved.yaml kubeconfig, KUBECONFIG) and not in a cluster: %v", c.Name, err)
		}
	} else {
		// ExplicitPath and no other file: the collector reads the cluster
		// paved.yaml names, not whatever ~/.kube/config points at.
		rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: path}
		over := &clientcmd.ConfigOverrides{CurrentContext: c.Context}
		rc, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, over).ClientConfig()
		if err != nil {
			return nil, paved.Errorf(paved.EUNPROCESSABLE, "collector %s: kubeconfig %s: %v", c.Name, path, err)
		}
	}
	rc = rest.CopyConfig(rc)
	rc.UserAgent = "paved-facts/" + facts.Version
	if c.RequestsPerSecond > 0 {
		rc.QPS, rc.Burst = float32(c.RequestsPerSecond), 2*c.RequestsPerSecond
	}
	if rc.Timeout == 0 {
		rc.Timeout = CallTimeout
	}
	return rc, nil
}

// selectorFor is the label selector of a service's workloads: Backstage's
// label-selector annotation, else its kubernetes-id annotation (as the
// backstage.io/kubernetes-id label), else the collector's template.
func selectorFor(c facts.CollectorConfig, s *paved.Service) (labels.Selector, error) {
	var text string
	switch {
	case strings.TrimSpace(s.Annotations[AnnotationLabelSelector]) != "":
		text = strings.TrimSpace(s.Annotations[AnnotationLabelSelector])
	case strings.TrimSpace(s.Annotations[AnnotationID]) != "":
		text = AnnotationID + "=" + strings.TrimSpace(s.Annotations[AnnotationID])
	default:
		text = strings.ReplaceAll(c.LabelSelector, facts.ServicePlaceholder, s.Name)
	}
	sel, err := labels.Parse(text)
	if err != nil {
		return nil, err
	}
	if sel.Empty() {
		// An empty selector selects everything: never a service's.
		return nil, fmt.Errorf("selector %q selects every workload", text)
	}
	return sel, nil
}

// namespacesFor are the namespaces to read for a service: the configured
// ones ("" for all), narrowed to the service's Backstage namespace
// annotation when it has one.
func (c *Collector) namespacesFor(s *paved.Service) []string {
	nss := c.cfg.Namespaces
	if ns := strings.TrimSpace(s.Annotations[AnnotationNamespace]); ns != "" {
		if len(nss) == 0 || slices.Contains(nss, ns) {
			return []string{ns}
		}
		return nil
	}
	if len(nss) == 0 {
		return []string{metav1.NamespaceAll}
	}
	return nss
}

// Collect observes every active service. A service whose workloads
// cannot be read (a timeout, RBAC forbidding one namespace) fails alone;
// bad credentials, or RBAC forbidding every service, fail the run.
func (c *Collector) Collect(ctx context.Context, t *facts.Target) error {
	r := &run{c: c, pdbs: map[string][]policyv1.PodDisruptionBudget{}}
	var forbidden error
	observed := 0
	for _, s := range t.Services {
		fs, err := r.service(ctx, s)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			if apierrors.IsUnauthorized(err) {
				return fmt.Errorf("%s: the cluster refuses the collector's credentials: %w", c.cfg.Name, err)
			}
			if forbidden == nil && apierrors.IsForbidden(err) {
				forbidden = err
			}
			t.Fail(s.Name, err)
			continue
		}
		observed++
		t.Observe(s.Name, fs)
	}
	if observed == 0 && forbidden != nil {
		return forbidden
	}
	return nil
}

// run caches the PodDisruptionBudgets of a namespace for one run: they
// are rarely labelled for a service, so they are listed per namespace,
// once.
type run struct {
	c    *Collector
	pdbs map[string][]policyv1.PodDisruptionBudget
	// pdbErr remembers a namespace whose budgets could not be listed.
	pdbErr map[string]error
}

// listErr names the verb, the resource and the namespace of a failed
// list, and says what RBAC must grant when the cluster forbade it.
func listErr(resource, ns string, err error) error {
	where := "in namespace " + ns
	if ns == metav1.NamespaceAll {
		where = "in all namespaces"
	}
	if apierrors.IsForbidden(err) {
		return fmt.Errorf("forbidden: the collector may not list %s %s: grant get and list on %s (deploy/kubernetes/facts-rbac.yaml): %w", resource, where, resource, err)
	}
	return fmt.Errorf("list %s %s: %w", resource, where, err)
}

// list pages through one list call (Limit and Continue), each page within
// the call timeout, and stops at MaxItems.
func list[T any](ctx context.Context, c *Collector, resource, ns string, call func(ctx context.Context, o metav1.ListOptions) ([]T, string, error), o metav1.ListOptions) ([]T, error) {
	var out []T
	o.Limit = c.PageSize
	restarted := false
	for {
		cctx, cancel := context.WithTimeout(ctx, c.CallTimeout)
		items, next, err := call(cctx, o)
		cancel()
		if err != nil {
			if apierrors.IsResourceExpired(err) && o.Continue != "" && !restarted {
				// The continue token outlived etcd's compaction: start over
				// once, from a fresh list.
				o.Continue, out, restarted = "", nil, true
				continue
			}
			return nil, listErr(resource, ns, err)
		}
		out = append(out, items...)
		if len(out) > MaxItems {
			return nil, fmt.Errorf("list %s: more than %d match; narrow the collector's namespaces or label_selector", resource, MaxItems)
		}
		if next == "" {
			return out, nil
		}
		o.Continue = next
	}
}

// service observes one service's workloads.
func (r *run) service(ctx context.Context, s *paved.Service) (map[string]any, error) {
	sel, err := selectorFor(r.c.cfg, s)
	if err != nil {
		return nil, fmt.Errorf("label selector: %v", err)
	}
	ws := []facts.Workload{}
	for _, ns := range r.c.namespacesFor(s) {
		got, err := r.workloads(ctx, ns, sel.String())
		if err != nil {
			return nil, err
		}
		ws = append(ws, got...)
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Address() < ws[j].Address() })
	// A nil list is no answer (the guard rail disabled, the rules not
	// compiling); an empty one approves nothing.
	var approved []string
	if r.c.approved != nil {
		approved = r.c.approved(s)
	}
	return summarise(ws, approved, approved != nil), nil
}

// workload is a workload before its pods and budgets are read.
type workload struct {
	facts.Workload
	selector *metav1.LabelSelector
	pod      corev1.PodTemplateSpec
}

func (r *run) workloads(ctx context.Context, ns, sel string) ([]facts.Workload, error) {
	c := r.c
	o := metav1.ListOptions{LabelSelector: sel}
	var all []workload
	deps, err := list(ctx, c, "deployments.apps", ns, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.Deployment, string, error) {
		l, err := c.client.AppsV1().Deployments(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}, o)
	if err != nil {
		return nil, err
	}
	for _, d := range deps {
		all = append(all, workload{Workload: facts.Workload{Kind: "Deployment", Namespace: d.Namespace, Name: d.Name,
			Replicas: replicas(d.Spec.Replicas), Ready: int(d.Status.ReadyReplicas)}, selector: d.Spec.Selector, pod: d.Spec.Template})
	}
	sts, err := list(ctx, c, "statefulsets.apps", ns, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.StatefulSet, string, error) {
		l, err := c.client.AppsV1().StatefulSets(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}, o)
	if err != nil {
		return nil, err
	}
	for _, d := range sts {
		all = append(all, workload{Workload: facts.Workload{Kind: "StatefulSet", Namespace: d.Namespace, Name: d.Name,
			Replicas: replicas(d.Spec.Replicas), Ready: int(d.Status.ReadyReplicas)}, selector: d.Spec.Selector, pod: d.Spec.Template})
	}
	dss, err := list(ctx, c, "daemonsets.apps", ns, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.DaemonSet, string, error) {
		l, err := c.client.AppsV1().DaemonSets(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}, o)
	if err != nil {
		return nil, err
	}
	for _, d := range dss {
		// A DaemonSet's count is the nodes it should run on.
		all = append(all, workload{Workload: facts.Workload{Kind: "DaemonSet", Namespace: d.Namespace, Name: d.Name,
			Replicas: int(d.Status.DesiredNumberScheduled), Ready: int(d.Status.NumberReady)}, selector: d.Spec.Selector, pod: d.Spec.Template})
	}

	out := make([]facts.Workload, 0, len(all))
	for _, w := range all {
		if err := r.complete(ctx, &w); err != nil {
			return nil, err
		}
		out = append(out, w.Workload)
	}
	return out, nil
}

func replicas(n *int32) int {
	if n == nil {
		return 1 // the API's default
	}
	return int(*n)
}

// complete fills in what the pod template says (images, probes, limits),
// what the pods run, and the budgets that select the pods.
func (r *run) complete(ctx context.Context, w *workload) error {
	w.Images = []string{}
	for _, k := range [][]corev1.Container{w.pod.Spec.InitContainers, w.pod.Spec.Containers} {
		for _, ct := range k {
			w.Images = append(w.Images, ct.Image)
		}
	}
	for _, ct := range w.pod.Spec.Containers {
		if ct.ReadinessProbe == nil {
			w.ProbesMissing = append(w.ProbesMissing, ct.Name)
		}
		if ct.LivenessProbe == nil {
			w.LivenessMissing = append(w.LivenessMissing, ct.Name)
		}
		if ct.Resources.Limits.Cpu().IsZero() || ct.Resources.Limits.Memory().IsZero() {
			w.LimitsMissing = append(w.LimitsMissing, ct.Name)
		}
	}
	sel, err := metav1.LabelSelectorAsSelector(w.selector)
	if err != nil || sel.Empty() {
		// The API server refuses both; a workload that somehow has one
		// is reported without pods rather than with every pod of the
		// namespace.
		return nil
	}
	c := r.c
	pods, err := list(ctx, c, "pods", w.Namespace, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Pod, string, error) {
		l, err := c.client.CoreV1().Pods(w.Namespace).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range pods {
		if p.Status.Phase != corev1.PodRunning {
			continue
		}
		for _, st := range p.Status.ContainerStatuses {
			ri := runningImage(st)
			if k := ri.Image + "@" + ri.Digest; !seen[k] {
				seen[k] = true
				w.Running = append(w.Running, ri)
			}
		}
	}
	sort.Slice(w.Running, func(i, j int) bool {
		return w.Running[i].Image+w.Running[i].Digest < w.Running[j].Image+w.Running[j].Digest
	})

	pdbs, err := r.budgets(ctx, w.Namespace)
	if err != nil {
		return err
	}
	podLabels := labels.Set(w.pod.Labels)
	for _, b := range pdbs {
		bs, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
		// A budget with an empty selector selects every pod of its
		// namespace (policy/v1); a nil one selects none.
		if err != nil || b.Spec.Selector == nil || !bs.Matches(podLabels) {
			continue
		}
		w.PDB = true
		w.PDBs = append(w.PDBs, b.Name)
	}
	return nil
}

// budgets lists a namespace's PodDisruptionBudgets, once per run.
func (r *run) budgets(ctx context.Context, ns string) ([]policyv1.PodDisruptionBudget, error) {
	if b, ok := r.pdbs[ns]; ok {
		return b, nil
	}
	if err := r.pdbErr[ns]; err != nil {
		return nil, err
	}
	c := r.c
	b, err := list(ctx, c, "poddisruptionbudgets.policy", ns, func(ctx context.Context, o metav1.ListOptions) ([]policyv1.PodDisruptionBudget, string, error) {
		l, err := c.client.PolicyV1().PodDisruptionBudgets(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}, metav1.ListOptions{})
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
			if r.pdbErr == nil {
				r.pdbErr = map[string]error{}
			}
			r.pdbErr[ns] = err
		}
		return nil, err
	}
	r.pdbs[ns] = b
	return b, nil
}

// runningImage reads what a container runs: the image as the kubelet
// reports it and the digest of its imageID (docker-pullable://repo@sha256:...,
// repo@sha256:..., or a bare sha256:... of a locally built image).
func runningImage(st corev1.ContainerStatus) facts.RunningImage {
	ri := facts.RunningImage{Image: st.Image}
	id := st.ImageID
	if i := strings.LastIndex(id, "@"); i >= 0 {
		ri.Digest = id[i+1:]
	} else if strings.HasPrefix(id, "sha256:") {
		ri.Digest = id
	}
	if d := facts.ParseImage(st.Image).Digest; ri.Digest == "" && d != "" {
		ri.Digest = d
	}
	ri.Registry = facts.ParseImage(st.Image).Registry
	return ri
}

// summarise turns a service's workloads into facts: the detailed
// kube.workloads (drift reads it; it names the containers) and the
// summaries the templates' evidence names, counts where "none" is the
// goal so that an expression reads kube.limits.missing == 0.
func summarise(ws []facts.Workload, approved []string, knowApproved bool) map[string]any {
	var pdbMissing, running, registries, unapproved []string
	readiness, liveness, limits, undigested := 0, 0, 0, 0
	add := func(l *[]string, v string) {
		if !slices.Contains(*l, v) {
			*l = append(*l, v)
		}
	}
	out := map[string]any{facts.WorkloadsKey: ws, "kube.workloads.count": len(ws)}
	desiredMin, readyMin := 0, 0
	for i, w := range ws {
		if i == 0 || w.Replicas < desiredMin {
			desiredMin = w.Replicas
		}
		if i == 0 || w.Ready < readyMin {
			readyMin = w.Ready
		}
		// DaemonSet pods are not evicted by a drain; a budget matters for
		// the workloads that run more than one replica by choice.
		if w.Kind != "DaemonSet" && w.Replicas > 1 && !w.PDB {
			pdbMissing = append(pdbMissing, w.Address())
		}
		readiness += len(w.ProbesMissing)
		liveness += len(w.LivenessMissing)
		limits += len(w.LimitsMissing)
		for _, ri := range w.Running {
			add(&running, ri.Image)
			add(&registries, ri.Registry)
			if ri.Digest == "" {
				undigested++
			}
			if repo := facts.ParseImage(ri.Image).Repository; knowApproved && !facts.Approved(approved, repo) {
				add(&unapproved, repo)
			}
		}
	}
	for _, l := range []*[]string{&running, &registries, &unapproved} {
		sort.Strings(*l)
	}
	// With no workload there is no minimum: the replicas facts are left
	// out, and evidence that names them does not hold.
	if len(ws) > 0 {
		out["kube.replicas.desired_min"], out["kube.replicas.ready_min"] = desiredMin, readyMin
	}
	out["kube.pdb.covered"] = len(pdbMissing) == 0
	out["kube.pdb.missing"] = nonNil(pdbMissing)
	out["kube.probes.readiness_missing"] = readiness
	out["kube.probes.liveness_missing"] = liveness
	out["kube.limits.missing"] = limits
	out["kube.images.running"] = nonNil(running)
	out["kube.images.registries"] = nonNil(registries)
	out["kube.images.without_digest"] = undigested
	// Without the approved registries (the k8s-approved-registries guard
	// rail's parameter) the collector cannot judge: it says nothing.
	if knowApproved {
		out["kube.images.unapproved"] = len(unapproved)
		out["kube.images.unapproved_list"] = nonNil(unapproved)
	}
	return out
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
