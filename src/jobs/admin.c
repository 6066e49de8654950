/*
 * The queue's rows as operators see and mend them (see admin.h).  Each
 * change is one statement that checks the state it may act on, so a
 * worker claiming the same job at that moment either wins cleanly or
 * finds the job gone; a discard's type then ends what the job was to do
 * in the same transaction.
 */
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/admin.h"
#include "jobs/job.h"

#define JOB_COLUMNS                                                            \
	" id, type, ref_id, workspace_id, state, attempts, max_attempts,"      \
	" run_at, lease_until, last_error, created_at, updated_at"

/* A NULL parameter matches every state, every type. */
static const char SQL_LIST[] = "SELECT" JOB_COLUMNS " FROM jobs"
			       " WHERE (CAST($1 AS TEXT) IS NULL OR state = $1)"
			       " AND (CAST($2 AS TEXT) IS NULL OR type = $2)"
			       " ORDER BY created_at DESC, id DESC LIMIT $3";
static const char SQL_GET[] = "SELECT" JOB_COLUMNS " FROM jobs WHERE id = $1";
static const char SQL_RETRY[] =
    "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2,"
    " lease_until = NULL, updated_at = $2"
    " WHERE id = $1 AND state = 'failed' RETURNING" JOB_COLUMNS;
static const char SQL_DISCARD[] =
    "DELETE FROM jobs WHERE id = $1 AND state IN ('queued', 'failed')"
    " RETURNING" JOB_COLUMNS;
static const char SQL_COUNT[] = "SELECT type, state, COUNT(*) FROM jobs"
				" GROUP BY type, state ORDER BY type, state";

/* Enough of a job's last error for a log line. */
#define JOB_ERROR_LOG_MAX 160

static const char *const job_states[] = {"queued", "running", "failed"};

bool
job_state_known(const char *s)
{
	for (size_t i = 0; i < sizeof(job_states) / sizeof(job_states[0]); i++)
		if (strcmp(s, job_states[i]) == 0)
			return true;
	return false;
}

static void
add_time_col(cJSON *obj, const char *key, struct db_stmt *st, int i)
{
	json_add_time(obj, key, db_col_null(st, i) ? -1 : db_col_i64(st, i));
}

/* A row of JOB_COLUMNS as the JSON object admin.h describes. */
static cJSON *
job_json(struct db_stmt *st, void *arg)
{
	cJSON *job = cJSON_CreateObject();

	(void)arg;
	json_add_str(job, "id", db_col_text(st, 0));
	json_add_str(job, "type", db_col_text(st, 1));
	json_add_str(job, "ref_id", db_col_text(st, 2));
	json_add_str(job, "workspace_id", db_col_text(st, 3));
	json_add_str(job, "state", db_col_text(st, 4));
	db_add_col_i64(job, "attempts", st, 5);
	db_add_col_i64(job, "max_attempts", st, 6);
	add_time_col(job, "run_at", st, 7);
	add_time_col(job, "lease_until", st, 8);
	json_add_str(job, "last_error", db_col_text(st, 9));
	add_time_col(job, "created_at", st, 10);
	add_time_col(job, "updated_at", st, 11);
	return job;
}

int
job_list(struct db *db, const struct job_filter *filter, cJSON *array)
{
	return db_rows_json(db_query(db, SQL_LIST, "ssi", filter->state,
				filter->type, (int64_t)filter->limit),
	    array, job_json, NULL);
}

/* The one row of st (db_first's result in rc) as JSON in *out. */
static int
take_row(struct db_stmt *st, int rc, cJSON **out)
{
	*out = NULL;
	if (rc != PB_OK)
		return rc;
	*out = job_json(st, NULL);
	db_reset(st);
	return PB_OK;
}

/*
 * After a change that found no job in a state it may act on: whether
 * there is a job id at all (PB_ERR_CONFLICT, *out the job) or not.
 */
static int
why_not(struct db *db, const char *id, cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_GET, "s", id);
	int rc = take_row(st, db_first(st), out);

	return rc == PB_OK ? PB_ERR_CONFLICT : rc;
}

/*
 * Logs a change made by hand, with what the job was: a retried one as it
 * now is but for the error it failed with, a discarded one as it was.
 */
static void
log_change(const char *event, const cJSON *job)
{
	const char *last_error = json_str(job, "last_error");
	char err[JOB_ERROR_LOG_MAX];

	log_info(json_str(job, "id"), event,
	    "type=%s ref=%s state=%s attempts=%d last_error=%s",
	    json_str(job, "type"), json_str(job, "ref_id"),
	    json_str(job, "state"),
	    cJSON_GetObjectItem(job, "attempts")->valueint,
	    last_error ? log_esc(err, sizeof(err), last_error) : "-");
}

int
job_retry(struct db *db, const char *id, cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_RETRY, "si", id, clock_now_ms());
	int rc = take_row(st, db_first(st), out);

	if (rc == PB_ERR_NOT_FOUND)
		return why_not(db, id, out);
	if (rc == PB_OK)
		log_change("jobs.retried", *out);
	return rc;
}

/* A discard, as handed to db_write(). */
struct discard {
	const struct job_type *types;
	int ntypes;
	const char *id;
	cJSON *job; /* as it was, once deleted */
};

static int
discard_in_txn(struct db *db, void *arg)
{
	struct discard *d = arg;
	struct db_stmt *st = db_query(db, SQL_DISCARD, "s", d->id);
	const struct job_type *type;
	int rc = take_row(st, db_first(st), &d->job);

	if (rc != PB_OK)
		return rc;
	type = job_type_find(d->types, d->ntypes, json_str(d->job, "type"));
	if (type == NULL || type->discard == NULL)
		return PB_OK;
	rc = type->discard(db, json_str(d->job, "ref_id"));
	/* Not found or conflict here would read as the job's own. */
	return rc == PB_ERR_NOT_FOUND || rc == PB_ERR_CONFLICT ? PB_ERR_INTERNAL
							       : rc;
}

int
job_discard(struct db *db, const struct job_type *types, int ntypes,
    const char *id, cJSON **out)
{
	struct discard d = {.types = types, .ntypes = ntypes, .id = id};
	int rc = db_write(db, discard_in_txn, &d);

	*out = NULL;
	if (rc == PB_ERR_NOT_FOUND)
		return why_not(db, id, out);
	if (rc != PB_OK) {
		cJSON_Delete(d.job);
		return rc;
	}
	*out = d.job;
	log_change("jobs.discarded", *out);
	return PB_OK;
}

int
job_count(struct db *db, job_count_fn fn, void *arg)
{
	struct db_stmt *st = db_query(db, SQL_COUNT, "");
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW)
		fn(db_col_text(st, 0), db_col_text(st, 1), db_col_i64(st, 2),
		    arg);
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}
