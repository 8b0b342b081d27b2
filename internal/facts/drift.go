package facts

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// WorkloadsKey is the Kubernetes collector's detailed fact: every
// workload labelled for the service, as the cluster runs it. Drift reads
// it; the summary facts (kube.replicas.ready_min ...) are for evidence.
const WorkloadsKey = "kube.workloads"

// Workload is one Deployment, StatefulSet or DaemonSet as the cluster
// runs it.
type Workload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Replicas is the desired count (spec.replicas; the number of
	// scheduled pods for a DaemonSet), Ready the ready ones.
	Replicas int `json:"replicas"`
	Ready    int `json:"ready"`
	// Images are the pod template's images; Running the images the pods
	// run, with the digest the kubelet resolved.
	Images  []string       `json:"images"`
	Running []RunningImage `json:"running,omitempty"`
	// PDB is set when a PodDisruptionBudget selects the pods.
	PDB bool `json:"pdb"`
	// ProbesMissing and LivenessMissing name the containers without a
	// readiness probe and without a liveness probe; LimitsMissing those
	// without both a CPU and a memory limit.
	ProbesMissing   []string `json:"probes_missing,omitempty"`
	LivenessMissing []string `json:"liveness_missing,omitempty"`
	LimitsMissing   []string `json:"limits_missing,omitempty"`
	// PDBs names the PodDisruptionBudgets that select the pods.
	PDBs []string `json:"pdbs,omitempty"`
}

// RunningImage is one image a pod runs.
type RunningImage struct {
	Image    string `json:"image"`
	Digest   string `json:"digest,omitempty"`
	Registry string `json:"registry"`
}

// Address is the workload's address as the manifests reader writes it
// (internal/iac: Kind/namespace/name).
func (w *Workload) Address() string { return w.Kind + "/" + w.Namespace + "/" + w.Name }

// Workloads reads a kube.workloads fact value.
func Workloads(v any) ([]Workload, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out []Workload
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s is not a list of workloads: %v", WorkloadsKey, err)
	}
	return out, nil
}

// DriftItem is one contradiction between the cluster and the manifests
// that were checked.
type DriftItem struct {
	Source   string `json:"source"` // the cluster's collector
	Workload string `json:"workload"`
	// Kind is image (runs an image the manifests never named), replicas
	// (desired or ready count differs), unchecked (runs a workload the
	// manifests do not have) or missing (a checked workload does not run).
	Kind   string    `json:"kind"`
	Detail string    `json:"detail"`
	AsOf   time.Time `json:"as_of"`
}

// DriftReport is a service's drift.
type DriftReport struct {
	Service   string      `json:"service"`
	Check     int64       `json:"check,omitempty"`
	CheckedAt *time.Time  `json:"checked_at,omitempty"`
	Items     []DriftItem `json:"items"`
	// Note says why nothing could be compared, when nothing could.
	Note string `json:"note,omitempty"`
}

var workloadKinds = []string{"Deployment", "StatefulSet", "DaemonSet"}

type manifestWorkload struct {
	kind, namespace, name string
	replicas              *int
	images                []string
}

