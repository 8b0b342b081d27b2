package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReclassificationCLI: lowering a service in green-light with the CLI
// is a request (locally with --as, and over --server); the requester
// cannot decide it; an architect of another team approves; an admin forces
// only with a reason.
func TestReclassificationCLI(t *testing.T) {
	dir := t.TempDir()
	e := env{"PAVED_DATABASE": filepath.Join(dir, "paved.db")}
	must(t, e, "team", "create", "shop", "--kind", "product")
	must(t, e, "team", "create", "arch", "--kind", "infrastructure-engineering")
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "ari", "--role", "architect", "--team", "arch")
	must(t, e, "user", "create", "root", "--role", "admin")
	must(t, e, "service", "create", "vault", "--owner", "shop", "--tier", "1", "--data-class", "restricted")
	must(t, e, "launch", "advance", "vault", "green-light", "--force", "--reason", "pilot", "--as", "root")

	expect(t, 2, "--tier and/or --data-class", e, "service", "reclassify", "vault", "--reason", "x", "--as", "ann")
	expect(t, 2, "--force needs --reason", e, "service", "reclassify", "vault", "--tier", "4", "--force", "--as", "root")
	expect(t, 2, "reason", e, "service", "reclassify", "vault", "--tier", "4", "--as", "ann")
	out := must(t, e, "service", "reclassify", "vault", "--tier", "4", "--data-class", "internal", "--reason", "internal dashboards only", "--as", "ann")
	if !strings.Contains(out, "reclassification #1") || !strings.Contains(out, "waits for an architect or security engineer") {
		t.Fatalf("reclassify:\n%s", out)
	}
	if out := must(t, e, "service", "show", "vault"); !strings.Contains(out, "restricted") {
		t.Errorf("vault after the request:\n%s", out)
	}
	if out := must(t, e, "reclassification", "list", "--status", "pending"); !strings.Contains(out, "#1") || !strings.Contains(out, "tier 4/internal") {
		t.Errorf("list:\n%s", out)
	}
	expect(t, 1, "architect or security role", e, "reclassification", "approve", "1", "--as", "ann")
	// paved service update goes through the same rules locally: a
	// lowering is a request (here refused: one is pending already), the
	// rest applies; --as must be allowed to change the service.
	expect(t, 2, "already has a reclassification request", e, "service", "update", "vault", "--data-class", "public", "--reason", "again", "--as", "ann")
	expect(t, 1, "needs the developer role", e, "service", "update", "vault", "--title", "Vault", "--as", "ari")
	expect(t, 1, "not a member of team", e, "service", "update", "vault", "--owner", "arch", "--as", "ann")
	if out := must(t, e, "service", "update", "vault", "--title", "Vault", "--as", "ann"); !strings.Contains(out, "updated service vault") {
		t.Errorf("update as ann:\n%s", out)
	}
	must(t, e, "service", "create", "till", "--owner", "shop", "--tier", "1", "--data-class", "restricted")
	must(t, e, "launch", "advance", "till", "green-light", "--force", "--reason", "pilot", "--as", "root")
	expect(t, 2, "give a reason for the request", e, "service", "update", "till", "--tier", "4", "--as", "ann")
	expect(t, 1, "the CLI takes --as USER", e, "service", "update", "till", "--tier", "4", "--reason", "a till has no card data")
	out = must(t, e, "service", "update", "till", "--tier", "4", "--title", "Till", "--reason", "a till has no card data", "--as", "ann")
	if !strings.Contains(out, "till stays tier 1/restricted") {
		t.Errorf("update lowering till:\n%s", out)
	}
	if out := must(t, e, "reclassification", "list", "--service", "till", "--status", "pending"); !strings.Contains(out, "#2") || !strings.Contains(out, "tier 4/restricted") {
		t.Errorf("till's request:\n%s", out)
	}
	if out := must(t, e, "service", "show", "till"); !strings.Contains(out, "Till") {
		t.Errorf("the title applies at once:\n%s", out)
	}
	expect(t, 1, "only the requester withdraws it", e, "reclassification", "withdraw", "2", "--as", "root")
	expect(t, 1, "needs the developer role", e, "reclassification", "withdraw", "2", "--as", "ari")
	expect(t, 2, "--comment is required", e, "reclassification", "reject", "1", "--as", "ari")

	// Over --server: the same rules; the architect approves.
	annTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	ariTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ari"))
	srv := startServer(t, e)
	ann := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", annTok)
	ari := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", ariTok)
	expect(t, 2, "already has a reclassification request", ann, "service", "reclassify", "vault", "--tier", "3", "--reason", "again")
	expect(t, 1, "", ann, "reclassification", "approve", "1")
	out = must(t, ari, "reclassification", "approve", "1", "--comment", "agreed")
	if !strings.Contains(out, "approved by ari") || !strings.Contains(out, "tier 4/internal") {
		t.Errorf("approve:\n%s", out)
	}
	if out := must(t, ann, "reclassification", "show", "1"); !strings.Contains(out, "approved by ari") {
		t.Errorf("show:\n%s", out)
	}
	// The requester withdraws her own request over the server too.
	expect(t, 1, "", ari, "reclassification", "withdraw", "2")
	if out := must(t, ann, "reclassification", "withdraw", "2"); !strings.Contains(out, "#2 withdrawn by ann") {
		t.Errorf("withdraw:\n%s", out)
	}
	expect(t, 2, "already withdrawn", ann, "reclassification", "withdraw", "2")
}
