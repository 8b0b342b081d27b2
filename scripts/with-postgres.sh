#!/usr/bin/env bash
# with-postgres.sh CMD ARGS...
#
# Runs CMD with a throwaway PostgreSQL server: a fresh cluster in a temporary
# directory, on a free loopback port, trusted local login as user "paved".
# PAVED_TEST_POSTGRES holds its URL while CMD runs. The cluster is stopped
# and removed on exit whatever happens, and CMD's exit code is passed
# through. Example:
#
#   scripts/with-postgres.sh go test ./internal/store/
#
# PostgreSQL refuses to run as root, so when run as root the server runs as
# the "postgres" system user (created if missing). initdb and pg_ctl are
# taken from PATH or /usr/lib/postgresql/*/bin, and installed from Debian
# packages if absent.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

log() { echo "with-postgres: $*" >&2; }

find_bin() {
	local name=$1 p
	if p=$(command -v "$name" 2>/dev/null); then
		echo "$p"
		return 0
	fi
	# Newest version first.
	for p in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [ -x "$p/$name" ]; then
			echo "$p/$name"
			return 0
		fi
	done
	return 1
}

if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
	log "initdb/pg_ctl not found: installing PostgreSQL from Debian packages"
	if [ "$(id -u)" -ne 0 ]; then
		log "not root: install the postgresql package first"
		exit 1
	fi
	apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

# as_pg runs a command as the server's user: postgres when we are root.
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		log "creating the postgres system user"
		useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
	fi
	as_pg() { runuser -u postgres -- "$@"; }
else
	as_pg() { "$@"; }
fi

# A free port: ask the kernel for one (bind to port 0), then use it. Another
# process could take it before the server starts; pg_ctl would then fail
# loudly, and we retry on another port.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && return 0
	# Without python: pick a random high port that nothing listens on.
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/paved-pg.XXXXXX")
DATA="$DIR/data"
chmod 700 "$DIR"
if [ "$(id -u)" -eq 0 ]; then
	chown postgres: "$DIR"
fi

cleanup() {
	local rc=$?
	if [ -f "$DATA/postmaster.pid" ]; then
		as_pg "$PG_CTL" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$DIR"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$INITDB" -D "$DATA" -A trust -U paved -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 || {
	cat "$DIR/initdb.log" >&2
	exit 1
}

started=
for attempt in 1 2 3 4 5; do
	PORT=$(free_port)
	# fsync off: a test cluster needs no durability and runs much faster.
	if as_pg "$PG_CTL" -D "$DATA" -l "$DIR/server.log" \
		-o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
		-w -t 60 start >/dev/null 2>&1; then
		started=1
		break
	fi
	log "start on port $PORT failed (attempt $attempt)"
	tail -n 5 "$DIR/server.log" >&2 || true
done
if [ -z "$started" ]; then
	log "could not start PostgreSQL"
	exit 1
fi

export PAVED_TEST_POSTGRES="postgres://paved@127.0.0.1:$PORT/postgres?sslmode=disable"
log "PostgreSQL running at $PAVED_TEST_POSTGRES"

set +e
"$@"
rc=$?
set -e
exit "$rc"
