#!/usr/bin/env bash
# Load and soak test (issue 9): CLIENTS closed-loop clients send a working
# day's mix of traffic for DURATION — portal catalog and service pages with a
# session cookie, API reads with a token, answer writes and check uploads
# (bench/loadgen -scenario mixed) — to one paved server on SQLite, or to two
# replicas sharing one PostgreSQL database (clients spread over both). It
# prints, per route, requests, errors and p50/p90/p99/max latency, and each
# server's resident memory sampled every SAMPLE (before the load, at its
# start, middle and end) to show whether it stays flat.
#
#   bash bench/soak.sh sqlite
#   bash scripts/with-postgres.sh bash bench/soak.sh postgres
#   DURATION=30s CLIENTS=50 bash bench/soak.sh sqlite      # a quick look
#
# Everything runs on loopback. The catalog is COMPONENTS generated
# components in TEAMS teams (bench/gencatalog), imported before the load.
# The JSON result and the Markdown tables are kept in OUT (default: a
# directory under /tmp, printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${1:-sqlite}
CLIENTS=${CLIENTS:-200}
DURATION=${DURATION:-5m}
COMPONENTS=${COMPONENTS:-2000}
TEAMS=${TEAMS:-40}
SAMPLE=${SAMPLE:-5s}
case "$ENGINE" in
sqlite) REPLICAS=${REPLICAS:-1} ;;
postgres) REPLICAS=${REPLICAS:-2} ;;
*)
	echo "usage: bench/soak.sh sqlite|postgres" >&2
	exit 2
	;;
esac
work=$(mktemp -d)
OUT=${OUT:-$(mktemp -d /tmp/paved-soak-XXXXXX)}
mkdir -p "$OUT"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/paved" ./cmd/paved
go build -o "$work/gencatalog" ./bench/gencatalog
go build -o "$work/loadgen" ./bench/loadgen
"$work/gencatalog" -components "$COMPONENTS" -teams "$TEAMS" -o "$work/catalog.yaml"

if [ "$ENGINE" = postgres ]; then
	: "${PAVED_TEST_POSTGRES:?run under scripts/with-postgres.sh}"
	psql "$PAVED_TEST_POSTGRES" -q -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
	db=$PAVED_TEST_POSTGRES
else
	db=$work/paved.db
fi
mkdir -p "$work/config"
printf 'organisation:\n  name: soak\n' >"$work/config/paved.yaml"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export PAVED_BOOTSTRAP_TOKEN=pvd_soaksoaksoaksoaksoaksoaksoaksoak
urls=()
start_replica() {
	local port
	port=$(free_port)
	(cd "$work" && exec "$work/paved" serve --config "$work/config" --addr "127.0.0.1:$port" --database "$db" 2>"$OUT/serve-$1.log") &
	pids+=($!)
	for _ in $(seq 1 300); do
		curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
	urls+=("http://127.0.0.1:$port")
}

# The first replica creates the admin on the empty database; the catalog is
# imported through it; the others start on the filled database.
start_replica 1
PAVED_SERVER=${urls[0]} PAVED_TOKEN=$PAVED_BOOTSTRAP_TOKEN "$work/paved" catalog import "$work/catalog.yaml" | tail -1
for i in $(seq 2 "$REPLICAS"); do start_replica "$i"; done

{
	echo "engine: $ENGINE, replicas: $REPLICAS, clients: $CLIENTS, duration: $DURATION, components: $COMPONENTS, teams: $TEAMS"
	echo "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} >"$OUT/$ENGINE.md"
url_list=$(
	IFS=,
	echo "${urls[*]}"
)
pid_list=$(
	IFS=,
	echo "${pids[*]}"
)
"$work/loadgen" -scenario mixed -url "$url_list" -token "$PAVED_BOOTSTRAP_TOKEN" -c "$CLIENTS" -d "$DURATION" \
	-pids "$pid_list" -sample "$SAMPLE" -markdown >"$OUT/$ENGINE.json" 2>>"$OUT/$ENGINE.md"
{
	echo
	echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	for i in "${!pids[@]}"; do
		echo "server $((i + 1)) peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/${pids[$i]}/status")"
	done
} >>"$OUT/$ENGINE.md"
cat "$OUT/$ENGINE.md"
echo "results: $OUT/$ENGINE.json, $OUT/$ENGINE.md"
