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

static void
enqueue(struct db *db, const char *ref, int64_t run_at)
{
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(job_enqueue(db, "test", ref, "ws_1", 3, run_at), 0);
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
	assert_int_equal(job_claim(db, 1000, &job, &next), PB_ERR_NOT_FOUND);
	assert_true(next == INT64_MAX);
	enqueue(db, "ref_1", 0);
	assert_int_equal(job_claim(db, 60000, &job, &next), 0);
	assert_string_equal(job.ref_id, "ref_1");
	assert_string_equal(job.type, "test");
	assert_int_equal(job.attempts, 1);
	assert_int_equal(job.max_attempts, 3);
	/* Claimed under a lease: nobody else gets it meanwhile. */
	assert_int_equal(job_claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	assert_int_equal(
	    job_finish(db, &job, &(struct job_outcome){.status = JOB_DONE}), 0);
	assert_int_equal(job_claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
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
	assert_int_equal(job_claim(db, 60000, &job, &next), 0);
	out.retry_at = clock_now_ms() + 60000;
	snprintf(out.error, sizeof(out.error), "http_5xx");
	assert_int_equal(job_finish(db, &job, &out), 0);
	/* Not due yet; the worker learns when it will be. */
	assert_int_equal(job_claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	assert_int_equal(next, out.retry_at);

	enqueue(db, "ref_f", 0);
	assert_int_equal(job_claim(db, 60000, &job, &next), 0);
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
	assert_int_equal(job_claim(db, 20, &first, &next), 0);
	sleep_ms(40);
	assert_int_equal(job_claim(db, 60000, &second, &next), 0);
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

	while (job_claim(db, 60000, &job, &next) == PB_OK) {
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
		assert_int_equal(job_enqueue(db, type, ref, "ws_1", 1, 0), 0);
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
	static const struct job_type types[] = {{"count", count_job}};
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
	static const struct job_type types[] = {{"slow", slow_job}};
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
	assert_int_equal(job_enqueue(db, "slow", "ref_s", "ws_1", 1, 0), 0);
	assert_int_equal(db_commit(db), 0);
	w = job_workers_start(&cfg);
	while (atomic_load(&slow_runs) == 0)
		sleep_ms(5);
	deadline = clock_mono_ms() + 1000;
	while (clock_mono_ms() < deadline) {
		assert_int_equal(job_claim(db, 300, &job, &next),
		    PB_ERR_NOT_FOUND);
		sleep_ms(25);
	}
	assert_true(job_workers_stop(w, clock_mono_ms() + 5000));
	assert_int_equal(atomic_load(&slow_runs), 1);
	assert_int_equal(job_claim(db, 300, &job, &next), PB_ERR_NOT_FOUND);
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
	assert_int_equal(job_enqueue(db, "test", "ref_x", "ws_1", 2, 0), 0);
	assert_int_equal(db_commit(db), 0);
	for (int attempt = 1; attempt <= 2; attempt++) {
		assert_int_equal(job_claim(db, 60000, &job, &next), 0);
		assert_int_equal(job.attempts, attempt);
		assert_int_equal(job_finish(db, &job, &out), 0);
	}
	assert_int_equal(job_claim(db, 60000, &job, &next), PB_ERR_NOT_FOUND);
	st = db_query(db, SQL_STATE, "s", "ref_x");
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "failed");
	db_reset(st);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
