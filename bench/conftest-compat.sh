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
#
# Each case then runs twice more with a probe policy, comparing the inputs
# the policies see rather than what they report: once per document (every
# document's type and top-level keys, without --combine) and once with
# --combine (the number of {path, contents} elements, each one's path and
# shape), so that a document one tool drops or adds (an empty YAML document
# that conftest keeps as null) shows up on every case, not only on cases
# whose policies happen to count documents.
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

probe=$work/probe
mkdir -p "$probe"
cat >"$probe/probe.rego" <<'EOF'
package paved_compat_probe

import rego.v1

warn contains msg if msg := sprintf("document %s", [_shape(input)])

_shape(x) := sprintf("object{%s}", [concat(",", sort(object.keys(x)))]) if is_object(x)

_shape(x) := sprintf("array[%d]", [count(x)]) if is_array(x)

_shape(x) := type_name(x) if {
	not is_object(x)
	not is_array(x)
}
EOF
cat >"$probe/combined.rego" <<'EOF'
package paved_compat_combined

import rego.v1

import data.paved_compat_probe

warn contains msg if {
	is_array(input)
	msg := sprintf("%d elements: %s", [count(input), concat(" | ", [sprintf("%s %s", [x.path, paved_compat_probe._shape(x.contents)]) | some x in input])])
}
EOF

# compare LABEL ARGS...: run conftest test and paved check on the current
# case with ARGS; prints the verdict, sets fail on an unexplained difference
# and leaves conftest's answer in $work/conftest.jsonl.
compare() {
	local label=$1
	shift
	set +e
	(cd "$dir" && "$CONFTEST" test --no-color -o json "$@") >"$work/c.json" 2>"$work/c.err"
	crc=$?
	(cd "$dir" && "$work/paved" check --no-builtin --color never -o json "$@") >"$work/p.json" 2>"$work/p.err"
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
	if diff -u --label "conftest $label" --label "paved $label" "$work/conftest.jsonl" "$work/paved.jsonl" >"$work/diff"; then
		echo "ok   $label ($(($(wc -l <"$work/conftest.jsonl") - 1)) results, exit $crc)"
	elif [ -f "$dir/known-difference.md" ]; then
		echo "KNOWN $label (see $dir/known-difference.md)"
		cat "$work/diff"
	else
		echo "DIFF $label"
		cat "$work/diff"
		[ -s "$work/c.err" ] && sed 's/^/  conftest stderr: /' "$work/c.err"
		[ -s "$work/p.err" ] && sed 's/^/  paved stderr: /' "$work/p.err"
		fail=1
	fi
}

fail=0
for c in "${cases[@]}"; do
	dir=$root/$c
	read -r -a args <"$dir/args"
	compare "$c" "${args[@]}"
	if [ -n "${UPDATE:-}" ]; then
		cp "$work/conftest.jsonl" "$dir/expected.jsonl"
	fi
	if [ -f "$dir/expected.jsonl" ] && ! cmp -s "$dir/expected.jsonl" "$work/conftest.jsonl"; then
		echo "NOTE $c: this conftest differs from the recorded expected.jsonl:"
		diff -u --label expected.jsonl --label "conftest now" "$dir/expected.jsonl" "$work/conftest.jsonl" || true
	fi
	# The probes: the case's inputs (and data) as each tool reads them.
	plain=()
	for a in "${args[@]}"; do
		[ "$a" = --combine ] || plain+=("$a")
	done
	compare "$c (documents)" "${plain[@]}" -p "$probe" -n paved_compat_probe
	compare "$c (--combine)" "${plain[@]}" --combine -p "$probe" -n paved_compat_combined
done
exit $fail
