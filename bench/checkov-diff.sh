#!/usr/bin/env bash
# Differential check against Checkov (issue 23), not run in CI.
#
#   bash bench/checkov-diff.sh                 # every corpus file
#   RULES="ec2-imdsv2 k8s-seccomp" bash bench/checkov-diff.sh
#   CHECKOV=/path/to/checkov bash bench/checkov-diff.sh
#
# Runs Checkov on the guard-rail corpus (internal/policy/testdata/corpus:
# Terraform plan JSON with --framework terraform_plan, Kubernetes manifests
# with --framework kubernetes) and, for every corpus file, compares paved's
# verdict for the file's rule (the expectation in the corpus index.json,
# which TestCorpus holds paved to) with Checkov's verdict on the same file
# for the Checkov checks the rule's METADATA names in custom.checkov.
# Checkov's verdict on a file: fail when one of those checks failed on a
# resource of the file, pass when they ran and none failed, n/a when none
# ran. Printed per file: agree, or DIFF with both verdicts and the failing
# resources; undetermined (paved cannot judge the value before apply) is
# printed as such beside Checkov's verdict. A summary closes the report.
# Every DIFF is either a paved fix or a design difference documented in
# docs/guardrails.md ("Compared with Checkov and Trivy").
#
# Without Checkov it prints "checkov not installed" and exits 0; install it
# with `pip install checkov` (the comparison itself needs python3, which
# Checkov needs anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOV=${CHECKOV:-checkov}
if ! command -v "$CHECKOV" >/dev/null 2>&1; then
	echo "checkov not installed: nothing compared (pip install checkov, then run bash bench/checkov-diff.sh again)"
	exit 0
fi
corpus=internal/policy/testdata/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "checkov $("$CHECKOV" --version 2>/dev/null | tail -1), paved $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

# The rule -> Checkov ids map, from the rules' METADATA.
for f in $(find internal/policy/rego/rules -name '*.rego' ! -name '*_test.rego' | sort); do
	id=$(sed -n 's/^#   id: //p' "$f" | head -1)
	ids=$(sed -n 's/^#   checkov: \[\(.*\)\]$/\1/p' "$f" | head -1 | tr -d ' ')
	printf '%s\t%s\n' "$id" "$ids"
done >"$work/map.tsv"

# One Checkov run per corpus file (its JSON report goes to $work/out/...).
mkdir -p "$work/out"
jq -r '.[] | .file + "\t" + .rule' "$corpus/index.json" | while IFS=$'\t' read -r file rule; do
	if [ -n "${RULES:-}" ] && [[ " $RULES " != *" $rule "* ]]; then
		continue
	fi
	if [ -z "$(awk -F'\t' -v r="$rule" '$1 == r { print $2 }' "$work/map.tsv")" ]; then
		continue # no Checkov counterpart: nothing to compare
	fi
	case "$file" in
	*.json) framework=terraform_plan ;;
	*) framework=kubernetes ;;
	esac
	out="$work/out/${file//\//_}.json"
	# Checkov exits 1 when a check fails; only a missing report is an error.
	"$CHECKOV" -f "$corpus/$file" --framework "$framework" -o json >"$out" 2>"$out.err" || true
	if [ ! -s "$out" ]; then
		echo "checkov wrote no report for $file: $(head -c 300 "$out.err")" >&2
	fi
done

python3 - "$corpus/index.json" "$work/map.tsv" "$work/out" "${RULES:-}" <<'EOF'
import json, os, sys

index_path, map_path, out_dir, only = sys.argv[1:5]
only = set(only.split())
ckv = {}
for line in open(map_path):
    rule, ids = line.rstrip("\n").split("\t")
    ckv[rule] = [i for i in ids.split(",") if i]

def checkov_results(path):
    """passed and failed (check_id, resource) pairs of one Checkov report."""
    passed, failed = [], []
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    doc = json.load(open(path))
    for report in doc if isinstance(doc, list) else [doc]:
        res = report.get("results") or {}
        passed += [(c["check_id"], c.get("resource", "")) for c in res.get("passed_checks", [])]
        failed += [(c["check_id"], c.get("resource", "")) for c in res.get("failed_checks", [])]
    return passed, failed

counts = {"agree": 0, "diff": 0, "undetermined": 0, "n/a": 0, "no report": 0}
for case in json.load(open(index_path)):
    rule, file, expect = case["rule"], case["file"], case["expect"]
    if only and rule not in only or not ckv.get(rule):
        continue
    got = checkov_results(os.path.join(out_dir, file.replace("/", "_") + ".json"))
    if got is None:
        counts["no report"] += 1
        print(f"NO REPORT {file}: checkov wrote nothing")
        continue
    ids = set(ckv[rule])
    fails = sorted({f"{c} {r}" for c, r in got[1] if c in ids})
    ran = fails or any(c in ids for c, _ in got[0])
    verdict = "fail" if fails else ("pass" if ran else "n/a")
    detail = f" ({'; '.join(fails)})" if fails else ""
    where = f"{file} [{rule}; checkov {','.join(ckv[rule])}]"
    if verdict == "n/a":
        counts["n/a"] += 1
        print(f"n/a        {where}: paved {expect}, no mapped Checkov check ran")
    elif expect == "undetermined":
        counts["undetermined"] += 1
        print(f"undeterm.  {where}: paved cannot judge before apply, checkov {verdict}{detail}")
    elif expect == verdict:
        counts["agree"] += 1
        print(f"agree      {where}: {verdict}")
    else:
        counts["diff"] += 1
        print(f"DIFF       {where}: paved {expect}, checkov {verdict}{detail}")
print("summary: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
EOF