// DetectDrift compares the current kube.workloads facts of a service with
// the Kubernetes workloads of its latest recorded check. Only current
// facts count: a cluster the collector no longer reaches says nothing.
func DetectDrift(service string, facts []*paved.Fact, rs *paved.CheckResources, now time.Time) *DriftReport {
	r := &DriftReport{Service: service, Items: []DriftItem{}}
	var clusters []*paved.Fact
	for _, f := range facts {
		if f.Key == WorkloadsKey && f.Current(now) {
			clusters = append(clusters, f)
		}
	}
	if len(clusters) == 0 {
		r.Note = "no current cluster facts: no Kubernetes collector observes this service"
		return r
	}
	if rs == nil {
		r.Note = "no recorded check: run paved check --server on the service's manifests to compare them with the cluster"
		return r
	}
	r.Check, r.CheckedAt = rs.CheckID, &rs.At
	var manifests []manifestWorkload
	for _, res := range rs.Resources {
		if !slices.Contains(workloadKinds, res.Type) || res.After == nil {
			continue
		}
		manifests = append(manifests, readManifest(res))
	}
	if len(manifests) == 0 {
		r.Note = fmt.Sprintf("check #%d has no Kubernetes workloads to compare with the cluster", rs.CheckID)
		return r
	}
	for _, f := range clusters {
		ws, err := Workloads(f.Value)
		if err != nil {
			r.Items = append(r.Items, DriftItem{Source: f.Source, Kind: "unreadable", Detail: err.Error(), AsOf: f.ObservedAt})
			continue
		}
		matched := map[int]bool{}
		for _, w := range ws {
			i := slices.IndexFunc(manifests, func(m manifestWorkload) bool {
				return m.kind == w.Kind && m.name == w.Name && (m.namespace == "" || m.namespace == w.Namespace)
			})
			item := func(kind, format string, args ...any) {
				r.Items = append(r.Items, DriftItem{Source: f.Source, Workload: w.Address(), Kind: kind, Detail: fmt.Sprintf(format, args...), AsOf: f.ObservedAt})
			}
			if i < 0 {
				item("unchecked", "%s runs %s, which check #%d's manifests do not have", f.Source, w.Address(), rs.CheckID)
				continue
			}
			matched[i] = true
			m := manifests[i]
			named := map[string]bool{}
			for _, ref := range m.images {
				named[imageKey(ref)] = true
			}
			for _, ref := range w.Images {
				if !named[imageKey(ref)] {
					item("image", "%s runs image %s, which check #%d's manifests never named (they name %s)", f.Source, ref, rs.CheckID, strings.Join(m.images, ", "))
				}
			}
			if m.replicas != nil && w.Kind != "DaemonSet" {
				switch {
				case w.Replicas != *m.replicas:
					item("replicas", "%s wants %d replicas where check #%d saw %d", f.Source, w.Replicas, rs.CheckID, *m.replicas)
				case w.Ready < *m.replicas:
					item("replicas", "%s runs %d ready replicas where check #%d saw %d", f.Source, w.Ready, rs.CheckID, *m.replicas)
				}
			}
		}
		for i, m := range manifests {
			if !matched[i] {
				addr := m.kind + "/" + m.name
				if m.namespace != "" {
					addr = m.kind + "/" + m.namespace + "/" + m.name
				}
				r.Items = append(r.Items, DriftItem{Source: f.Source, Workload: addr, Kind: "missing",
					Detail: fmt.Sprintf("check #%d's %s does not run in %s", rs.CheckID, addr, f.Source), AsOf: f.ObservedAt})
			}
		}
	}
	sort.SliceStable(r.Items, func(i, j int) bool {
		a, b := r.Items[i], r.Items[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Workload < b.Workload
	})
	return r
}

// imageKey is what makes two references the same image: the repository
// and the digest when there is one, else the tag (latest when none).
func imageKey(ref string) string {
	img := ParseImage(ref)
	if img.Digest != "" {
		return img.Repository + "@" + img.Digest
	}
	if img.Tag == "" {
		img.Tag = "latest"
	}
	return img.Repository + ":" + img.Tag
}

func readManifest(res *paved.CheckResource) manifestWorkload {
	m := manifestWorkload{kind: res.Type}
	meta, _ := res.After["metadata"].(map[string]any)
	m.name, _ = meta["name"].(string)
	m.namespace, _ = meta["namespace"].(string)
	spec, _ := res.After["spec"].(map[string]any)
	// Manifests that leave replicas to an autoscaler say nothing about
	// the count: only a count they set is compared.
	if n, ok := spec["replicas"].(float64); ok {
		v := int(n)
		m.replicas = &v
	}
	tpl, _ := spec["template"].(map[string]any)
	pod, _ := tpl["spec"].(map[string]any)
	for _, k := range []string{"initContainers", "containers"} {
		cs, _ := pod[k].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			if img, ok := cm["image"].(string); ok && img != "" {
				m.images = append(m.images, img)
			}
		}
	}
	return m
}
