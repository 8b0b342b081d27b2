#!/usr/bin/env bash
# Guard-rail benchmark (issue 3): paved check against conftest on the same
# inputs, in the same run.
#
#   bash bench/check.sh            # sizes 1000 10000 50000, 5 runs each
#   SIZES="10000" RUNS=3 bash bench/check.sh
#   TEMPLATE=bench/testdata/service-stack.plan.json bash bench/check.sh
#
# TEMPLATE (a path from the repository root) is the plan that bench/genplan
# scales to each size: by default internal/iac/testdata/plan/aws.json, a
# fixture built to break almost every rule (about two findings per
# resource); bench/testdata/service-stack.plan.json is one mostly compliant
# production service stack (6 findings in 120 resources).
#
# For each plan size it times (wall seconds and peak RSS, medians of RUNS):
#   conftest          conftest test on bench/policy (11 rules equivalent to paved built-ins)
#   paved-policy      paved check --no-builtin on the same folder (user-policy path)
#   paved-builtin     paved check with the whole built-in library (47 rules)
# and checks that conftest and paved report the same deny and warn messages.
# conftest is installed with `go install` into a temporary GOBIN when it is
# not on PATH (about 7 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 50000"}
RUNS=${RUNS:-5}
TEMPLATE=${TEMPLATE:-internal/iac/testdata/plan/aws.json}
CONFTEST_VERSION=${CONFTEST_VERSION:-v0.71.1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

conftest=$(command -v conftest || true)
if [ -z "$conftest" ]; then
	echo "installing conftest $CONFTEST_VERSION (for the comparison only)..." >&2
	GOBIN="$work/bin" go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"
	conftest="$work/bin/conftest"
fi
go build -o "$work/paved" ./cmd/paved
go build -o "$work/genplan" ./bench/genplan

data=internal/policy/rego/data
measure() { # prints "wall_seconds peak_kib" of the median run by wall time
	local out=()
	for _ in $(seq 1 "$RUNS"); do
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
		out+=("$(tail -1 "$work/time")")
	done
	printf '%s\n' "${out[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

printf 'Plan template: %s\n\n' "$TEMPLATE"
printf '| resources | plan size | tool | wall s (median of %s) | peak RSS MiB |\n|---:|---:|---|---:|---:|\n' "$RUNS"
for n in $SIZES; do
	plan="$work/plan-$n.json"
	"$work/genplan" -template "$TEMPLATE" -n "$n" -o "$plan"
	size=$(du -m "$plan" | cut -f1)
	for tool in conftest paved-policy paved-builtin; do
		case $tool in
		conftest) cmd=("$conftest" test --no-color --all-namespaces --data "$data" -p bench/policy "$plan") ;;
		paved-policy) cmd=("$work/paved" check --no-builtin --all-namespaces --data "$data" --policy bench/policy "$plan") ;;
		paved-builtin) cmd=("$work/paved" check "$plan") ;;
		esac
		read -r wall kib < <(measure "${cmd[@]}")
		printf '| %s | %s MB | %s | %s | %s |\n' "$n" "$size" "$tool" "$wall" "$((kib / 1024))"
	done
	# Same answers: the sorted deny and warn messages must be identical.
	"$conftest" test --no-color --all-namespaces --data "$data" -p bench/policy -o json "$plan" >"$work/c.json" || true
	"$work/paved" check --no-builtin --all-namespaces --data "$data" --policy bench/policy -o json "$plan" >"$work/p.json" || true
	python3 - "$work/c.json" "$work/p.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
p = json.load(open(sys.argv[2]))
cm = sorted(("deny", r["msg"]) for f in c for r in f.get("failures") or []) + sorted(("warn", r["msg"]) for f in c for r in f.get("warnings") or [])
pm = sorted(("deny", f["message"]) for f in p["findings"] if f["severity"] == "deny") + sorted(("warn", f["message"]) for f in p["findings"] if f["severity"] == "warn")
if cm != pm:
    print(f"MISMATCH: conftest {len(cm)} messages, paved {len(pm)}", file=sys.stderr)
    sys.exit(1)
print(f"<!-- same {len(cm)} deny/warn messages from conftest and paved -->")
PY
done
