package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
)

// TestExceptionEndToEnd is journey 4 through the CLI: a pull request asks
// for a database with 1 TB of RAM; CI's check records it and opens a
// sign-off request; a reviewer of the enablement team asks why, approves
// for 30 days; CI passes on the re-run; a changed value needs a new
// conversation. Then --wait, the offline export and its tamper cases, and
// the local database with --as.
func TestExceptionEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "paved.db")
	e := env{"PAVED_DATABASE": db}
	must(t, e, "team", "create", "shop", "--kind", "product")
	must(t, e, "team", "create", "devprod", "--kind", "developer-productivity")
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "hana", "--role", "reviewer", "--team", "devprod")
	must(t, e, "user", "create", "rolf", "--role", "reviewer", "--team", "devprod", "--team", "shop")
	must(t, e, "user", "create", "otto", "--role", "developer", "--team", "devprod")
	must(t, e, "service", "create", "checkout-api", "--owner", "shop", "--tier", "2")
	annTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	hanaTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "hana"))
	srv := startServer(t, e)
	ci := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", annTok)
	rev := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", hanaTok)
	plan := "testdata/check/bigdb.json"

	// Usage mistakes.
	expect(t, 2, "needs --server", e, "check", "--request-exceptions", "--reason", "x", plan)
	expect(t, 2, "needs --reason", ci, "check", "--service", "checkout-api", "--request-exceptions", plan)
	expect(t, 2, "needs --trust", e, "check", "--exceptions", "x.json", plan)
	expect(t, 2, "--check is required", ci, "exception", "request", "--reason", "x")

	// CI: the deny finding, recorded; nothing covers it yet.
	r := cli(t, ci, "check", "--service", "checkout-api", plan)
	if r.code != 1 || !strings.Contains(r.errOut, "recorded check #1") {
		t.Fatalf("first check: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	// With --request-exceptions: the request opens, the markdown comment links it.
	r = cli(t, ci, "check", "--service", "checkout-api", "-o", "markdown", "--request-exceptions",
		"--reason", "The risk model holds 800 GiB in memory; sharding lands in Q3.", plan)
	if r.code != 1 || !strings.Contains(r.errOut, "request(s) opened") {
		t.Fatalf("check --request-exceptions: exit %d\n%s", r.code, r.errOut)
	}
	// bigdb.json breaks two rules: the memory ceiling and the allowed families.
	links := regexp.MustCompile(`\[exception #(\d+)\]\((http://[^)]+/exceptions/\d+)\)`).FindAllStringSubmatch(r.out, -1)
	if len(links) != 2 || !strings.HasPrefix(links[0][2], srv.url) {
		t.Fatalf("the markdown does not link the two pending requests:\n%s", r.out)
	}
	id, id2 := links[0][1], links[1][1]
	// Idempotent: the re-run reuses the pending request.
	r = cli(t, ci, "check", "--service", "checkout-api", "--request-exceptions", "--reason", "again", plan)
	if r.code != 1 || !strings.Contains(r.errOut, "exception #"+id+" for db-memory-ceiling") || !strings.Contains(r.errOut, "waits for a sign-off") {
		t.Fatalf("repeated --request-exceptions: exit %d\n%s", r.code, r.errOut)
	}
	// --wait gives up after its time: exit 1, still pending.
	r = cli(t, ci, "check", "--service", "checkout-api", "--wait", "2s", "--wait-interval", "1s", plan)
	if r.code != 1 || !strings.Contains(r.errOut, "still pending") {
		t.Fatalf("--wait timeout: exit %d\n%s", r.code, r.errOut)
	}

	// The reviewers' queue; a question; the requester and the owning team may not decide.
	if out := must(t, rev, "exception", "list", "--status", "pending"); !strings.Contains(out, "#"+id) || !strings.Contains(out, "db.x2iedn.32xlarge") {
		t.Fatalf("queue:\n%s", out)
	}
	must(t, rev, "exception", "comment", id, "Why not a 512 GiB class?")
	must(t, ci, "exception", "comment", id, "The working set is 800 GiB.")
	expect(t, 1, "reviewer role", ci, "exception", "approve", id)
	expect(t, 2, "beyond the maximum", rev, "exception", "approve", id, "--expires", "400d")

	// --wait returns as soon as the reviewer has approved both.
	must(t, rev, "exception", "approve", id2)
	var wg sync.WaitGroup
	var waited result
	wg.Add(1)
	go func() {
		defer wg.Done()
		waited = cli(t, ci, "check", "--service", "checkout-api", "--wait", "60s", "--wait-interval", "1s", plan)
	}()
	time.Sleep(1500 * time.Millisecond) // let the check record itself and start waiting
	out := must(t, rev, "exception", "approve", id, "--expires", "30d", "--conditions", "Shard by Q3.")
	if !strings.Contains(out, "approved by hana until") {
		t.Fatalf("approve: %s", out)
	}
	wg.Wait()
	if waited.code != 0 {
		t.Fatalf("--wait after the approval: exit %d\n%s\n%s", waited.code, waited.out, waited.errOut)
	}
	expect(t, 2, "already approved", rev, "exception", "reject", id, "--reason", "no")

	// CI passes on the re-run; the report names the exception and its expiry.
	r = cli(t, ci, "check", "--service", "checkout-api", plan)
	if r.code != 0 || !strings.Contains(r.out, "EXCP") || !strings.Contains(r.out, "covered by exception #"+id+" until") {
		t.Fatalf("re-run after approval: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	if out := must(t, ci, "exception", "show", id); !strings.Contains(out, "Why not a 512 GiB class?") || !strings.Contains(out, "Shard by Q3.") {
		t.Fatalf("show:\n%s", out)
	}

	// A changed value (1 TB -> 2 TB) needs a new conversation.
	bigger := filepath.Join(dir, "bigger.json")
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bigger, []byte(strings.ReplaceAll(string(b), "db.x2iedn.32xlarge", "db.x2iedn.metal")), 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, ci, "check", "--service", "checkout-api", "-o", "json", "--request-exceptions", "--reason", "Now 2 TB.", bigger)
	if r.code != 1 || !strings.Contains(r.errOut, "exception request(s) opened") {
		t.Fatalf("a changed value: exit %d\n%s", r.code, r.errOut)
	}
	var rep struct {
		Exceptions struct {
			Notes map[string]struct {
				ID    int64  `json:"id"`
				State string `json:"state"`
			} `json:"notes"`
		} `json:"exceptions"`
	}
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatal(err)
	}
	pending := 0
	for _, n := range rep.Exceptions.Notes {
		if n.State == "pending" {
			pending++
			must(t, rev, "exception", "reject", strconv.FormatInt(n.ID, 10), "--reason", "Shard first.")
		}
	}
	if pending == 0 {
		t.Fatalf("no pending request for the changed value:\n%s", r.out)
	}
	// A rejection fails the check with the reason, and is not asked again automatically.
	r = cli(t, ci, "check", "--service", "checkout-api", "--request-exceptions", "--reason", "Again.", "--wait", "5s", "--wait-interval", "1s", bigger)
	if r.code != 1 || strings.Contains(r.errOut, "request(s) opened") || !strings.Contains(r.out, "was rejected by hana: Shard first.") {
		t.Fatalf("after a rejection: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}

	// Offline: the signed export, honoured without a server.
	file := filepath.Join(dir, "exceptions.json")
	must(t, ci, "exception", "export", "--service", "checkout-api", "-o", file)
	key := strings.TrimSpace(must(t, ci, "exception", "key"))
	if !strings.HasPrefix(key, "ed25519:") {
		t.Fatalf("key: %q", key)
	}
	r = cli(t, e, "check", "--service", "checkout-api", "--exceptions", file, "--trust", key, plan)
	if r.code != 0 || !strings.Contains(r.out, "covered by exception #"+id) {
		t.Fatalf("offline with the export: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	if r := cli(t, e, "check", "--service", "checkout-api", "--exceptions", file, "--trust", key, bigger); r.code != 1 {
		t.Fatalf("offline, a changed value passed: exit %d", r.code)
	}
	// Altered (a bigger class slipped in), or trusted with another key: covers nothing.
	data, _ := os.ReadFile(file)
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	f["exceptions"].([]any)[0].(map[string]any)["expires_at"] = "2099-01-01T00:00:00Z"
	altered := filepath.Join(dir, "altered.json")
	ab, _ := json.Marshal(f)
	if err := os.WriteFile(altered, ab, 0o644); err != nil {
		t.Fatal(err)
	}
	r = cli(t, e, "check", "--service", "checkout-api", "--exceptions", altered, "--trust", key, plan)
	if r.code != 1 || !strings.Contains(r.errOut, "does not verify") || !strings.Contains(r.out, "does not verify") {
		t.Fatalf("an altered file: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	other := "ed25519:" + strings.Repeat("A", 43) + "="
	r = cli(t, e, "check", "--service", "checkout-api", "--exceptions", file, "--trust", other, plan)
	if r.code != 1 || !strings.Contains(r.errOut, "signed by another key") {
		t.Fatalf("another key: exit %d\n%s", r.code, r.errOut)
	}
	srv.stop(t)

	// The local database, as --as users: the same rules.
	hana, rolf, otto := e.with("PAVED_AS", "hana"), e.with("PAVED_AS", "rolf"), e.with("PAVED_AS", "otto")
	if out := must(t, e, "exception", "list", "--service", "checkout-api", "-o", "json"); !strings.Contains(out, `"status": "approved"`) {
		t.Fatalf("local list:\n%s", out)
	}
	expect(t, 2, "pass --as USER", e, "exception", "revoke", id, "--reason", "x")
	expect(t, 1, "not a member of team", otto, "exception", "revoke", id, "--reason", "x")
	expect(t, 1, "member of team \"shop\"", rolf, "exception", "approve", id2)
	if out := must(t, hana, "exception", "revoke", id, "--reason", "Sharded early."); !strings.Contains(out, "revoked by hana") {
		t.Fatalf("revoke: %s", out)
	}
	var list struct {
		Items []*paved.Exception `json:"items"`
	}
	if err := json.Unmarshal([]byte(must(t, e, "exception", "list", "--status", "revoked", "-o", "json")), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("revoked list: %v %+v", err, list)
	}
	if out := must(t, e, "audit", "verify"); !strings.HasPrefix(out, "audit log intact") {
		t.Errorf("audit verify: %s", out)
	}
}
