package iac

import (
	"path/filepath"
	"sort"
	"testing"
)

// TestK8sRealWorldShapes reads the Kubernetes fixtures that recreate the
// shapes of public manifests (Helm output with # Source: comments, CRDs,
// kubectl get -o json Lists, anchors and merge keys) and checks what paved
// makes of them: every object is read, addresses follow Kind/namespace/name,
// and the values the guard rails judge survive the reading.
func TestK8sRealWorldShapes(t *testing.T) {
	dir := filepath.Join("..", "policy", "testdata", "realworld", "k8s")
	docs, err := ReadPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, d := range docs {
		if d.Kind != KindKubernetes {
			t.Errorf("%s document %d: kind %v, want Kubernetes", d.Input, d.Index, d.Kind)
		}
		for _, r := range d.Resources {
			got[r.Address] = r.After
		}
	}
	for _, addr := range []string{
		"ServiceAccount/ingress-nginx/ingress-nginx",
		"Deployment/ingress-nginx/ingress-nginx-controller",
		"Job/ingress-nginx/ingress-nginx-admission-create",
		"CustomResourceDefinition/certificates.cert-manager.io", // cluster-scoped
		"Deployment/argocd-repo-server",                         // no namespace: chosen at apply time
		"Application/argocd/guestbook",
		"Deployment/kube-system/coredns", // from a kubectl get -o json List
		"PodDisruptionBudget/kube-system/coredns",
		"Pod/shop/web-7d4b9c-*", // generateName
		"Namespace/cert-manager",
		"StatefulSet/db/pg-postgresql",
		"PodDisruptionBudget/shop/checkout-no-selector",
	} {
		if got[addr] == nil {
			keys := make([]string, 0, len(got))
			for k := range got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			t.Errorf("no resource %s; read %v", addr, keys)
		}
	}

	// A merge key (<<: *labels) gives the pod template the selector's labels,
	// and runAsNonRoot: yes is true, as kubectl reads it.
	ca := got["Deployment/cert-manager/cert-manager-cainjector"]
	labels := dig(ca, "spec", "template", "metadata", "labels")
	if m, _ := labels.(map[string]any); m["app.kubernetes.io/component"] != "cainjector" {
		t.Errorf("merged pod labels = %v", labels)
	}
	if v := dig(ca, "spec", "template", "spec", "securityContext", "runAsNonRoot"); v != true {
		t.Errorf("runAsNonRoot: yes read as %#v, want true", v)
	}

	// Numbers stay numbers (runAsUser 0 must compare equal to 0), quantities
	// stay strings.
	pg := got["StatefulSet/db/pg-postgresql"]
	init := dig(pg, "spec", "template", "spec", "initContainers")
	ic, _ := init.([]any)
	if len(ic) != 1 {
		t.Fatalf("initContainers = %v", init)
	}
	if v := dig(ic[0], "securityContext", "runAsUser"); v != float64(0) {
		t.Errorf("runAsUser read as %#v, want 0", v)
	}
	if v := dig(ic[0], "resources", "limits", "cpu"); v != "150m" {
		t.Errorf("limits.cpu read as %#v, want \"150m\"", v)
	}
	// A PDB without a selector stays without one (it selects no pods).
	if v := dig(got["PodDisruptionBudget/shop/checkout-no-selector"], "spec", "selector"); v != nil {
		t.Errorf("selector = %#v, want absent", v)
	}
}

// TestK8sBOMAndCRLF: Helm output saved on Windows starts with a byte order
// mark and ends its lines with CR LF; kubectl reads it, and so must paved.
func TestK8sBOMAndCRLF(t *testing.T) {
	text := "\xef\xbb\xbf---\r\n# Source: web/templates/pod.yaml\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: web\r\nspec:\r\n  containers:\r\n  - name: web\r\n    image: nginx:1.27.2\r\n    securityContext:\r\n      allowPrivilegeEscalation: false\r\n"
	docs, err := Read("pod.yaml", []byte(text), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || len(docs[0].Resources) != 1 || docs[0].Resources[0].Address != "Pod/web" {
		t.Fatalf("docs = %+v", docs)
	}
	c := dig(docs[0].Resources[0].After, "spec", "containers")
	cs, _ := c.([]any)
	if len(cs) != 1 || dig(cs[0], "image") != "nginx:1.27.2" || dig(cs[0], "securityContext", "allowPrivilegeEscalation") != false {
		t.Errorf("containers = %#v", c)
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
