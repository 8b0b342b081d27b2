#!/usr/bin/env bash
# Catalog benchmark (issue 2): import a generated Backstage catalog of
# COMPONENTS components in TEAMS teams, then load GET /api/v1/services
# filtered by team and phase with CLIENTS concurrent clients for DURATION.
#
#   bash bench/catalog.sh            # SQLite
#   bash scripts/with-postgres.sh bash bench/catalog.sh postgres
#
# Prints import times (median of RUNS fresh imports) and the load generator's
# JSON (requests/s, p50/p90/p99 latency). Everything runs on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${1:-sqlite}
COMPONENTS=${COMPONENTS:-10000}
TEAMS=${TEAMS:-50}
CLIENTS=${CLIENTS:-50}
DURATION=${DURATION:-30s}
RUNS=${RUNS:-3}
work=$(mktemp -d)
trap 'kill "${server_pid:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/paved" ./cmd/paved
go build -o "$work/gencatalog" ./bench/gencatalog
go build -o "$work/loadgen" ./bench/loadgen
"$work/gencatalog" -components "$COMPONENTS" -teams "$TEAMS" -o "$work/catalog.yaml"
echo "catalog: $COMPONENTS components, $TEAMS teams, $(du -h "$work/catalog.yaml" | cut -f1)"

dsn() {
	if [ "$ENGINE" = postgres ]; then
		: "${PAVED_TEST_POSTGRES:?run under scripts/with-postgres.sh}"
		echo "$PAVED_TEST_POSTGRES"
	else
		echo "$work/paved-$1.db"
	fi
}
reset_pg() {
	if [ "$ENGINE" = postgres ]; then
		psql "$PAVED_TEST_POSTGRES" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
	fi
}

times=()
for i in $(seq 1 "$RUNS"); do
	reset_pg
	db=$(dsn "$i")
	start=$(date +%s.%N)
	"$work/paved" catalog import --database "$db" "$work/catalog.yaml" >"$work/import.out"
	end=$(date +%s.%N)
	t=$(echo "$end - $start" | bc)
	times+=("$t")
	echo "import run $i: ${t}s ($(tail -1 "$work/import.out"))"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "import median: ${median}s"

# Serve the last imported database and load it.
db=$(dsn "$RUNS")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PAVED_BOOTSTRAP_TOKEN=pvd_benchmarkbenchmarkbenchmarkbenchmark
"$work/paved" serve --addr "127.0.0.1:$port" --database "$db" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
# The server bootstraps its admin only on an empty database; the imported one
# has users, so create the benchmark token directly.
token=$("$work/paved" token create --database "$db" --user user-00-0 --name bench)
phases=(playground production retired green-light)
: >"$work/paths"
for t in $(seq 0 $((TEAMS - 1))); do
	for p in "${phases[@]}"; do
		printf '/api/v1/services?team=team-%02d&phase=%s\n' "$t" "$p" >>"$work/paths"
	done
done
"$work/loadgen" -url "http://127.0.0.1:$port" -token "$token" -c "$CLIENTS" -d "$DURATION" -paths "$work/paths"
echo "server peak RSS: $(grep VmHWM /proc/$server_pid/status | awk '{print $2/1024 " MiB"}')"
