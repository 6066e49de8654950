/* Runs, their steps, and the run log's JSON (see run.h). */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "events/event.h"
#include "workflows/run.h"

static const char SQL_INSERT_RUN[] =
    "INSERT INTO workflow_runs (id, workspace_id, workflow_id, event_id,"
    " status, created_at, updated_at)"
    " VALUES ($1, $2, NULL, $3, 'running', $4, $4)";
static const char SQL_INSERT_STEP[] =
    "INSERT INTO run_steps (id, run_id, position, type, endpoint_id, url,"
    " status, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)";
/*
 * Touching the run first takes its row lock: on PostgreSQL the steps of
 * one run are recorded by several workers at once, and the one that
 * recomputes the run's status last must see every sibling's step.
 */
static const char SQL_LOCK_RUN[] =
    "UPDATE workflow_runs SET updated_at = $2"
    " WHERE id = (SELECT run_id FROM run_steps WHERE id = $1)"
    " RETURNING id";
static const char SQL_SET_STEP[] =
    "UPDATE run_steps SET status = $2, updated_at = $3 WHERE id = $1";
static const char SQL_SET_RUN_STATUS[] =
    "UPDATE workflow_runs SET updated_at = $2, status = CASE"
    " WHEN EXISTS (SELECT 1 FROM run_steps WHERE run_id = $1"
    "  AND status IN ('pending', 'running')) THEN 'running'"
    " WHEN EXISTS (SELECT 1 FROM run_steps WHERE run_id = $1"
    "  AND status = 'failed') THEN 'failed'"
    " ELSE 'succeeded' END WHERE id = $1";
static const char SQL_GET_RUN[] =
    "SELECT id, workflow_id, event_id, status, created_at, updated_at"
    " FROM workflow_runs WHERE id = $1 AND workspace_id = $2";
static const char SQL_GET_STEPS[] =
    "SELECT id, type, endpoint_id, url, status FROM run_steps"
    " WHERE run_id = $1 ORDER BY position";
static const char SQL_GET_ATTEMPTS[] =
    "SELECT id, attempted_at, status_code, error, duration_ms, status"
    " FROM deliveries WHERE step_id = $1 ORDER BY id";

int
run_add_dispatch_step(struct db *db, struct event_fanout *fanout,
    const char *type, const char *endpoint_id, const char *url,
    char step_id[ID_SIZE])
{
	const struct event *ev = fanout->event;
	int64_t now = clock_now_ms();
	int rc;

	if (fanout->run_id[0] == '\0') {
		id_new("run_", fanout->run_id);
		rc = db_run(db, SQL_INSERT_RUN, "sssi", fanout->run_id,
		    ev->workspace_id, ev->id, now);
		if (rc != PB_OK)
			return rc;
	}
	id_new("stp_", step_id);
	return db_run(db, SQL_INSERT_STEP, "ssisssi", step_id, fanout->run_id,
	    (int64_t)fanout->steps++, type, endpoint_id, url, now);
}

int
run_step_set_status(struct db *db, const char *step_id, const char *status)
{
	int64_t now = clock_now_ms();
	char run_id[ID_SIZE];
	struct db_stmt *st = db_query(db, SQL_LOCK_RUN, "si", step_id, now);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, run_id, sizeof(run_id));
	db_reset(st);
	rc = db_run(db, SQL_SET_STEP, "ssi", step_id, status, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_SET_RUN_STATUS, "si", run_id, now);
	return rc;
}

static cJSON *
attempt_json(struct db_stmt *st, void *arg)
{
	cJSON *a = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(a, "delivery_id", db_col_text(st, 0));
	json_add_time(a, "at", db_col_null(st, 1) ? -1 : db_col_i64(st, 1));
	db_add_col_i64(a, "status_code", st, 2);
	json_add_str(a, "error", db_col_text(st, 3));
	if (db_col_null(st, 1))
		cJSON_AddNullToObject(a, "duration_ms");
	else
		cJSON_AddNumberToObject(a, "duration_ms",
		    (double)db_col_i64(st, 4));
	cJSON_AddStringToObject(a, "status", db_col_text(st, 5));
	return a;
}

static int
add_attempts(struct db *db, const char *step_id, cJSON *step)
{
	return db_rows_json(db_query(db, SQL_GET_ATTEMPTS, "s", step_id),
	    cJSON_AddArrayToObject(step, "attempts"), attempt_json, NULL);
}

static cJSON *
step_json(struct db_stmt *st, void *arg)
{
	cJSON *s = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(s, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(s, "type", db_col_text(st, 1));
	json_add_str(s, "endpoint_id", db_col_text(st, 2));
	json_add_str(s, "url", db_col_text(st, 3));
	cJSON_AddStringToObject(s, "status", db_col_text(st, 4));
	return s;
}

/* Reads the steps first, then their attempts, one statement at a time. */
static int
add_steps(struct db *db, const char *run_id, cJSON *run)
{
	cJSON *steps = cJSON_AddArrayToObject(run, "steps"), *s;
	int rc;

	rc = db_rows_json(db_query(db, SQL_GET_STEPS, "s", run_id), steps,
	    step_json, NULL);
	if (rc != PB_OK)
		return rc;
	cJSON_ArrayForEach(s, steps)
	{
		rc = add_attempts(db, json_str(s, "id"), s);
		if (rc != PB_OK)
			return rc;
	}
	return PB_OK;
}

int
run_get_json(struct db *db, const char *workspace_id, const char *run_id,
    cJSON **out)
{
	struct db_stmt *st =
	    db_query(db, SQL_GET_RUN, "ss", run_id, workspace_id);
	cJSON *run;
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	run = cJSON_CreateObject();
	cJSON_AddStringToObject(run, "id", db_col_text(st, 0));
	json_add_str(run, "workflow_id", db_col_text(st, 1));
	cJSON_AddStringToObject(run, "event_id", db_col_text(st, 2));
	cJSON_AddStringToObject(run, "status", db_col_text(st, 3));
	json_add_time(run, "created_at", db_col_i64(st, 4));
	json_add_time(run, "updated_at", db_col_i64(st, 5));
	db_reset(st);
	if ((rc = add_steps(db, run_id, run)) != PB_OK) {
		cJSON_Delete(run);
		return rc;
	}
	*out = run;
	return PB_OK;
}
