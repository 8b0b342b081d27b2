#!/usr/bin/env bash
# Spend benchmark (issue 6): generate a realistic FOCUS 1.2 export of ROWS
# lines (bench/genfocus: hourly lines of resources over 200 services, 20
# teams and 40 accounts, ~700 bytes a line), then ingest and allocate it
# with `paved cost ingest` into a fresh database, RUNS times, measuring the
# wall time and the peak memory (GNU time's maximum resident set size) of
# the whole command. Then time a month's report and the untagged ranking.
#
#   bash bench/cost.sh                                       # SQLite
#   bash scripts/with-postgres.sh bash bench/cost.sh postgres
#   ROWS=200000 RUNS=1 GZIP=1 bash bench/cost.sh             # smaller, gzip input
#
# Target (issue 6): 1,000,000 lines in <= 10 s with <= 256 MiB on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=${1:-sqlite}
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
GZIP=${GZIP:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/paved" ./cmd/paved
go build -o "$work/genfocus" ./bench/genfocus
input="$work/focus.csv"
flags=()
if [ "$GZIP" = 1 ]; then
	input="$work/focus.csv.gz"
	flags=(-gzip)
fi
gen_start=$(date +%s.%N)
"$work/genfocus" -rows "$ROWS" "${flags[@]}" -o "$input"
gen_end=$(date +%s.%N)
echo "input: $(du -h "$input" | cut -f1) ($(echo "$gen_end - $gen_start" | bc) s to generate)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"

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
	# Migrate first, so the run measures the ingest, not the schema.
	"$work/paved" migrate --database "$db" >/dev/null
	/usr/bin/time -f '%e %M' -o "$work/time" "$work/paved" cost ingest --no-progress --database "$db" "$input" >"$work/ingest.out"
	read -r secs kib <"$work/time"
	lines=$(sed -n 's/^ingested \([0-9]*\) lines.*/\1/p' "$work/ingest.out")
	rate=$(echo "$lines / $secs" | bc)
	times+=("$secs")
	echo "ingest run $i: ${secs} s, peak RSS $((kib / 1024)) MiB, ${lines} lines, ${rate} lines/s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "ingest median: ${median} s ($ENGINE, $ROWS lines)"

db=$(dsn "$RUNS")
for by in team service; do
	/usr/bin/time -f '%e %M' -o "$work/time" "$work/paved" cost report --database "$db" --month 2026-10 --by "$by" >/dev/null
	read -r secs kib <"$work/time"
	echo "report by $by: ${secs} s, peak RSS $((kib / 1024)) MiB"
done
/usr/bin/time -f '%e %M' -o "$work/time" "$work/paved" cost untagged --database "$db" --month 2026-10 >/dev/null
read -r secs kib <"$work/time"
echo "untagged ranking: ${secs} s, peak RSS $((kib / 1024)) MiB"
