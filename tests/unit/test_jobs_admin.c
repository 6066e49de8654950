/*
 * The job queue by hand (jobs/admin.h): listing with filters, retrying
 * only failed jobs, discarding only jobs no worker holds (and ending, in
 * the same transaction, the workflow step or attempt the job was to
 * make), counting by type and state.  Rows are written with plain SQL,
 * in the states the queue and the run log leave them in, so each case
 * starts where an operator would find it.
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
#include "jobs/job.h"
#include "unit.h"
#include "workflows/run.h"

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
	assert_int_equal(job_discard(db, NULL, 0, RUNNING_ID, &job),
	    PB_ERR_CONFLICT);
	assert_string_equal(json_str(job, "state"), "running");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, NULL, 0, QUEUED_ID, &job), 0);
	assert_string_equal(json_str(job, "id"), QUEUED_ID);
	assert_string_equal(json_str(job, "state"), "queued");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, NULL, 0, FAILED_ID, &job), 0);
	assert_string_equal(json_str(job, "last_error"), "connect");
	cJSON_Delete(job);
	assert_int_equal(job_discard(db, NULL, 0, QUEUED_ID, &job),
	    PB_ERR_NOT_FOUND);
	assert_null(job);
	assert_listed(db, NULL, NULL, 100, "FA3");
	close_pool(pool, db);
}

static int discards; /* calls of count_discard() */

static int
count_discard(struct db *db, const char *ref_id)
{
	(void)db;
	assert_string_equal(ref_id, "dlv_2");
	discards++;
	return PB_OK;
}

static int
fail_discard(struct db *db, const char *ref_id)
{
	(void)db;
	(void)ref_id;
	return PB_ERR_DB;
}

/* A type's discard runs with the job's ref_id; when it fails, the job
 * stays. */
static void
test_discard_type(void **state)
{
	const struct job_type failing[] = {{"hook", NULL, 0, fail_discard}};
	const struct job_type counting[] = {{"sync", NULL, 0, NULL},
	    {"hook", NULL, 0, count_discard}};
	struct db *db;
	struct db_pool *pool = open_with_jobs("jobs-admin-discard-type", &db);
	cJSON *job;

	(void)state;
	assert_int_equal(job_discard(db, failing, 1, QUEUED_ID, &job),
	    PB_ERR_DB);
	assert_null(job);
	assert_listed(db, "queued", NULL, 100, "FA2");
	discards = 0;
	assert_int_equal(job_discard(db, counting, 2, QUEUED_ID, &job), 0);
	assert_string_equal(json_str(job, "ref_id"), "dlv_2");
	cJSON_Delete(job);
	assert_int_equal(discards, 1);
	assert_listed(db, "queued", NULL, 100, "");
	close_pool(pool, db);
}

/*
 * Runs as the run log leaves them: a workflow run (workflow_id wf_1) or
 * a dispatch run (NULL) of two steps, run_id + "a" and run_id + "b", and
 * the deliveries given.
 */
static const char SQL_SCENE[] =
    "INSERT INTO workspaces (id, name, created_at)"
    " VALUES ('ws_1', 'Acme', 0);"
    "INSERT INTO events (id, workspace_id, type, payload, created_at)"
    " VALUES ('evt_1', 'ws_1', 'lead.captured', '{}', 0);";
static const char SQL_RUN[] =
    "INSERT INTO workflow_runs (id, workspace_id, workflow_id, event_id,"
    " status, created_at, updated_at)"
    " VALUES ($1, 'ws_1', $2, 'evt_1', 'running', 0, 0)";
static const char SQL_STEP[] =
    "INSERT INTO run_steps (id, run_id, position, type, url,"
    " workflow_step_id, message_id, status, created_at, updated_at)"
    " VALUES ($1 || $2, $1, $3, 'webhook', 'http://crm.example/', $4,"
    " $1 || $2 || '_msg', $5, 0, 0)";
