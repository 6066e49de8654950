# The queue benchmark, sourced by bench/run.sh after lead capture (it uses
# its helpers and its nginx): how fast `pitchbar worker` runs jobs that do
# nothing, against two bare statements per job on one connection; and how
# fast it sends workflow webhook steps to nginx, against nginx alone at
# the same concurrency.  On SQLite, and on PostgreSQL when
# PITCHBAR_TEST_PG is set.

QUEUE_JOBS=${BENCH_QUEUE_JOBS:-20000}
QUEUE_WORKERS=${BENCH_QUEUE_WORKERS:-4}
STEP_LEADS_FOR=${BENCH_STEP_LEADS_FOR:-3s}

now_ms() {
	date +%s%3N
}

# sql_file URL FILE: runs FILE's statements, each in its own transaction,
# at the durability pitchbar runs at
sql_file() {
	case $1 in
	postgres:*) psql -q -v ON_ERROR_STOP=1 "$1" -f "$2" >/dev/null ;;
	*) { echo 'PRAGMA synchronous = NORMAL;'; cat "$2"; } |
		sqlite3 "${1#sqlite:}" >/dev/null ;;
	esac
}

# until_zero URL QUERY START_MS: waits for QUERY to count 0; prints the
# milliseconds since START_MS
until_zero() {
	until [ "$(sql "$1" "$2")" = 0 ]; do
		sleep 0.05
	done
	echo $(($(now_ms) - $3))
}

# start_worker URL DIR: `pitchbar worker` on URL; sets wpid
start_worker() {
	env PITCHBAR_DATABASE_URL="$1" \
		PITCHBAR_SECRET_KEY_FILE="$2/pitchbar.key" \
		PITCHBAR_ALLOW_PRIVATE_TARGETS=1 PITCHBAR_LOG_LEVEL=warn \
		"$BIN" worker --workers "$QUEUE_WORKERS" \
		>"$2/worker.out" 2>"$2/worker.err" &
	wpid=$!
}

stop_worker() {
	kill -TERM "$wpid"
	wait "$wpid" || true
}

# A fresh, migrated database for LABEL, holding QUEUE_JOBS queued noop
# jobs.
queue_database() {
	mkdir -p "$OUT/$1"
	url=$(database_for "$1")
	PITCHBAR_DATABASE_URL="$url" PITCHBAR_LOG_LEVEL=warn "$BIN" migrate
	sql "$url" "INSERT INTO jobs (id, type, ref_id, state, attempts,
	    max_attempts, run_at, created_at, updated_at)
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
	    SELECT i + 1 FROM n WHERE i < $QUEUE_JOBS)
	    SELECT 'job_' || i, 'noop', 'ref_' || i, 'queued', 0, 1, 0, 0, 0
	    FROM n" >/dev/null
	echo "$url"
}

# bench_noop ENGINE: noop jobs through the queue and the bare floor
bench_noop() {
	url=$(queue_database "$1-noop")
	start=$(now_ms)
	start_worker "$url" "$OUT/$1-noop"
	ms=$(until_zero "$url" "SELECT COUNT(*) FROM jobs" "$start")
	stop_worker

	url=$(queue_database "$1-bare")
	awk -v n="$QUEUE_JOBS" 'BEGIN { for (i = 1; i <= n; i++) {
	    printf "UPDATE jobs SET state = '\''running'\'', attempts = 1 ";
	    printf "WHERE id = '\''job_%d'\'';\n", i;
	    printf "DELETE FROM jobs WHERE id = '\''job_%d'\'';\n", i } }' \
		>"$OUT/$1-bare/bare.sql"
	start=$(now_ms)
	sql_file "$url" "$OUT/$1-bare/bare.sql"
	bare=$(($(now_ms) - start))
	awk -v n="$QUEUE_JOBS" -v ms="$ms" -v bare="$bare" -v e="$1" \
	    -v w="$QUEUE_WORKERS" 'BEGIN {
		printf "noop jobs, %s: %d jobs in %d ms: %.0f jobs/s with %d workers;",
		    e, n, ms, n * 1000 / ms, w
		printf " two bare statements a job: %.0f/s; ratio %.3f\n",
		    n * 1000 / bare, bare / ms }'
}

# bench_steps ENGINE: workflow webhook steps to nginx, from leads captured
# first with no worker running
bench_steps() {
	dir=$OUT/$1-steps
	mkdir -p "$dir"
	url=$(database_for "$1-steps")
	port=$(free_port)
	env PITCHBAR_DATABASE_URL="$url" \
		PITCHBAR_SECRET_KEY_FILE="$dir/pitchbar.key" \
		PITCHBAR_LISTEN="127.0.0.1:$port" PITCHBAR_ALLOW_PRIVATE_TARGETS=1 \
		PITCHBAR_PASSWORD_COST=interactive PITCHBAR_LOG_LEVEL=warn \
		"$BIN" serve --workers 0 >"$dir/stdout" 2>"$dir/stderr" &
	pid=$!
	wait_serving "$dir/stdout"
	key=$(awk '/Widget key/ { print $3 }' "$dir/stdout")
	token=$(awk '/API token/ { print $3 }' "$dir/stdout")
	curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/workflows" \
		-H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' \
		-d "{\"name\": \"bench\", \"trigger\": \"lead.captured\",
		    \"steps\": [{\"type\": \"webhook\",
		    \"url\": \"http://127.0.0.1:$nport/hook\"}]}"
	DURATION=$STEP_LEADS_FOR run_wrk \
		"http://127.0.0.1:$port/widget/v1/$key/leads" "$1-steps-leads"
	kill -TERM "$pid"
	wait "$pid" || true

	n=$(sql "$url" "SELECT COUNT(*) FROM workflow_runs")
	start=$(now_ms)
	start_worker "$url" "$dir"
	ms=$(until_zero "$url" "SELECT COUNT(*) FROM workflow_runs
	    WHERE status = 'running'" "$start")
	stop_worker
	bad=$(sql "$url" "SELECT COUNT(*) FROM workflow_runs
	    WHERE status <> 'succeeded'")

	# One lane holds all workers but one: nginx alone at that concurrency.
	CONNECTIONS=$((QUEUE_WORKERS - 1)) DURATION=$STEP_LEADS_FOR run_wrk \
		"http://127.0.0.1:$nport/hook" "$1-steps-nginx"
	w=$OUT/$1-steps-nginx.wrk
	awk -v n="$n" -v ms="$ms" -v bad="$bad" -v e="$1" \
	    -v c="$((QUEUE_WORKERS - 1))" -v r="$(field created "$w")" \
	    -v s="$(field seconds "$w")" 'BEGIN {
		printf "webhook steps, %s: %d steps in %d ms: %.0f steps/s",
		    e, n, ms, n * 1000 / ms
		printf " (%d not succeeded); nginx alone at %d connections:", bad, c
		printf " %.0f/s; ratio %.3f\n", r / s, (n * 1000 / ms) / (r / s) }'
}

echo "queue: $QUEUE_WORKERS workers, $QUEUE_JOBS noop jobs"
bench_noop sqlite
bench_steps sqlite
if [ -n "${PITCHBAR_TEST_PG:-}" ]; then
	bench_noop postgres
	bench_steps postgres
fi
