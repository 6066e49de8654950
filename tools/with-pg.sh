#!/bin/sh
# Runs a command beside a private PostgreSQL server of its own:
#
#   tools/with-pg.sh [--durable] COMMAND...
#
# The server (Debian's postgresql package) gets a fresh data directory
# under build/pg, a free port on 127.0.0.1 and trust authentication; its
# admin URL is exported as PITCHBAR_TEST_PG.  It is stopped when the
# command ends, whatever the outcome.  The tests run it without fsync;
# --durable keeps PostgreSQL's defaults (benchmarks).  As root the server
# runs as the postgres user.
set -eu
cd "$(dirname "$0")/.."

durable=0
if [ "${1:-}" = --durable ]; then
	durable=1
	shift
fi
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/postgres" ] || { echo "with-pg: no PostgreSQL server installed" >&2; exit 1; }

dir=$PWD/build/pg/$$
rm -rf "$dir"
mkdir -p "$dir"
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -ne 0 ] || chown postgres "$dir"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",
	()=>{console.log(s.address().port);s.close()})')
opts="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400"
[ $durable -eq 1 ] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"

as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log"
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "$opts" start >/dev/null

stop() {
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT INT TERM

export PITCHBAR_TEST_PG="postgres://postgres@127.0.0.1:$port/postgres"
export PITCHBAR_TEST_PG_CTL="$bin/pg_ctl"
export PITCHBAR_TEST_PG_DATA="$dir/data"
status=0
"$@" || status=$?
exit $status
