#!/bin/sh
# Lead-capture benchmark (make bench): wrk at 64 connections against the
# release binary, at the default durability and at synchronous=full, and a
# static nginx answer measured the same way as this machine's ceiling.
# Prints leads/s, p50, p99, 201s against leads stored, and peak RSS.
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

# bench_pitchbar LABEL [VAR=value ...]
bench_pitchbar() {
	label=$1
	shift
	dir=$OUT/$label
	mkdir -p "$dir"
	port=$(free_port)
	env PITCHBAR_DATABASE_URL="sqlite:$dir/pitchbar.db" \
		PITCHBAR_SECRET_KEY_FILE="$dir/pitchbar.key" \
		PITCHBAR_LISTEN="127.0.0.1:$port" \
		PITCHBAR_PASSWORD_COST=interactive PITCHBAR_LOG_LEVEL=warn \
		"$@" "$BIN" serve >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!
	wait_http "http://127.0.0.1:$port/healthz"
	key=$(awk '/Widget key/ { print $3 }' "$dir/stdout")
	run_wrk "http://127.0.0.1:$port/widget/v1/$key/leads" "$label"
	rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
	kill -TERM "$pid"
	wait "$pid" || true
	stored=$(sqlite3 "$dir/pitchbar.db" "SELECT COUNT(*) FROM leads")
	report "$label" "$stored" "$rss"
}

# report LABEL STORED RSS_KB
report() {
	w=$OUT/$1.wrk
	n201=$(field created "$w")
	secs=$(field seconds "$w")
	rate=$(awk -v n="${n201:-0}" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	p50=$(awk -v u="$(field p50_us "$w")" 'BEGIN { printf "%.2f", u / 1000 }')
	p99=$(awk -v u="$(field p99_us "$w")" 'BEGIN { printf "%.2f", u / 1000 }')
	printf '%-18s %7s/s  p50 %6s ms  p99 %6s ms  201s %7s  stored %7s' \
		"$1" "$rate" "$p50" "$p99" "${n201:-0}" "$2"
	printf '  other %s  errors %s  peak rss %s MiB\n' \
		"$(field others "$w")" "$(field errors "$w")" "$(($3 / 1024))"
	echo "$rate" >"$OUT/$1.rate"
}

bench_nginx() {
	dir=$OUT/nginx
	mkdir -p "$dir/tmp"
	port=$(free_port)
	cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
pid $PWD/$dir/nginx.pid;
error_log $PWD/$dir/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $PWD/$dir/tmp;
	server {
		listen 127.0.0.1:$port;
		location / {
			default_type application/json;
			return 201 '{"id":"lead_static","status":"captured"}';
		}
	}
}
CONF
	nginx -c "$PWD/$dir/nginx.conf" -g 'daemon off;' &
	npid=$!
	wait_http "http://127.0.0.1:$port/"
	run_wrk "http://127.0.0.1:$port/widget/v1/static/leads" nginx-static-201
	kill -TERM "$npid"
	wait "$npid" || true
	report nginx-static-201 - 0
}

echo "lead capture, wrk -t$THREADS -c$CONNECTIONS -d$DURATION ($(nproc) cores)"
bench_nginx
bench_pitchbar pitchbar-normal
bench_pitchbar pitchbar-full PITCHBAR_SQLITE_SYNCHRONOUS=full
for label in pitchbar-normal pitchbar-full; do
	awk -v a="$(cat "$OUT/$label.rate")" \
		-v b="$(cat "$OUT/nginx-static-201.rate")" -v l="$label" \
		'BEGIN { printf "%s / nginx ceiling: %.2f\n", l, a / b }'
done
