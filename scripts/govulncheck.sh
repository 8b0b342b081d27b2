#!/usr/bin/env bash
# govulncheck.sh [PACKAGES...]
#
# Runs govulncheck over paved (default ./...) against a local copy of the Go
# vulnerability database, so that it works offline: the database's source,
# golang.org/x/vulndb, comes from the Go module proxy like any module, and
# its indexdb command turns data/osv into the database layout govulncheck
# reads with -db file://DIR. `make test` (and so .ci/run) calls this script.
#
# Both tools are pinned. The database and the govulncheck binary are built
# once and kept in the Go build cache (go env GOCACHE)/paved-govulncheck/,
# so a second run only analyses the code (seconds, not minutes). To pick
# up newer advisories, raise VULNDB_VERSION to a newer pseudo-version of
# golang.org/x/vulndb (go list -m -versions is empty for it: use
# go list -m golang.org/x/vulndb@master outside this module) and commit.
#
# Exit code: 0 when no vulnerability in a required module affects code
# paved calls, 3 when one does (the summary prints the module, the fixed
# version and a call path), anything else when the tools could not run.
# Vulnerabilities in the Go standard library are listed with the Go release
# that fixes them; they fail only with PAVED_GOVULNCHECK_STRICT_STDLIB=1,
# because the fix is a newer toolchain, not a change to this repository.
# PAVED_GOVULNCHECK_TEXT=1 prints govulncheck's own report instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

GO=${GO:-go}
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}

log() { echo "govulncheck.sh: $*" >&2; }

cache="$($GO env GOCACHE)/paved-govulncheck"
db="$cache/db-$VULNDB_VERSION"
# The tool is built per Go release: a govulncheck built with an older Go
# cannot load packages that need a newer one.
bin="$cache/govulncheck-$GOVULNCHECK_VERSION-$($GO env GOVERSION)"
indexdb="$cache/indexdb-$VULNDB_VERSION"
mkdir -p "$cache"

# The tools are built outside this module (a temporary directory), so that
# neither go.mod nor go.sum changes.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bin" ]; then
	log "building govulncheck $GOVULNCHECK_VERSION"
	(cd "$tmp" && GOBIN="$tmp/bin" $GO install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION")
	cp "$tmp/bin/govulncheck" "$bin.tmp"
	mv "$bin.tmp" "$bin"
fi

if [ ! -f "$db/index/db.json" ]; then
	log "building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION"
	src=$(cd "$tmp" && $GO mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [ -z "$src" ] || [ ! -d "$src/data/osv" ]; then
		log "golang.org/x/vulndb@$VULNDB_VERSION has no data/osv (downloaded to '$src')"
		exit 1
	fi
	if [ ! -x "$indexdb" ]; then
		(cd "$tmp" && GOBIN="$tmp/bin" $GO install "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION")
		cp "$tmp/bin/indexdb" "$indexdb.tmp"
		mv "$indexdb.tmp" "$indexdb"
	fi
	rm -rf "$db.tmp"
	"$indexdb" -vulns "$src/data/osv" -out "$db.tmp"
	rm -rf "$db"
	mv "$db.tmp" "$db"
fi

if [ "$#" -eq 0 ]; then
	set -- ./...
fi
log "govulncheck $GOVULNCHECK_VERSION, database golang.org/x/vulndb@$VULNDB_VERSION, $($GO env GOVERSION)"
if [ "${PAVED_GOVULNCHECK_TEXT:-}" = 1 ]; then
	# govulncheck's own report, with every call path.
	exec "$bin" -db "file://$db" "$@"
fi
# The JSON stream goes to scripts/govulncheck_summary.go, which fails on
# vulnerable modules and reports standard-library findings with the Go
# release that fixes them (see its comment).
"$bin" -db "file://$db" -format json "$@" >"$tmp/out.json"
$GO run scripts/govulncheck_summary.go <"$tmp/out.json"
