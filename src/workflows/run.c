/* Runs, their steps, and the run log's JSON (see run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "events/event.h"
#include "jobs/job.h"
#include "workflows/run.h"
#include "workflows/workflow.h"

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
static const char SQL_GET_STEPS[] =
    "SELECT id, type, endpoint_id, url, status, workflow_step_id"
    " FROM run_steps WHERE run_id = $1 ORDER BY position";
static const char SQL_INSERT_WORKFLOW_RUN[] =
    "INSERT INTO workflow_runs (id, workspace_id, workflow_id, event_id,"
    " status, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, 'running', $5, $5)";
static const char SQL_INSERT_WORKFLOW_STEP[] =
    "INSERT INTO run_steps (id, run_id, position, type, url,"
    " workflow_step_id, message_id, status, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)";
/* The enabled workflows an event triggers, step by step, in order. */
static const char SQL_TRIGGERED[] =
    "SELECT w.id, s.id, s.type, s.config FROM workflows w"
    " JOIN workflow_steps s ON s.workflow_id = w.id"
    " WHERE w.workspace_id = $1 AND w.trigger_event = $2 AND w.enabled = 1"
    " ORDER BY w.id, s.position";
static const char SQL_STEP_PLACE[] =
    "SELECT rs.run_id, rs.position, r.workspace_id FROM run_steps rs"
    " JOIN workflow_runs r ON r.id = rs.run_id WHERE rs.id = $1";
static const char SQL_NEXT_STEP[] =
    "SELECT id, type, workflow_step_id FROM run_steps"
    " WHERE run_id = $1 AND position = $2 AND status = 'pending'";
/* A step that succeeds after the run failed (redelivered) resumes it. */
static const char SQL_RESUME_REST[] =
    "UPDATE run_steps SET status = 'pending', updated_at = $3"
    " WHERE run_id = $1 AND position > $2 AND status = 'skipped'";
static const char SQL_SKIP_REST[] =
    "UPDATE run_steps SET status = 'skipped', updated_at = $3"
    " WHERE run_id = $1 AND position > $2 AND status = 'pending'";
static const char SQL_STEP_STATE[] =
    "SELECT status, workflow_step_id FROM run_steps WHERE id = $1";
static const char SQL_DISCARD_PENDING[] =
    "UPDATE deliveries SET status = 'failed', error = $2"
    " WHERE step_id = $1 AND status = 'pending'";
/* An attempt never made, with the step's message and captured URL. */
static const char SQL_INSERT_DISCARDED[] =
    "INSERT INTO deliveries (id, workspace_id, message_id, event_id,"
    " run_id, step_id, url, status, error, created_at)"
    " SELECT $2, r.workspace_id, rs.message_id, r.event_id, r.id, rs.id,"
    " COALESCE(rs.url, ''), 'failed', $3, $4"
    " FROM run_steps rs JOIN workflow_runs r ON r.id = rs.run_id"
    " WHERE rs.id = $1";
static const char SQL_DISCARD_ATTEMPT[] =
    "UPDATE deliveries SET status = 'failed', error = $2"
    " WHERE id = $1 AND status = 'pending' RETURNING step_id";
#define RUN_COLUMNS                                                            \
	"SELECT id, workflow_id, event_id, status, created_at, updated_at"     \
	" FROM workflow_runs"
static const char SQL_LIST_RUNS[] = RUN_COLUMNS
    " WHERE workspace_id = $1 AND ($2 = '' OR id < $2)"
    " AND ($3 = '' OR workflow_id = $3) AND ($4 = '' OR status = $4)"
    " AND ($5 = '' OR event_id = $5) ORDER BY id DESC LIMIT $6";
static const char SQL_GET_RUN[] =
    RUN_COLUMNS " WHERE id = $1 AND workspace_id = $2";
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

char *
workflow_step_url(const char *config)
{
	cJSON *c = NULL;
	char *url = NULL;

	if (config && json_parse(config, strlen(config), &c) == PB_OK &&
	    json_str(c, "url"))
		url = xstrdup(json_str(c, "url"));
	cJSON_Delete(c);
	return url;
}

