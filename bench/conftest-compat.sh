#!/usr/bin/env bash
# conftest compatibility check: run every case of
# internal/policy/testdata/conftest-realworld with conftest and with paved
# and diff what they report.
#
#   bash bench/conftest-compat.sh                 # every case
#   bash bench/conftest-compat.sh k8s-v0-lib      # some cases
#   UPDATE=1 bash bench/conftest-compat.sh        # rewrite each case's
#                                                 # expected.jsonl from conftest
#
# Needs conftest on PATH (or CONFTEST=/path/to/conftest) and jq. A case is a
# folder holding an `args` file (the flags and inputs given to both tools,
# paths relative to the case folder: -p/--policy, -d/--data, -n/--namespace,
# --all-namespaces, --rego-version) and the policies and inputs it names.
# What is compared is one JSON line per result, ["file", "severity",
# "namespace", "message"] with severity deny (conftest's failures), warn or
# exception, sorted, and then ["exit", code]. expected.jsonl holds conftest's
# answer; internal/policy's TestConftestRealWorld checks paved against it
# without conftest installed. A case with a known-difference.md is one where
# paved knowingly differs (the file says why): reported, not a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFTEST=${CONFTEST:-conftest}
command -v "$CONFTEST" >/dev/null || { echo "conftest not found (set CONFTEST)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }
root=internal/policy/testdata/conftest-realworld
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/paved" ./cmd/paved
"$CONFTEST" --version | head -1

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for d in "$root"/*/; do cases+=("$(basename "$d")"); done
fi

fail=0
for c in "${cases[@]}"; do
	dir=$root/$c
	read -r -a args <"$dir/args"
	set +e
	(cd "$dir" && "$CONFTEST" test --no-color -o json "${args[@]}") >"$work/c.json" 2>"$work/c.err"
	crc=$?
	(cd "$dir" && "$work/paved" check --no-builtin --color never -o json "${args[@]}") >"$work/p.json" 2>"$work/p.err"
	prc=$?
	set -e
	{
		jq -c '.[] | .filename as $f | .namespace as $n |
			((.failures // [])[] | [$f, "deny", $n, .msg]),
			((.warnings // [])[] | [$f, "warn", $n, .msg]),
			((.exceptions // [])[] | [$f, "exception", $n, .msg])' "$work/c.json" 2>/dev/null | LC_ALL=C sort
		echo "[\"exit\",$crc]"
	} >"$work/conftest.jsonl"
	{
		jq -c '(.findings // [])[] | [.input, .severity, .policy, .message]' "$work/p.json" 2>/dev/null | LC_ALL=C sort
		echo "[\"exit\",$prc]"
	} >"$work/paved.jsonl"
	if [ -n "${UPDATE:-}" ]; then
		cp "$work/conftest.jsonl" "$dir/expected.jsonl"
	fi
	if diff -u --label "conftest $c" --label "paved $c" "$work/conftest.jsonl" "$work/paved.jsonl" >"$work/diff"; then
		echo "ok   $c ($(($(wc -l <"$work/conftest.jsonl") - 1)) results, exit $crc)"
	elif [ -f "$dir/known-difference.md" ]; then
		echo "KNOWN $c (see $dir/known-difference.md)"
		cat "$work/diff"
	else
		echo "DIFF $c"
		cat "$work/diff"
		[ -s "$work/c.err" ] && sed 's/^/  conftest stderr: /' "$work/c.err"
		[ -s "$work/p.err" ] && sed 's/^/  paved stderr: /' "$work/p.err"
		fail=1
	fi
	if [ -f "$dir/expected.jsonl" ] && ! cmp -s "$dir/expected.jsonl" "$work/conftest.jsonl"; then
		echo "NOTE $c: this conftest differs from the recorded expected.jsonl:"
		diff -u --label expected.jsonl --label "conftest now" "$dir/expected.jsonl" "$work/conftest.jsonl" || true
	fi
done
exit $fail
