/*
 * The job queue by hand (jobs/admin.h): listing with filters, retrying
 * only failed jobs, discarding only jobs no worker holds, counting by type
 * and state.  Rows are written with plain SQL, in the states the queue
 * leaves them in, so each case starts where an operator would find it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/admin.h"
#include "unit.h"

#define FAILED_ID "job_01ARZ3NDEKTSV4RRFFQ69G5FA1"
#define QUEUED_ID "job_01ARZ3NDEKTSV4RRFFQ69G5FA2"
#define RUNNING_ID "job_01ARZ3NDEKTSV4RRFFQ69G5FA3"
#define UNKNOWN_ID "job_01ARZ3NDEKTSV4RRFFQ69G5FA9"

static const char SQL_PUT[] =
    "INSERT INTO jobs (id, type, ref_id, workspace_id, state, attempts,"
    " max_attempts, run_at, lease_until, last_error, created_at, updated_at)"
    " VALUES ($1, $2, $3, 'ws_1', $4, $5, 5, $6, $7, $8, $6, $6)";
static const char SQL_ROW[] =
    "SELECT state, attempts, run_at, lease_until FROM jobs WHERE id = $1";

/* A failed job, a queued one, and one a worker holds, oldest first. */
static struct db_pool *
open_with_jobs(const char *name, struct db **db)
{
	struct db_pool *pool = unit_open_pool(name, 2);
	int64_t lease = clock_now_ms() + 60000;

	*db = db_acquire(pool);
	assert_int_equal(db_run(*db, SQL_PUT, "ssssiins", FAILED_ID, "hook",
			     "dlv_1", "failed", (int64_t)5, (int64_t)1000,
			     "connect"),
	    0);
	assert_int_equal(db_run(*db, SQL_PUT, "ssssiins", QUEUED_ID, "hook",
			     "dlv_2", "queued", (int64_t)0, (int64_t)2000,
			     NULL),
	    0);
	assert_int_equal(db_run(*db, SQL_PUT, "ssssiiis", RUNNING_ID, "sync",
			     "src_3", "running", (int64_t)1, (int64_t)3000,
			     lease, NULL),
	    0);
	return pool;
}

static void
close_pool(struct db_pool *pool, struct db *db)
{
	db_release(db);
	db_pool_free(pool);
}

/*
 * The ids job_list() returns for state, type and limit, each by its last
 * three characters, comma-joined.
 */
static char *
listed(struct db *db, const char *state, const char *type, int limit)
{
	struct job_filter f = {.state = state, .type = type, .limit = limit};
	cJSON *jobs = cJSON_CreateArray(), *job;
	char ids[256] = "";
	size_t n = 0;

	assert_int_equal(job_list(db, &f, jobs), 0);
	cJSON_ArrayForEach(job, jobs)
	{
		const char *id = json_str(job, "id");

		n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s",
		    n ? "," : "", id + strlen(id) - 3);
	}
	cJSON_Delete(jobs);
	return xstrdup(ids);
}

static void
assert_listed(struct db *db, const char *state, const char *type, int limit,
    const char *want)
{
	char *got = listed(db, state, type, limit);

	assert_string_equal(got, want);
	free(got);
}

static void
test_list(void **state)
{
	struct db *db;
	struct db_pool *pool = open_with_jobs("jobs-admin-list", &db);
	struct job_filter all = {.limit = 1};
	cJSON *jobs = cJSON_CreateArray(), *job;

	(void)state;
	/* The ids end in A1, A2, A3: newest first. */
	assert_listed(db, NULL, NULL, 100, "FA3,FA2,FA1");
	assert_listed(db, NULL, NULL, 2, "FA3,FA2");
	assert_listed(db, "failed", NULL, 100, "FA1");
	assert_listed(db, "running", NULL, 100, "FA3");
	assert_listed(db, NULL, "hook", 100, "FA2,FA1");
	assert_listed(db, "queued", "hook", 100, "FA2");
	assert_listed(db, "queued", "sync", 100, "");

	/* Every field, times in RFC 3339, null where the row has none. */
	assert_int_equal(job_list(db, &all, jobs), 0);
	job = cJSON_GetArrayItem(jobs, 0);
	assert_string_equal(json_str(job, "type"), "sync");
	assert_string_equal(json_str(job, "ref_id"), "src_3");
	assert_string_equal(json_str(job, "workspace_id"), "ws_1");
	assert_string_equal(json_str(job, "state"), "running");
	assert_int_equal(cJSON_GetObjectItem(job, "attempts")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(job, "max_attempts")->valueint, 5);
	assert_string_equal(json_str(job, "run_at"),
	    "1970-01-01T00:00:03.000Z");
	assert_non_null(json_str(job, "lease_until"));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(job, "last_error")));
	assert_string_equal(json_str(job, "created_at"),
	    "1970-01-01T00:00:03.000Z");
	assert_string_equal(json_str(job, "updated_at"),
	    "1970-01-01T00:00:03.000Z");
	cJSON_Delete(jobs);
	close_pool(pool, db);
}