static int
enqueue_step(struct db *db, const char *workspace_id, const char *step_id,
    const char *type_name, const char *workflow_step_id)
{
	const struct workflow_step_type *type =
	    workflow_step_type_find(type_name);

	if (type == NULL)
		return PB_ERR_INTERNAL;
	return job_enqueue(db,
	    &(struct job_spec){.type = type->job,
		.ref_id = step_id,
		.workspace_id = workspace_id,
		.lane = workflow_step_id,
		.max_attempts = WORKFLOW_STEP_JOB_RUNS});
}

/* One workflow's run, as the fan-out builds it. */
struct new_run {
	const struct event *ev;
	char workflow_id[ID_SIZE];
	char id[ID_SIZE];
	int steps;
};

static int
add_workflow_step(struct db *db, struct new_run *run, struct db_stmt *row)
{
	const char *workflow_step_id = db_col_text(row, 1);
	const char *type = db_col_text(row, 2);
	char *url = workflow_step_url(db_col_text(row, 3));
	char step_id[ID_SIZE], msg[ID_SIZE];
	int64_t now = clock_now_ms();
	int rc;

	id_new("stp_", step_id);
	id_new("msg_", msg);
	rc = db_run(db, SQL_INSERT_WORKFLOW_STEP, "ssissssi", step_id, run->id,
	    (int64_t)run->steps, type, url, workflow_step_id, msg, now);
	free(url);
	if (rc == PB_OK && run->steps++ == 0)
		rc = enqueue_step(db, run->ev->workspace_id, step_id, type,
		    workflow_step_id);
	return rc;
}

static int
start_run(struct db *db, struct new_run *run, const char *workflow_id)
{
	snprintf(run->workflow_id, sizeof(run->workflow_id), "%s", workflow_id);
	id_new("run_", run->id);
	run->steps = 0;
	return db_run(db, SQL_INSERT_WORKFLOW_RUN, "ssssi", run->id,
	    run->ev->workspace_id, workflow_id, run->ev->id, clock_now_ms());
}

int
workflow_fanout(struct db *db, struct event_fanout *fanout)
{
	struct new_run run = {.ev = fanout->event};
	struct db_stmt *st;
	int rc;

	st = db_query(db, SQL_TRIGGERED, "ss", run.ev->workspace_id,
	    run.ev->type);
	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW) {
		if (strcmp(run.workflow_id, db_col_text(st, 0)) != 0 &&
		    (rc = start_run(db, &run, db_col_text(st, 0))) != PB_OK)
			break;
		if ((rc = add_workflow_step(db, &run, st)) != PB_OK)
			break;
	}
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

/* Where a step stands: its run, position and workspace. */
struct place {
	char run_id[ID_SIZE], workspace_id[ID_SIZE];
	int64_t position;
};

static int
step_place(struct db *db, const char *step_id, struct place *p)
{
	struct db_stmt *st = db_query(db, SQL_STEP_PLACE, "s", step_id);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, p->run_id, sizeof(p->run_id));
	p->position = db_col_i64(st, 1);
	db_col_copy(st, 2, p->workspace_id, sizeof(p->workspace_id));
	db_reset(st);
	return PB_OK;
}

/* Queues the job of the step after p, when there is one still pending. */
static int
start_next(struct db *db, const struct place *p)
{
	struct db_stmt *st =
	    db_query(db, SQL_NEXT_STEP, "si", p->run_id, p->position + 1);
	char step_id[ID_SIZE], *type, *workflow_step_id;
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
	db_col_copy(st, 0, step_id, sizeof(step_id));
	type = db_col_dup(st, 1);
	workflow_step_id = db_col_dup(st, 2);
	db_reset(st);
	rc = enqueue_step(db, p->workspace_id, step_id, type, workflow_step_id);
	free(type);
	free(workflow_step_id);
	return rc;
}

