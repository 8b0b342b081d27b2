#!/usr/bin/env bash
# readiness.sh: paved's own launch packet.
#
# Loads docs/readiness/paved.yaml (the default questionnaire and checklist
# answered for paved itself) into a fresh temporary database through the
# CLI (paved team/user/service create, paved launch answer|comment|assess
# --as), renders `paved launch packet paved --format md` into
# docs/readiness/packet.md, and checks that every test, path and metric the
# answers, docs/security.md and docs/operations.md name exists. It is
# TestReadinessPacket and TestReadinessReferences in cmd/paved with
# -update-readiness; `make test` runs the same tests without the flag and
# fails when packet.md is out of date (dates aside).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
GO=${GO:-go}
$GO test ./cmd/paved -count=1 -run 'TestReadinessPacket|TestReadinessReferences' -update-readiness "$@"
echo "readiness.sh: wrote docs/readiness/packet.md; review it with git diff" >&2