static void
test_retry(void **state)
{
	struct db *db;
	struct db_pool *pool = open_with_jobs("jobs-admin-retry", &db);
	int64_t before = clock_now_ms();
	struct db_stmt *st;
	cJSON *job;

	(void)state;
	assert_int_equal(job_retry(db, FAILED_ID, &job), 0);
	assert_string_equal(json_str(job, "state"), "queued");
	/* Why it failed stays until it runs again. */
	assert_string_equal(json_str(job, "last_error"), "connect");
	cJSON_Delete(job);
	st = db_query(db, SQL_ROW, "s", FAILED_ID);
	assert_int_equal(db_first(st), 0);
	assert_string_equal(db_col_text(st, 0), "queued");
	assert_int_equal(db_col_i64(st, 1), 0);
	assert_true(
	    db_col_i64(st, 2) >= before && db_col_i64(st, 2) <= clock_now_ms());
	assert_true(db_col_null(st, 3));
	db_reset(st);

	/* Queued now, so not again; nor one queued or held all along. */
	assert_int_equal(job_retry(db, FAILED_ID, &job), PB_ERR_CONFLICT);
	assert_string_equal(json_str(job, "state"), "queued");
	cJSON_Delete(job);
	assert_int_equal(job_retry(db, RUNNING_ID, &job), PB_ERR_CONFLICT);
	assert_string_equal(json_str(job, "state"), "running");
	cJSON_Delete(job);
	assert_int_equal(job_retry(db, UNKNOWN_ID, &job), PB_ERR_NOT_FOUND);
	assert_null(job);
	close_pool(pool, db);
}

static void
test_discard(void **state)
{
	struct db *db;
	struct db_pool *pool = open_with_jobs("jobs-admin-discard", &db);
	cJSON *job;

	(void)state;
	assert_int_equal(job_discard(db, RUNNING_ID, &job), PB_ERR_CONFLICT);
	assert_string_equal(json_str(job, "state"), "running");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, QUEUED_ID, &job), 0);
	assert_string_equal(json_str(job, "id"), QUEUED_ID);
	assert_string_equal(json_str(job, "state"), "queued");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, FAILED_ID, &job), 0);
	assert_string_equal(json_str(job, "last_error"), "connect");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, QUEUED_ID, &job), PB_ERR_NOT_FOUND);
	assert_null(job);
	assert_listed(db, NULL, NULL, 100, "FA3");
	close_pool(pool, db);
}

static void
add_count(const char *type, const char *state, int64_t n, void *arg)
{
	char *seen = arg;
	size_t len = strlen(seen);

	snprintf(seen + len, 256 - len, "%s%s/%s=%lld", len ? "," : "", type,
	    state, (long long)n);
}

static void
test_count(void **state)
{
	struct db *db;
	struct db_pool *pool = open_with_jobs("jobs-admin-count", &db);
	char seen[256] = "";

	(void)state;
	assert_int_equal(db_run(db, SQL_PUT, "ssssiins",
			     "job_01ARZ3NDEKTSV4RRFFQ69G5FA4", "hook", "dlv_4",
			     "failed", (int64_t)5, (int64_t)4000, "timeout"),
	    0);
	assert_int_equal(job_count(db, add_count, seen), 0);
	assert_string_equal(seen, "hook/failed=2,hook/queued=1,sync/running=1");
	close_pool(pool, db);
}

static void
test_state_known(void **state)
{
	(void)state;
	assert_true(job_state_known("queued"));
	assert_true(job_state_known("running"));
	assert_true(job_state_known("failed"));
	assert_false(job_state_known("done"));
	assert_false(job_state_known(""));
	assert_false(job_state_known("Failed"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_retry),
	    cmocka_unit_test(test_discard),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_state_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