static const char SQL_DELIVERY[] =
    "INSERT INTO deliveries (id, workspace_id, message_id, event_id,"
    " endpoint_id, run_id, step_id, url, status, status_code, error,"
    " created_at) VALUES ($1, 'ws_1', $2 || '_msg', 'evt_1', $3, $4, $2,"
    " 'http://crm.example/', $5, $6, $7, 0)";
static const char SQL_STATUS[] =
    "SELECT r.status, a.status, b.status FROM workflow_runs r"
    " JOIN run_steps a ON a.id = r.id || 'a'"
    " JOIN run_steps b ON b.id = r.id || 'b' WHERE r.id = $1";
static const char SQL_ATTEMPTS[] =
    "SELECT status, error FROM deliveries WHERE step_id = $1"
    " ORDER BY created_at, id";

/* A run whose first step is in status first, the second pending. */
static void
put_run(struct db *db, const char *run_id, bool workflow, const char *first)
{
	assert_int_equal(
	    db_run(db, SQL_RUN, "ss", run_id, workflow ? "wf_1" : NULL), 0);
	assert_int_equal(db_run(db, SQL_STEP, "ssiss", run_id, "a", (int64_t)0,
			     workflow ? "wfs_1" : NULL, first),
	    0);
	assert_int_equal(db_run(db, SQL_STEP, "ssiss", run_id, "b", (int64_t)1,
			     workflow ? "wfs_2" : NULL, "pending"),
	    0);
}

/* A delivery of step (an endpoint's when endpoint is not NULL). */
static void
put_delivery(struct db *db, const char *id, const char *step,
    const char *endpoint, const char *status, const char *error)
{
	char run_id[ID_SIZE];

	snprintf(run_id, sizeof(run_id), "%.*s", (int)strlen(step) - 1, step);
	assert_int_equal(db_run(db, SQL_DELIVERY, "sssssis", id, step, endpoint,
			     run_id, status, (int64_t)(error ? 500 : 0), error),
	    0);
}

/* The statuses of run_id and its steps a and b, as "run/a/b". */
static void
assert_run(struct db *db, const char *run_id, const char *want)
{
	struct db_stmt *st = db_query(db, SQL_STATUS, "s", run_id);
	char got[64];

	assert_int_equal(db_first(st), 0);
	snprintf(got, sizeof(got), "%s/%s/%s", db_col_text(st, 0),
	    db_col_text(st, 1), db_col_text(st, 2));
	db_reset(st);
	assert_string_equal(got, want);
}

/* The attempts of step, as "status:error" comma-joined, oldest first. */
static void
assert_attempts(struct db *db, const char *step, const char *want)
{
	struct db_stmt *st = db_query(db, SQL_ATTEMPTS, "s", step);
	char got[256] = "";
	size_t n = 0;

	assert_non_null(st);
	while (db_step(st) == DB_ROW)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s:%s",
		    n ? "," : "", db_col_text(st, 0),
		    db_col_text(st, 1) ? db_col_text(st, 1) : "-");
	db_reset(st);
	assert_string_equal(got, want);
}

/* Queues a job of type for ref; its id ends in suffix. */
static void
put_job(struct db *db, const char *suffix, const char *type, const char *ref)
{
	char id[ID_SIZE];

	snprintf(id, sizeof(id), "job_01ARZ3NDEKTSV4RRFFQ69G5F%s", suffix);
	assert_int_equal(db_run(db, SQL_PUT, "ssssiins", id, type, ref,
			     "queued", (int64_t)1, (int64_t)1000, NULL),
	    0);
}

static void
discard_ok(struct db *db, const struct job_type *types, const char *suffix)
{
	char id[ID_SIZE];
	cJSON *job;

	snprintf(id, sizeof(id), "job_01ARZ3NDEKTSV4RRFFQ69G5F%s", suffix);
	assert_int_equal(job_discard(db, types, 2, id, &job), 0);
	cJSON_Delete(job);
}

