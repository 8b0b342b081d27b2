package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/paved-dev/paved"
)

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func planResources(t *testing.T, data []byte, opt Options) map[string]*paved.IaCResource {
	t.Helper()
	docs, err := Read("plan.json", data, opt)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(docs) != 1 || docs[0].Kind != KindTerraformPlan {
		t.Fatalf("got %d documents, want one plan", len(docs))
	}
	out := map[string]*paved.IaCResource{}
	for _, r := range docs[0].Resources {
		out[r.Address] = r
	}
	return out
}

func TestPlanNormalisation(t *testing.T) {
	rs := planResources(t, readFixture(t, "testdata/plan/aws.json"), Options{})
	tests := []struct {
		addr, action, region, module, mode string
		tags                               map[string]string
	}{
		{"aws_vpc.main", "create", "eu-west-1", "", "managed", map[string]string{"Name": "shop-vpc", "CostCenter": "cc-1234", "Environment": "production", "ManagedBy": "terraform"}},
		// tags_all unknown: tags merged over the provider's default_tags, values stringified.
		{"aws_ebs_volume.data", "create", "eu-west-1", "", "managed", map[string]string{"Name": "data", "Replicas": "3", "CostCenter": "cc-1234", "Environment": "production", "ManagedBy": "terraform"}},
		{"aws_elasticache_cluster.sessions", "replace", "eu-west-1", "", "managed", nil},
		{"aws_launch_template.web", "replace", "eu-west-1", "", "managed", nil},
		{"aws_db_instance.legacy", "delete", "eu-west-1", "", "managed", nil},
		{"data.aws_iam_policy_document.assume", "read", "eu-west-1", "", "data", nil},
		{"aws_iam_role.app", "no-op", "eu-west-1", "", "managed", nil},
		{"aws_instance.bastion", "update", "eu-west-1", "", "managed", nil},
		// The aliased provider passed to the module: its region and default tags.
		{`module.platform["eu"].module.db.aws_rds_cluster.analytics`, "create", "us-east-1", `module.platform["eu"].module.db`, "managed", map[string]string{"Service": "analytics", "CostCenter": "cc-9999", "ManagedBy": "terraform"}},
		{`module.platform["eu"].aws_kms_key.data`, "create", "us-east-1", `module.platform["eu"]`, "managed", nil},
	}
	for _, tt := range tests {
		r := rs[tt.addr]
		if r == nil {
			t.Errorf("%s: missing", tt.addr)
			continue
		}
		if r.Action != tt.action || r.Region != tt.region || r.Module != tt.module || r.Mode != tt.mode {
			t.Errorf("%s: action %q region %q module %q mode %q, want %q %q %q %q", tt.addr, r.Action, r.Region, r.Module, r.Mode, tt.action, tt.region, tt.module, tt.mode)
		}
		if r.Provider != "aws" || r.Source != "terraform" {
			t.Errorf("%s: provider %q source %q", tt.addr, r.Provider, r.Source)
		}
		if tt.tags != nil && !reflect.DeepEqual(r.Tags, tt.tags) {
			t.Errorf("%s: tags %v, want %v", tt.addr, r.Tags, tt.tags)
		}
	}
	if got := rs["aws_launch_template.web"].Actions; !reflect.DeepEqual(got, []string{"create", "delete"}) {
		t.Errorf("create-before-destroy actions = %v", got)
	}
	if r := rs["aws_db_instance.legacy"]; r.After != nil || r.Before == nil {
		t.Errorf("delete: After %v Before %v", r.After, r.Before)
	}
	if r := rs["aws_instance.bastion"]; r.AfterUnknown["public_ip"] != true {
		t.Errorf("after_unknown not kept: %v", r.AfterUnknown)
	}
	if r := rs["aws_s3_bucket_public_access_block.assets"]; r.Tags != nil {
		t.Errorf("a resource without tags got default tags: %v", r.Tags)
	}
	if _, ok := rs["aws_iam_role.app"]; !ok || len(rs) != 22 {
		t.Errorf("got %d resources, want the 22 resource_changes (resource_drift must not count)", len(rs))
	}
}

