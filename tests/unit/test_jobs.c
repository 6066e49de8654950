/*
 * The job queue: claim, lease, finish, retry; several threads claiming at
 * once never share a job; the worker pool runs every job exactly once.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/num.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/job.h"
#include "unit.h"

#define MANY 400
#define CLAIMERS 4

static const char SQL_STATE[] = "SELECT state, attempts, last_error FROM jobs"
				" WHERE ref_id = $1";

static struct db_pool *
open_pool(const char *name)
{
	return unit_open_pool(name, 16);
}

/* A claim by this test's process, for lease_ms, with generous caps. */
static int
claim(struct db *db, int64_t lease_ms, struct job *job, int64_t *next)
{
	struct job_claimer by = {"node_test", lease_ms, 100, 100};

	return job_claim(db, &by, job, next);
}

static int
put(struct db *db, const char *type, const char *ref, const char *ws,
    const char *lane, int max_attempts, int64_t run_at)
{
	return job_enqueue(db,
	    &(struct job_spec){type, ref, ws, lane, max_attempts, run_at});
}

static void
enqueue(struct db *db, const char *ref, int64_t run_at)
{
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(put(db, "test", ref, "ws_1", NULL, 3, run_at), 0);
	assert_int_equal(db_commit(db), 0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void
test_claim_and_finish(void **state)
{
	struct db_pool *pool = open_pool("jobs-basic");
	struct db *db = db_acquire(pool);
	struct job job;
	int64_t next;

	(void)state;
	assert_int_equal(claim(db, 1000, &job, &next), PB_ERR_NOT_FOUND);
	assert_true(next == INT64_MAX);
	enqueue(db, "ref_1", 0);
	assert_int_equal(claim(db, 60000, &job, &next), 0);
	assert_string_equal(job.ref_id, "ref_1");
	assert_string_equal(job.type, "test");
	assert_int_equal(job.attempts, 1);
	assert_int_equal(job.max_attempts, 3);
	/* Claimed under a lease: nobody else gets it meanwhile. */
	assert_int_equal(claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	assert_int_equal(
	    job_finish(db, &job, &(struct job_outcome){.status = JOB_DONE}), 0);
	assert_int_equal(claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	db_release(db);
	db_pool_free(pool);
}

static void
test_retry_and_failure(void **state)
{
	struct db_pool *pool = open_pool("jobs-retry");
	struct db *db = db_acquire(pool);
	struct job_outcome out = {.status = JOB_RETRY};
	struct db_stmt *st;
	struct job job;
	int64_t next;

	(void)state;
	enqueue(db, "ref_r", 0);
	assert_int_equal(claim(db, 60000, &job, &next), 0);
	out.retry_at = clock_now_ms() + 60000;
	snprintf(out.error, sizeof(out.error), "http_5xx");
	assert_int_equal(job_finish(db, &job, &out), 0);
	/* Not due yet; the worker learns when it will be. */
	assert_int_equal(claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	assert_int_equal(next, out.retry_at);

	enqueue(db, "ref_f", 0);
	assert_int_equal(claim(db, 60000, &job, &next), 0);
	out = (struct job_outcome){.status = JOB_FAILED};
	snprintf(out.error, sizeof(out.error), "gave up");
	assert_int_equal(job_finish(db, &job, &out), 0);
	st = db_query(db, SQL_STATE, "s", "ref_f");
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "failed");
	assert_string_equal(db_col_text(st, 2), "gave up");
	db_reset(st);
	db_release(db);
	db_pool_free(pool);
}

/* A lease that runs out lets another worker take the job over. */
static void
test_lease_expiry(void **state)
{
	struct db_pool *pool = open_pool("jobs-lease");
	struct db *db = db_acquire(pool);
	struct job first, second;
	int64_t next;

	(void)state;
	enqueue(db, "ref_l", 0);
	assert_int_equal(claim(db, 20, &first, &next), 0);
	sleep_ms(40);
	assert_int_equal(claim(db, 60000, &second, &next), 0);
	assert_string_equal(first.id, second.id);
	assert_int_equal(second.attempts, 2);
	/* The first worker's late finish no longer counts. */
	assert_int_equal(
	    job_finish(db, &first, &(struct job_outcome){.status = JOB_DONE}),
	    0);
	assert_int_equal(db_changes(db), 0);
	assert_int_equal(
	    job_finish(db, &second, &(struct job_outcome){.status = JOB_DONE}),
	    0);
	assert_int_equal(db_changes(db), 1);
	db_release(db);
	db_pool_free(pool);
}

struct claimer {
	struct db_pool *pool;
	atomic_int *seen; /* how many times each job was claimed */
};

/* The n of a job made for "ref_<n>". */
static int
ref_number(const struct job *job)
{
	int64_t n = -1;

	assert_int_equal(num_parse_i64(job->ref_id + 4, 0, MANY - 1, &n), 0);
	return (int)n;
}

static void *
claim_all(void *arg)
{
	struct claimer *c = arg;
	struct db *db = db_acquire(c->pool);
	struct job job;
	int64_t next;

	while (claim(db, 60000, &job, &next) == PB_OK) {
		atomic_fetch_add(&c->seen[ref_number(&job)], 1);
		assert_int_equal(job_finish(db, &job,
				     &(struct job_outcome){.status = JOB_DONE}),
		    0);
	}
	db_release(db);
	return NULL;
}

static void
enqueue_many(struct db_pool *pool, const char *type)
{
	struct db *db = db_acquire(pool);
	char ref[32];

	assert_int_equal(db_begin(db), 0);
	for (int i = 0; i < MANY; i++) {
		snprintf(ref, sizeof(ref), "ref_%d", i);
		assert_int_equal(put(db, type, ref, "ws_1", NULL, 1, 0), 0);
	}
	assert_int_equal(db_commit(db), 0);
	db_release(db);
}

static void
test_concurrent_claims(void **state)
{
	struct db_pool *pool = open_pool("jobs-claims");
	atomic_int *seen = xcalloc(MANY, sizeof(*seen));
	struct claimer c = {pool, seen};
	pthread_t t[CLAIMERS];

	(void)state;
	enqueue_many(pool, "test");
	for (int i = 0; i < CLAIMERS; i++)
		pthread_create(&t[i], NULL, claim_all, &c);
	for (int i = 0; i < CLAIMERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < MANY; i++)
		assert_int_equal(atomic_load(&seen[i]), 1);
	free(seen);
	db_pool_free(pool);
}

static atomic_int ran[MANY];

static void
count_job(struct job_ctx *ctx, const struct job *job, struct job_outcome *out)
{
	(void)ctx;
	(void)out;
	atomic_fetch_add(&ran[ref_number(job)], 1);
}

static int
total_ran(void)
{
	int n = 0;

	for (int i = 0; i < MANY; i++)
		n += atomic_load(&ran[i]);
	return n;
}

/* The worker pool runs each job once and stops when told. */
static void
test_worker_pool(void **state)
{
	static const struct job_type types[] = {{"count", count_job, 0, NULL}};
	struct db_pool *pool = open_pool("jobs-pool");
	struct job_worker_config cfg = {
	    .pool = pool,
	    .threads = 3,
	    .lease_ms = 60000,
	    .poll_ms = 50,
	    .types = types,
	    .ntypes = 1,
	};
	struct job_workers *w = job_workers_start(&cfg);
	int64_t deadline = clock_mono_ms() + 30000;

	(void)state;
	enqueue_many(pool, "count");
	while (total_ran() < MANY && clock_mono_ms() < deadline)
		sleep_ms(10);
	assert_true(job_workers_stop(w, clock_mono_ms() + 10000));
	for (int i = 0; i < MANY; i++)
		assert_int_equal(atomic_load(&ran[i]), 1);
	db_pool_free(pool);
}

static atomic_int slow_runs;

static void
slow_job(struct job_ctx *ctx, const struct job *job, struct job_outcome *out)
{
	(void)ctx;
	(void)job;
	(void)out;
	atomic_fetch_add(&slow_runs, 1);
	sleep_ms(1200);
}

/* A job running four times longer than its lease keeps it. */
static void
test_lease_renewed(void **state)
{
	static const struct job_type types[] = {{"slow", slow_job, 0, NULL}};
	struct db_pool *pool = open_pool("jobs-renew");
	struct job_worker_config cfg = {
	    .pool = pool,
	    .threads = 1,
	    .lease_ms = 300,
	    .poll_ms = 20,
	    .types = types,
	    .ntypes = 1,
	};
	struct db *db = db_acquire(pool);
	struct job_workers *w;
	struct job job;
	int64_t next, deadline;

	(void)state;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(put(db, "slow", "ref_s", "ws_1", NULL, 1, 0), 0);
	assert_int_equal(db_commit(db), 0);
	w = job_workers_start(&cfg);
	while (atomic_load(&slow_runs) == 0)
		sleep_ms(5);
	deadline = clock_mono_ms() + 1000;
	while (clock_mono_ms() < deadline) {
		assert_int_equal(claim(db, 300, &job, &next), PB_ERR_NOT_FOUND);
		sleep_ms(25);
	}
	assert_true(job_workers_stop(w, clock_mono_ms() + 5000));
	assert_int_equal(atomic_load(&slow_runs), 1);
	assert_int_equal(claim(db, 300, &job, &next), PB_ERR_NOT_FOUND);
	db_release(db);
	db_pool_free(pool);
}

/* A retry asked for past the attempt limit is a failure. */
static void
test_retry_limit(void **state)
{
	struct db_pool *pool = open_pool("jobs-limit");
	struct db *db = db_acquire(pool);
	struct job_outcome out = {.status = JOB_RETRY};
	struct db_stmt *st;
	struct job job;
	int64_t next;

	(void)state;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(put(db, "test", "ref_x", "ws_1", NULL, 2, 0), 0);
	assert_int_equal(db_commit(db), 0);
	for (int attempt = 1; attempt <= 2; attempt++) {
		assert_int_equal(claim(db, 60000, &job, &next), 0);
		assert_int_equal(job.attempts, attempt);
		assert_int_equal(job_finish(db, &job, &out), 0);
	}
	assert_int_equal(claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	st = db_query(db, SQL_STATE, "s", "ref_x");
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "failed");
	db_reset(st);
	db_release(db);
	db_pool_free(pool);
}

static void
put_now(struct db *db, const char *ref, const char *ws, const char *lane)
{
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(put(db, "test", ref, ws, lane, 3, 0), 0);
	assert_int_equal(db_commit(db), 0);
}

static void
expect_claim(struct db *db, const struct job_claimer *by, const char *ref,
    struct job *job)
{
	int64_t next;

	assert_int_equal(job_claim(db, by, job, &next), 0);
	assert_string_equal(job->ref_id, ref);
}

/*
 * A lane at its cap is passed over for the next job of another lane; the
 * cap counts this process's live leases only; finishing frees the lane.
 */
static void
test_lane_cap(void **state)
{
	struct db_pool *pool = open_pool("jobs-lanes");
	struct db *db = db_acquire(pool);
	struct job_claimer by = {"node_a", 60000, 1, 10};
	struct job_claimer other = {"node_b", 60000, 1, 10};
	struct job a1, b1, a2, dummy;
	int64_t next;

	(void)state;
	put_now(db, "ref_a1", "ws_1", "whk_slow");
	put_now(db, "ref_a2", "ws_1", "whk_slow");
	put_now(db, "ref_b1", "ws_2", "whk_fast");
	expect_claim(db, &by, "ref_a1", &a1);
	expect_claim(db, &by, "ref_b1", &b1);
	assert_int_equal(job_claim(db, &by, &dummy, &next), PB_ERR_NOT_FOUND);
	assert_true(next <= clock_now_ms()); /* due, but held back */
	/* Another process has its own share of the lane. */
	expect_claim(db, &other, "ref_a2", &a2);
	assert_int_equal(
	    job_finish(db, &a2, &(struct job_outcome){.status = JOB_DONE}), 0);
	put_now(db, "ref_a3", "ws_1", "whk_slow");
	assert_int_equal(job_claim(db, &by, &dummy, &next), PB_ERR_NOT_FOUND);
	assert_int_equal(
	    job_finish(db, &a1, &(struct job_outcome){.status = JOB_DONE}), 0);
	expect_claim(db, &by, "ref_a3", &dummy);
	db_release(db);
	db_pool_free(pool);
}

/*
 * A workspace at its cap lets another workspace's later job go first;
 * with nothing else waiting it takes the free worker after all.
 */
static void
test_workspace_cap(void **state)
{
	struct db_pool *pool = open_pool("jobs-workspaces");
	struct db *db = db_acquire(pool);
	struct job_claimer by = {"node_a", 60000, 10, 2};
	struct job job;

	(void)state;
	put_now(db, "ref_1", "ws_busy", "whk_1");
	put_now(db, "ref_2", "ws_busy", "whk_2");
	put_now(db, "ref_3", "ws_busy", "whk_3");
	put_now(db, "ref_4", "ws_quiet", "whk_4");
	expect_claim(db, &by, "ref_1", &job);
	expect_claim(db, &by, "ref_2", &job);
	expect_claim(db, &by, "ref_4", &job);
	expect_claim(db, &by, "ref_3", &job);
	db_release(db);
	db_pool_free(pool);
}

static int64_t flaky_at[3];
static atomic_int flaky_runs;

static void
flaky_job(struct job_ctx *ctx, const struct job *job, struct job_outcome *out)
{
	int n = atomic_load(&flaky_runs);

	(void)ctx;
	(void)job;
	if (n < 3)
		flaky_at[n] = clock_mono_ms();
	atomic_fetch_add(&flaky_runs, 1);
	out->status = JOB_RETRY; /* no time given: the type's delay */
}

/* Retries without a time wait the type's delay, doubling each time. */
static void
test_retry_backoff(void **state)
{
	static const struct job_type types[] = {
	    {"flaky", flaky_job, 100, NULL}};
	struct db_pool *pool = open_pool("jobs-backoff");
	struct job_worker_config cfg = {
	    .pool = pool,
	    .threads = 1,
	    .lease_ms = 60000,
	    .poll_ms = 10,
	    .types = types,
	    .ntypes = 1,
	};
	struct db *db = db_acquire(pool);
	struct job_workers *w;
	int64_t deadline = clock_mono_ms() + 10000;

	(void)state;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(put(db, "flaky", "ref_f", "ws_1", NULL, 3, 0), 0);
	assert_int_equal(db_commit(db), 0);
	w = job_workers_start(&cfg);
	while (atomic_load(&flaky_runs) < 3 && clock_mono_ms() < deadline)
		sleep_ms(5);
	assert_true(job_workers_stop(w, clock_mono_ms() + 5000));
	assert_int_equal(atomic_load(&flaky_runs), 3);
	/* 100 ms, then 200 ms, each less a fifth at most. */
	assert_true(flaky_at[1] - flaky_at[0] >= 80);
	assert_true(flaky_at[2] - flaky_at[1] >= 160);
	db_release(db);
	db_pool_free(pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_claim_and_finish),
	    cmocka_unit_test(test_retry_and_failure),
	    cmocka_unit_test(test_lease_expiry),
	    cmocka_unit_test(test_concurrent_claims),
	    cmocka_unit_test(test_worker_pool),
	    cmocka_unit_test(test_lease_renewed),
	    cmocka_unit_test(test_retry_limit),
	    cmocka_unit_test(test_lane_cap),
	    cmocka_unit_test(test_workspace_cap),
	    cmocka_unit_test(test_retry_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