int
run_step_end(struct db *db, const char *step_id, const char *status)
{
	struct place p;
	int rc;

	if ((rc = step_place(db, step_id, &p)) != PB_OK)
		return rc;
	if (strcmp(status, "failed") == 0)
		rc = db_run(db, SQL_SKIP_REST, "sii", p.run_id, p.position,
		    clock_now_ms());
	else if (strcmp(status, "succeeded") == 0)
		rc = db_run(db, SQL_RESUME_REST, "sii", p.run_id, p.position,
		    clock_now_ms());
	if (rc == PB_OK && strcmp(status, "failed") != 0)
		rc = start_next(db, &p);
	if (rc == PB_OK)
		rc = run_step_set_status(db, step_id, status);
	return rc;
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

/* Where a step stands before a discard ends it. */
struct step_state {
	bool open; /* pending or running */
	bool in_workflow; /* else a step of a dispatch run */
};

/* The state of step_id; not open when there is no such step. */
static int
step_state(struct db *db, const char *step_id, struct step_state *s)
{
	struct db_stmt *st = db_query(db, SQL_STEP_STATE, "s", step_id);
	const char *status;
	int rc = db_first(st);

	*s = (struct step_state){0};
	if (rc != PB_OK)
		return rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
	status = db_col_text(st, 0);
	s->open =
	    strcmp(status, "pending") == 0 || strcmp(status, "running") == 0;
	s->in_workflow = !db_col_null(st, 1);
	db_reset(st);
	return PB_OK;
}

int
run_step_discard(struct db *db, const char *step_id)
{
	struct step_state s;
	char id[ID_SIZE];
	int rc = step_state(db, step_id, &s);

	if (rc != PB_OK || !s.open)
		return rc;
	rc = db_run(db, SQL_DISCARD_PENDING, "ss", step_id, RUN_DISCARDED);
	if (rc == PB_OK && db_changes(db) == 0) {
		id_new("dlv_", id);
		rc = db_run(db, SQL_INSERT_DISCARDED, "sssi", step_id, id,
		    RUN_DISCARDED, clock_now_ms());
	}
	return rc == PB_OK ? run_step_end(db, step_id, "failed") : rc;
}

int
run_attempt_discard(struct db *db, const char *delivery_id)
{
	struct db_stmt *st =
	    db_query(db, SQL_DISCARD_ATTEMPT, "ss", delivery_id, RUN_DISCARDED);
	char step_id[ID_SIZE];
	struct step_state s;
	int rc = db_first(st);

	if (rc != PB_OK)
		return rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
	db_col_copy(st, 0, step_id, sizeof(step_id));
	db_reset(st);
	/* A test event's attempt belongs to no step; a step that has ended
	 * (a redelivery of this attempt went out) stays as it is. */
	if (step_id[0] == '\0' || (rc = step_state(db, step_id, &s)) != PB_OK ||
	    !s.open)
		return rc;
	if (s.in_workflow)
		return run_step_end(db, step_id, "failed");
	return run_step_set_status(db, step_id, "failed");
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

static cJSON *
run_row_json(struct db_stmt *st, void *arg)
{
	cJSON *run = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(run, "id", db_col_text(st, 0));
	json_add_str(run, "workflow_id", db_col_text(st, 1));
	cJSON_AddStringToObject(run, "event_id", db_col_text(st, 2));
	cJSON_AddStringToObject(run, "status", db_col_text(st, 3));
	json_add_time(run, "created_at", db_col_i64(st, 4));
	json_add_time(run, "updated_at", db_col_i64(st, 5));
	return run;
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
	run = run_row_json(st, NULL);
	db_reset(st);
	if ((rc = add_steps(db, run_id, run)) != PB_OK) {
		cJSON_Delete(run);
		return rc;
	}
	*out = run;
	return PB_OK;
}

int
run_list_json(struct db *db, const char *workspace_id,
    const struct run_filter *f, cJSON **out)
{
	struct db_stmt *st;
	cJSON *run;
	int rc;

	st = db_query(db, SQL_LIST_RUNS, "sssssi", workspace_id,
	    f->cursor ? f->cursor : "", f->workflow_id ? f->workflow_id : "",
	    f->status ? f->status : "", f->event_id ? f->event_id : "",
	    (int64_t)f->limit + 1);
	if (st == NULL)
		return PB_ERR_DB;
	if ((rc = db_page_json(st, f->limit, run_row_json, NULL, out)))
		return rc;
	cJSON_ArrayForEach(run, cJSON_GetObjectItem(*out, "data"))
	{
		if ((rc = add_steps(db, json_str(run, "id"), run)) != PB_OK) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
	}
	return PB_OK;
}