// TestSensitiveNeverLeaks checks that no sensitive value of the fixture
// appears anywhere in the resources or in Raw.
func TestSensitiveNeverLeaks(t *testing.T) {
	docs, err := Read("plan.json", readFixture(t, "testdata/plan/aws.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := json.Marshal(docs)
	raw, err := docs[0].Raw()
	if err != nil {
		t.Fatal(err)
	}
	rawJSON, _ := json.Marshal(raw)
	for _, secret := range []string{"hunter2-super-secret", "aurora-secret-123", "old-secret-password"} {
		if bytes.Contains(res, []byte(secret)) {
			t.Errorf("resources leak %q", secret)
		}
		if bytes.Contains(rawJSON, []byte(secret)) {
			t.Errorf("Raw leaks %q", secret)
		}
	}
	if !bytes.Contains(res, []byte(`"password":"(sensitive)"`)) {
		t.Error("password not replaced by the marker")
	}
	// Raw is cached: a second call returns the same value.
	raw2, _ := docs[0].Raw()
	if reflect.ValueOf(raw).Pointer() != reflect.ValueOf(raw2).Pointer() {
		t.Error("Raw is not cached")
	}
}

func TestMaskValue(t *testing.T) {
	tests := []struct {
		name      string
		obj, sens string
		want      string
	}{
		{"leaf", `{"a":"x","b":"y"}`, `{"a":true}`, `{"a":"(sensitive)","b":"y"}`},
		{"whole attribute object", `{"a":{"k":"v"}}`, `{"a":true}`, `{"a":"(sensitive)"}`},
		{"nested list", `{"l":[{"p":"s"},{"p":"t"}]}`, `{"l":[{},{"p":true}]}`, `{"l":[{"p":"s"},{"p":"(sensitive)"}]}`},
		{"list element", `{"l":["a","b"]}`, `{"l":[false,true]}`, `{"l":["a","(sensitive)"]}`},
		{"sensitive null stays null", `{"a":null}`, `{"a":true}`, `{"a":null}`},
		{"whole object", `{"a":1,"b":null}`, `true`, `{"a":"(sensitive)","b":null}`},
		{"sensitive key missing (unknown)", `{}`, `{"a":true}`, `{}`},
		{"shorter sensitive list", `{"l":[1,2,3]}`, `{"l":[true]}`, `{"l":["(sensitive)",2,3]}`},
		{"mismatched shape", `{"a":"x"}`, `{"a":{"b":true}}`, `{"a":"x"}`},
	}
	for _, tt := range tests {
		var obj map[string]any
		var sens any
		if err := json.Unmarshal([]byte(tt.obj), &obj); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tt.sens), &sens); err != nil {
			t.Fatal(err)
		}
		maskObject(obj, sens)
		got, _ := json.Marshal(obj)
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestEffectiveTags(t *testing.T) {
	defaults := map[string]any{"Env": "prod", "Team": "a"}
	tests := []struct {
		name           string
		state, unknown string
		provider       string
		want           map[string]string
	}{
		{"tags_all known wins", `{"tags":{"A":"1"},"tags_all":{"A":"1","Env":"prod"}}`, `{}`, "aws", map[string]string{"A": "1", "Env": "prod"}},
		{"tags_all unknown: merge", `{"tags":{"Team":"b"}}`, `{"tags_all":true}`, "aws", map[string]string{"Env": "prod", "Team": "b"}},
		{"tags null: defaults", `{"tags":null}`, `{"tags_all":true}`, "aws", map[string]string{"Env": "prod", "Team": "a"}},
		{"untaggable resource", `{"bucket":"b"}`, `{}`, "aws", nil},
		{"non-string values", `{"tags_all":{"n":3,"b":true,"z":null,"f":1.5}}`, `{}`, "aws", map[string]string{"n": "3", "b": "true", "f": "1.5"}},
		{"google labels", `{"labels":{"a":"b"},"effective_labels":{"a":"b","env":"x"}}`, `{}`, "google", map[string]string{"a": "b", "env": "x"}},
	}
	for _, tt := range tests {
		var state, unknown map[string]any
		json.Unmarshal([]byte(tt.state), &state)
		json.Unmarshal([]byte(tt.unknown), &unknown)
		got := effectiveTags(state, unknown, defaults, tt.provider)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestProviderFor(t *testing.T) {
	// Old Terraform wrote module.x:aws keys; a module without its own
	// provider inherits the root's.
	plan := `{"format_version":"0.2","planned_values":{},"configuration":{"provider_config":{
	  "aws":{"name":"aws","expressions":{"region":{"constant_value":"eu-central-1"}}},
	  "module.m:aws":{"name":"aws","module_address":"module.m","expressions":{"region":{"constant_value":"ap-south-1"}}}},
	  "root_module":{"module_calls":{"m":{"module":{"resources":[{"address":"aws_sqs_queue.q","provider_config_key":"module.m:aws"}]}},
	                                 "n":{"module":{"resources":[{"address":"aws_sqs_queue.q","provider_config_key":"module.n:aws"}]}}}}},
	  "resource_changes":[
	   {"address":"module.m.aws_sqs_queue.q","module_address":"module.m","mode":"managed","type":"aws_sqs_queue","name":"q","provider_name":"aws","change":{"actions":["create"],"after":{}}},
	   {"address":"module.n[0].aws_sqs_queue.q","module_address":"module.n[0]","mode":"managed","type":"aws_sqs_queue","name":"q","provider_name":"aws","change":{"actions":["create"],"after":{}}},
	   {"address":"aws_sqs_queue.r","mode":"managed","type":"aws_sqs_queue","name":"r","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"after":{"region":"us-west-2"}}}]}`
	rs := planResources(t, []byte(plan), Options{})
	for addr, want := range map[string]string{"module.m.aws_sqs_queue.q": "ap-south-1", "module.n[0].aws_sqs_queue.q": "eu-central-1", "aws_sqs_queue.r": "us-west-2"} {
		if got := rs[addr].Region; got != want {
			t.Errorf("%s: region %q, want %q", addr, got, want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want tfAddress
	}{
		{"aws_x.y", tfAddress{Mode: "managed", Type: "aws_x", Name: "y"}},
		{"data.aws_x.y", tfAddress{Mode: "data", Type: "aws_x", Name: "y"}},
		{`module.a["k.1"].module.b[0].aws_x.y["a.b[c]"]`, tfAddress{Modules: []string{"a", "b"}, Mode: "managed", Type: "aws_x", Name: "y", Key: `"a.b[c]"`}},
		{`module.a.data.aws_x.y[3]`, tfAddress{Modules: []string{"a"}, Mode: "data", Type: "aws_x", Name: "y", Key: "3"}},
		{`aws_x.y["q\"uote.d"]`, tfAddress{Mode: "managed", Type: "aws_x", Name: "y", Key: `"q\"uote.d"`}},
	}
	for _, tt := range tests {
		if got := parseAddress(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseAddress(%s) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"registry.terraform.io/hashicorp/aws":                  "aws",
		`provider["registry.terraform.io/hashicorp/aws"].west`: "aws",
		"aws": "aws",
		"registry.terraform.io/hashicorp/google-beta": "google-beta",
	} {
		if got := shortProvider(in); got != want {
			t.Errorf("shortProvider(%s) = %q, want %q", in, got, want)
		}
	}
}

func utf16Bytes(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestEncodings(t *testing.T) {
	plan := readFixture(t, "testdata/plan/aws.json")
	want, err := Read("p", plan, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"utf-8 bom":             append([]byte{0xEF, 0xBB, 0xBF}, plan...),
		"utf-16le (PowerShell)": utf16Bytes(string(plan), false),
		"utf-16be":              utf16Bytes(string(plan), true),
	} {
		got, err := Read("p", data, Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: documents differ from the UTF-8 ones", name)
		}
	}
	if _, err := Read("odd", append(utf16Bytes("{}", false), 'x'), Options{}); err == nil || !strings.Contains(err.Error(), "odd number of bytes") {
		t.Errorf("odd UTF-16: %v", err)
	}
}

func TestLimits(t *testing.T) {
	_, err := Read("big.json", []byte(`{"apiVersion":"v1","kind":"ConfigMap"}`), Options{MaxFileBytes: 10})
	var pe *paved.Error
	if !errors.As(err, &pe) || pe.Code != paved.EINVALID || pe.Field != "big.json" || !strings.Contains(pe.Message, "limit of 10 bytes") {
		t.Errorf("size limit: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "big.yaml")
	os.WriteFile(p, bytes.Repeat([]byte("a"), 2<<20), 0o644)
	if _, err := ReadPaths([]string{p}, Options{MaxFileBytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("file size limit: %v", err)
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	if _, err := Read("deep.json", []byte(deep), Options{}); err == nil || !strings.Contains(err.Error(), "depth") {
		t.Errorf("deep JSON: %v", err)
	}
	deepYAML := "apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	if _, err := Read("deep.yaml", []byte(deepYAML), Options{}); err == nil {
		t.Error("deep YAML accepted")
	}
}

func TestReadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	cm := func(name string) string { return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" }
	write("b.yaml", cm("b"))
	write("a/c.yml", cm("c"))
	write("a.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`)
	write(".git/x.yaml", "not: [valid")
	write("README.md", "# not read")
	write("notes.txt", cm("txt"))

	var names []string
	docs, err := ReadPaths([]string{dir, filepath.Join(dir, "notes.txt")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		names = append(names, d.Resources[0].Name)
	}
	if want := []string{"a", "c", "b", "txt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got %v, want %v (lexical order, dot-folders and other extensions skipped, named files read)", names, want)
	}

	stdin = strings.NewReader(cm("from-stdin"))
	defer func() { stdin = os.Stdin }()
	docs, err = ReadPaths([]string{"-"}, Options{})
	if err != nil || len(docs) != 1 || docs[0].Input != "-" || docs[0].Resources[0].Name != "from-stdin" {
		t.Errorf("stdin: %v %+v", err, docs)
	}

	_, err = ReadPaths([]string{filepath.Join(dir, "missing.json")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestKubernetes(t *testing.T) {
	docs, err := Read("app.yaml", readFixture(t, "testdata/k8s/app.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, d := range docs {
		for _, r := range d.Resources {
			addrs = append(addrs, r.Address)
		}
	}
	if want := []string{"Deployment/shop/web", "Service/shop/web", "StatefulSet/shop/postgres", "PodDisruptionBudget/shop/web"}; !reflect.DeepEqual(addrs, want) {
		t.Errorf("addresses %v, want %v", addrs, want)
	}
	if docs[0].Line != 3 || docs[1].Index != 3 {
		t.Errorf("first document line %d, second index %d; want 3 and 3 (empty documents are counted)", docs[0].Line, docs[1].Index)
	}
	// The merge key and alias are resolved.
	tmpl := docs[0].Resources[0].After["spec"].(map[string]any)["template"].(map[string]any)
	labels := tmpl["metadata"].(map[string]any)["labels"].(map[string]any)
	if labels["tier"] != "frontend" || labels["app.kubernetes.io/name"] != "web" {
		t.Errorf("merged labels: %v", labels)
	}
	// Quoted "on" stays a string; YAML 1.2 has no yes/no/on/off booleans.
	env := tmpl["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["env"].([]any)
	if env[1].(map[string]any)["value"] != "on" {
		t.Errorf("env value: %#v", env[1])
	}

	docs, err = Read("workloads.yml", readFixture(t, "testdata/k8s/workloads.yml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	addrs = nil
	for _, d := range docs {
		addrs = append(addrs, d.Resources[0].Address)
	}
	if want := []string{"Namespace/batch", "CronJob/batch/nightly-report", "Pod/debug", "DaemonSet/kube-system/node-agent-*", "ClusterRole/node-agent"}; !reflect.DeepEqual(addrs, want) {
		t.Errorf("addresses %v, want %v", addrs, want)
	}
	backoff := docs[1].Resources[0].After["spec"].(map[string]any)["jobTemplate"].(map[string]any)["spec"].(map[string]any)["backoffLimit"]
	if backoff != float64(3) {
		t.Errorf("hex integer 0x3 = %#v", backoff)
	}

	docs, err = Read("pods.json", readFixture(t, "testdata/k8s/pods.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rs := docs[0].Resources; len(rs) != 2 || rs[0].Type != "Pod" || rs[0].Line != 8 || rs[1].Line != 24 || rs[0].After["apiVersion"] != "v1" {
		t.Errorf("PodList items: %+v", rs)
	}
}

func TestScalePlan(t *testing.T) {
	tmpl := readFixture(t, "testdata/plan/aws.json")
	for _, n := range []int{5, 22, 100, 2000} { // 2000 takes the parallel path
		plan, err := ScalePlan(tmpl, n)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := Read("scaled.json", plan, Options{})
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		seen := map[string]bool{}
		for _, r := range docs[0].Resources {
			if seen[r.Address] {
				t.Errorf("n=%d: duplicate address %s", n, r.Address)
			}
			seen[r.Address] = true
		}
		if len(seen) != n {
			t.Errorf("n=%d: got %d resources", n, len(seen))
		}
		if n == 100 {
			r := findRes(docs[0].Resources, `module.platform["eu"].module.db.aws_rds_cluster_instance.analytics_2[1]`)
			if r == nil || r.Region != "us-east-1" || r.After["identifier"] != "analytics-1-2" {
				t.Errorf("scaled copy in a module: %+v", r)
			}
		}
	}
	if _, err := ScalePlan(tmpl, 0); err == nil {
		t.Error("n=0 accepted")
	}
}

func findRes(rs []*paved.IaCResource, addr string) *paved.IaCResource {
	for _, r := range rs {
		if r.Address == addr {
			return r
		}
	}
	return nil
}

func TestSourceIndex(t *testing.T) {
	idx, err := LocateSources("testdata/tf")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		file string
		line int
	}{
		{"aws_vpc.main", "testdata/tf/main.tf", 34},
		{`aws_s3_bucket.logs["audit"]`, "testdata/tf/main.tf", 49},
		{"data.aws_iam_policy_document.assume", "testdata/tf/main.tf", 54},
		{`module.platform["eu"].aws_kms_key.data`, "testdata/tf/modules/platform/main.tf", 1},
		{`module.platform["eu"].module.db.aws_rds_cluster_instance.analytics[1]`, "testdata/tf/modules/platform/db/main.tf", 10},
	}
	for _, tt := range tests {
		f, l, ok := idx.Locate(tt.addr)
		if !ok || filepath.ToSlash(f) != tt.file || l != tt.line {
			t.Errorf("Locate(%s) = %s:%d %v, want %s:%d", tt.addr, f, l, ok, tt.file, tt.line)
		}
	}
	if _, _, ok := idx.Locate("aws_vpc.other"); ok {
		t.Error("found an undeclared resource")
	}
	// Applied by Read when SourceDir is set.
	rs := planResources(t, readFixture(t, "testdata/plan/aws.json"), Options{SourceDir: "testdata/tf"})
	if r := rs["aws_db_instance.orders"]; filepath.ToSlash(r.File) != "testdata/tf/main.tf" || r.Line != 40 {
		t.Errorf("orders declared at %s:%d", r.File, r.Line)
	}

	_, err = LocateSources("testdata/tf-bad")
	var pe *paved.Error
	if !errors.As(err, &pe) || !strings.HasPrefix(filepath.ToSlash(pe.Field), "testdata/tf-bad/main.tf:2:") {
		t.Errorf("HCL syntax error: %v", err)
	}
}

// TestFastDecoderMatchesEncodingJSON compares the fast decoder with
// encoding/json on tricky values.
func TestFastDecoderMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"a":[1,-2,3.5e2,0,-0,-0.0,12345678901234567890,1E-7],"b":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x","c":{},"d":[],"e":null,"f":true,"g":false}`,
		`"\u0041"`, `  [ 1 , { "k" : "v" } ]  `,
	} {
		var want any
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		got := newFastDecoder().decode([]byte(in))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", in, got, want)
		}
	}
	// encoding/json refuses a number beyond float64; the fast decoder keeps it.
	if got := newFastDecoder().decode([]byte("1e400")); got != json.Number("1e400") {
		t.Errorf("1e400 = %#v", got)
	}
}

func TestGoogleResourceLocation(t *testing.T) {
	// A Google resource's own location or zone wins over the provider's
	// default region; AWS resources keep the provider's region.
	plan := `{"format_version":"0.2","configuration":{"provider_config":{
	  "google":{"name":"google","expressions":{"region":{"constant_value":"asia-east1"}}},
	  "aws":{"name":"aws","expressions":{"region":{"constant_value":"eu-west-1"}}}},"root_module":{}},
	  "resource_changes":[
	   {"address":"google_storage_bucket.b","mode":"managed","type":"google_storage_bucket","name":"b","provider_name":"registry.terraform.io/hashicorp/google","change":{"actions":["create"],"after":{"location":"EU"}}},
	   {"address":"google_compute_instance.vm","mode":"managed","type":"google_compute_instance","name":"vm","provider_name":"registry.terraform.io/hashicorp/google","change":{"actions":["create"],"after":{"zone":"europe-west4-b"}}},
	   {"address":"google_container_cluster.c","mode":"managed","type":"google_container_cluster","name":"c","provider_name":"registry.terraform.io/hashicorp/google-beta","change":{"actions":["create"],"after":{"location":"US-CENTRAL1"}}},
	   {"address":"google_compute_network.n","mode":"managed","type":"google_compute_network","name":"n","provider_name":"registry.terraform.io/hashicorp/google","change":{"actions":["create"],"after":{}}},
	   {"address":"aws_s3_bucket.a","mode":"managed","type":"aws_s3_bucket","name":"a","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"after":{"location":"x"}}}]}`
	rs := planResources(t, []byte(plan), Options{})
	for addr, want := range map[string]string{
		"google_storage_bucket.b": "eu", "google_compute_instance.vm": "europe-west4",
		"google_container_cluster.c": "us-central1", "google_compute_network.n": "asia-east1", "aws_s3_bucket.a": "eu-west-1",
	} {
		if got := rs[addr].Region; got != want {
			t.Errorf("%s: region %q, want %q", addr, got, want)
		}
	}
}