/*
 * A workflow step's job discarded while it waits for its next attempt:
 * the step fails with an attempt saying why (or with its attempt left
 * pending marked so), the steps after it are skipped, the run fails.
 * One already ended stays as it is.
 */
static void
test_discard_step(void **state)
{
	const struct job_type types[] = {{"step", NULL, 0, run_step_discard},
	    {"deliver", NULL, 0, run_attempt_discard}};
	struct db_pool *pool = unit_open_pool("jobs-admin-discard-step", 2);
	struct db *db = db_acquire(pool);

	(void)state;
	assert_int_equal(db_exec(db, SQL_SCENE), 0);
	put_run(db, "run_1", true, "running");
	put_delivery(db, "dlv_1", "run_1a", NULL, "failed", "http_5xx");
	put_job(db, "B1", "step", "run_1a");
	put_run(db, "run_2", true, "running");
	put_delivery(db, "dlv_2", "run_2a", NULL, "pending", NULL);
	put_job(db, "B2", "step", "run_2a");
	put_run(db, "run_3", true, "succeeded");
	put_job(db, "B3", "step", "run_3a");

	discard_ok(db, types, "B1");
	assert_run(db, "run_1", "failed/failed/skipped");
	assert_attempts(db, "run_1a", "failed:http_5xx,failed:discarded");
	discard_ok(db, types, "B2");
	assert_run(db, "run_2", "failed/failed/skipped");
	assert_attempts(db, "run_2a", "failed:discarded");
	discard_ok(db, types, "B3");
	assert_run(db, "run_3", "running/succeeded/pending");
	assert_attempts(db, "run_3a", "");
	assert_listed(db, NULL, NULL, 100, "");
	db_release(db);
	db_pool_free(pool);
}

/*
 * A delivery's job discarded: the delivery fails as discarded; a
 * workflow step's (a redelivery) fails its step and run as above; a
 * dispatch step fails alone, its sibling still to be attempted.
 */
static void
test_discard_attempt(void **state)
{
	const struct job_type types[] = {{"step", NULL, 0, run_step_discard},
	    {"deliver", NULL, 0, run_attempt_discard}};
	struct db_pool *pool = unit_open_pool("jobs-admin-discard-dlv", 2);
	struct db *db = db_acquire(pool);

	(void)state;
	assert_int_equal(db_exec(db, SQL_SCENE), 0);
	put_run(db, "run_1", true, "pending");
	put_delivery(db, "dlv_1", "run_1a", NULL, "failed", "http_5xx");
	put_delivery(db, "dlv_2", "run_1a", NULL, "pending", NULL);
	put_job(db, "C1", "deliver", "dlv_2");
	put_run(db, "run_2", false, "pending");
	put_delivery(db, "dlv_3", "run_2a", "whk_1", "pending", NULL);
	put_job(db, "C2", "deliver", "dlv_3");
	/* Its redelivery went out first: the step has ended, and stays so. */
	put_run(db, "run_3", false, "succeeded");
	put_delivery(db, "dlv_4", "run_3a", "whk_1", "pending", NULL);
	put_delivery(db, "dlv_5", "run_3a", "whk_1", "succeeded", NULL);
	put_job(db, "C3", "deliver", "dlv_4");

	discard_ok(db, types, "C1");
	assert_run(db, "run_1", "failed/failed/skipped");
	assert_attempts(db, "run_1a", "failed:http_5xx,failed:discarded");
	discard_ok(db, types, "C2");
	assert_run(db, "run_2", "running/failed/pending");
	assert_attempts(db, "run_2a", "failed:discarded");
	discard_ok(db, types, "C3");
	assert_run(db, "run_3", "running/succeeded/pending");
	assert_attempts(db, "run_3a", "failed:discarded,succeeded:-");
	db_release(db);
	db_pool_free(pool);
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
	    cmocka_unit_test(test_discard_type),
	    cmocka_unit_test(test_discard_step),
	    cmocka_unit_test(test_discard_attempt),
	    cmocka_unit_test(test_count),
	    cmocka_unit_test(test_state_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
