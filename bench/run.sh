#!/bin/sh
# Lead-capture benchmark (make bench): wrk at 64 connections against the
# release binary, every request a lead of its own, on SQLite at the default
# durability and at synchronous=full, and on PostgreSQL when
# PITCHBAR_TEST_PG is set (make bench runs this under tools/with-pg.sh);
# and a static nginx 201 measured the same way, this machine's ceiling.
# For each: leads/s, p50, p99, the 201s against the leads stored (every
# 201 must be stored; requests still in flight when wrk stops may be
# stored without their 201 being counted), and peak RSS.
set -eu
cd "$(dirname "$0")/.."

BIN=${PITCHBAR_BIN:-build/release/pitchbar}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
OUT=build/bench
rm -rf "$OUT"
mkdir -p "$OUT"

free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",
		()=>{console.log(s.address().port);s.close()})'
}

# Waits for the line saying the service serves (after its first-start
# banner, which holds the widget key).
wait_serving() {
	i=0
	until grep -q '^pitchbar: serving on' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench: $1: never served" >&2; exit 1; }
		sleep 0.1
	done
}

wait_http() {
	i=0
	until curl -fs "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: $1 never answered" >&2; exit 1; }
		sleep 0.1
	done
}

# run_wrk URL LABEL: wrk's summary in $OUT/LABEL.wrk
run_wrk() {
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/lead.lua \
		"$1" >"$OUT/$2.wrk" 2>&1
}

field() {
	awk -v k="$1" '$1 == k { print $2 }' "$2"
}

# report LABEL STORED RSS_KB
report() {
	w=$OUT/$1.wrk
	n201=$(field created "$w")
	sent=$(field sent "$w")
	rate=$(awk -v n="$n201" -v s="$(field seconds "$w")" \
		'BEGIN { printf "%.0f", n / s }')
	p50=$(awk -v u="$(field p50_us "$w")" 'BEGIN { printf "%.2f", u / 1000 }')
	p99=$(awk -v u="$(field p99_us "$w")" 'BEGIN { printf "%.2f", u / 1000 }')
	check=-
	if [ "$2" != - ]; then
		check=ok
		[ "$2" -ge "$n201" ] && [ "$2" -le "$sent" ] || check=MISMATCH
	fi
	printf '%-16s %6s/s  p50 %6s ms  p99 %6s ms  201s %7s  stored %7s (%s)' \
		"$1" "$rate" "$p50" "$p99" "$n201" "$2" "$check"
	printf '  other %s  errors %s  peak rss %s MiB\n' \
		"$(field others "$w")" "$(field errors "$w")" "$(($3 / 1024))"
	echo "$rate" >"$OUT/$1.rate"
}

# A fresh database URL for LABEL, and the command that counts its leads.
database_for() {
	case $1 in
	postgres*)
		name=bench_$(date +%s)_$$
		psql -q "$PITCHBAR_TEST_PG" -c "CREATE DATABASE $name"
		echo "${PITCHBAR_TEST_PG%/*}/$name"
		;;
	*)
		echo "sqlite:$PWD/$OUT/$1/pitchbar.db"
		;;
	esac
}

# sql URL QUERY: runs QUERY, prints its one value
sql() {
	case $1 in
	postgres:*) psql -Atq -v ON_ERROR_STOP=1 "$1" -c "$2" ;;
	*) sqlite3 "${1#sqlite:}" "$2" ;;
	esac
}

# bench_pitchbar LABEL [VAR=value ...]
bench_pitchbar() {
	label=$1
	shift
	dir=$OUT/$label
	mkdir -p "$dir"
	url=$(database_for "$label")
	port=$(free_port)
	env PITCHBAR_DATABASE_URL="$url" \
		PITCHBAR_SECRET_KEY_FILE="$dir/pitchbar.key" \
		PITCHBAR_LISTEN="127.0.0.1:$port" \
		PITCHBAR_PASSWORD_COST=interactive PITCHBAR_LOG_LEVEL=warn \
		"$@" "$BIN" serve >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!
	wait_serving "$dir/stdout"
	key=$(awk '/Widget key/ { print $3 }' "$dir/stdout")
	run_wrk "http://127.0.0.1:$port/widget/v1/$key/leads" "$label"
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid" || true
	report "$label" "$(sql "$url" "SELECT COUNT(*) FROM leads")" "$rss"
}

# Starts nginx answering 201 to everything: the ceiling of lead capture,
# and the receiver of the queue benchmark's webhooks.  Sets nport, npid.
start_nginx() {
	dir=$OUT/nginx
	mkdir -p "$dir/tmp"
	nport=$(free_port)
	cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$dir/nginx.pid;
error_log $PWD/$dir/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $PWD/$dir/tmp;
	server {
		listen 127.0.0.1:$nport;
		location / {
			default_type application/json;
			return 201 '{"id":"lead_static","status":"captured"}';
		}
	}
}
CONF
	nginx -c "$PWD/$dir/nginx.conf" -g 'daemon off;' &
	npid=$!
	wait_http "http://127.0.0.1:$nport/"
}

bench_nginx() {
	run_wrk "http://127.0.0.1:$nport/widget/v1/static/leads" nginx-static
	report nginx-static - 0
}

ratio() {
	awk -v a="$(cat "$OUT/$1.rate")" -v b="$(cat "$OUT/nginx-static.rate")" \
		-v l="$1" 'BEGIN { printf "%s / nginx: %.3f\n", l, a / b }'
}

echo "lead capture: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores"
start_nginx
trap 'kill -QUIT $npid 2>/dev/null || true' EXIT
bench_nginx
bench_pitchbar sqlite-normal
bench_pitchbar sqlite-full PITCHBAR_SQLITE_SYNCHRONOUS=full
[ -z "${PITCHBAR_TEST_PG:-}" ] || bench_pitchbar postgres
for label in sqlite-normal sqlite-full postgres; do
	[ -f "$OUT/$label.rate" ] && ratio "$label"
done
. bench/queue.sh
