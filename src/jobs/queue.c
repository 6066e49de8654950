/*
 * The queue's rows: enqueue, claim under a lease, finish (see job.h).  On
 * SQLite a claim is one UPDATE ... RETURNING, which the single writer
 * makes atomic across threads.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/job.h"

static const char SQL_ENQUEUE[] =
    "INSERT INTO jobs (id, type, ref_id, workspace_id, lane, state,"
    " attempts, max_attempts, run_at, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8, $8)";

/*
 * Due queued jobs, and running ones whose worker stopped renewing.  The
 * outer WHERE checks the state again: on PostgreSQL a claimer that waited
 * for another's row lock must not take the row that one just claimed, and
 * SKIP LOCKED lets it pass over rows being claimed instead of waiting.
 */
#define CLAIM_DUE                                                              \
	" state IN ('queued', 'running') AND run_at <= $2"                     \
	" AND (state = 'queued' OR lease_until < $2)"
/*
 * Fairness: a job is passed over while its lane, or its workspace, holds
 * as many of this process's workers as allowed ($4, $5; counted over live
 * leases of $3).  Each list of full lanes is made once per claim, not per
 * row, so a long queue behind a full lane costs a scan, not a count per
 * row.  The counts are read, not locked, so claims racing on PostgreSQL
 * may pass a cap by one.
 */
#define HELD_BY_US                                                             \
	" FROM jobs r WHERE r.state = 'running' AND r.claimed_by = $3"         \
	" AND r.lease_until >= $2"
#define CLAIM_FAIR                                                             \
	" AND (j.lane IS NULL OR j.lane NOT IN (SELECT r.lane" HELD_BY_US      \
	"  AND r.lane IS NOT NULL GROUP BY r.lane HAVING COUNT(*) >= $4))"     \
	" AND (j.workspace_id IS NULL OR j.workspace_id NOT IN"                \
	"  (SELECT r.workspace_id" HELD_BY_US                                  \
	" AND r.workspace_id IS NOT NULL"                                      \
	"  GROUP BY r.workspace_id HAVING COUNT(*) >= $5))"
#define CLAIM_SET                                                              \
	"UPDATE jobs SET state = 'running', attempts = attempts + 1,"          \
	" lease_until = $1, updated_at = $2, claimed_by = $3"
/*
 * A running job whose worker stopped renewing its lease first, else the
 * oldest due queued job: each a walk of the index jobs_due in its order,
 * so a deep queue costs no sort.
 */
#define PICK(which, lock)                                                      \
	"(SELECT j.id FROM jobs j WHERE " which CLAIM_FAIR                     \
	" ORDER BY j.run_at, j.id LIMIT 1" lock ")"
#define CLAIM_PICK(lock)                                                       \
	" WHERE id = COALESCE(" PICK(                                          \
	    "j.state = 'running' AND j.lease_until < $2",                      \
	    lock) ", " PICK("j.state = 'queued' AND j.run_at <= $2", lock) ")"
#define CLAIM_RETURNING                                                        \
	" RETURNING id, type, ref_id, workspace_id, attempts, max_attempts"
static const char SQL_CLAIM[] =
    CLAIM_SET CLAIM_PICK("") " AND" CLAIM_DUE CLAIM_RETURNING;
static const char SQL_CLAIM_PG[] = CLAIM_SET CLAIM_PICK(
    " FOR UPDATE SKIP LOCKED") " AND" CLAIM_DUE CLAIM_RETURNING;

static const char SQL_RENEW[] =
    "UPDATE jobs SET lease_until = $3"
    " WHERE id = $1 AND attempts = $2 AND state = 'running'";
static const char SQL_NEXT_AT[] =
    "SELECT MIN(run_at) FROM jobs WHERE state = 'queued'";

/* The attempts check keeps a worker whose lease was taken over quiet. */
static const char SQL_DONE[] =
    "DELETE FROM jobs WHERE id = $1 AND attempts = $2";
static const char SQL_RETRY[] =
    "UPDATE jobs SET state = 'queued', run_at = $3, lease_until = NULL,"
    " last_error = $4, updated_at = $5 WHERE id = $1 AND attempts = $2";
static const char SQL_FAILED[] =
    "UPDATE jobs SET state = 'failed', lease_until = NULL,"
    " last_error = $3, updated_at = $4 WHERE id = $1 AND attempts = $2";

/* Workers of other processes hear of new jobs through this channel. */
#define JOB_CHANNEL "pitchbar_jobs"

static void
wake_after_commit(void *arg)
{
	(void)arg;
	job_wake();
}

const struct job_type *
job_type_find(const struct job_type *types, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

int
job_enqueue(struct db *db, const struct job_spec *spec)
{
	int64_t now = clock_now_ms();
	char id[ID_SIZE];
	int rc;

	id_new("job_", id);
	rc = db_run(db, SQL_ENQUEUE, "sssssiii", id, spec->type, spec->ref_id,
	    spec->workspace_id, spec->lane, (int64_t)spec->max_attempts,
	    spec->run_at ? spec->run_at : now, now);
	/*
	 * This process's workers, and (once a transaction) other nodes'.
	 * Notifications matter on PostgreSQL only, where every write is a
	 * transaction of its own (no group commit's savepoints to undo one).
	 */
	if (rc == PB_OK && db_after_commit(db, wake_after_commit, NULL))
		rc = db_notify(db, JOB_CHANNEL);
	return rc;
}

static int
next_queued_at(struct db *db, int64_t *next_at)
{
	struct db_stmt *st = db_query(db, SQL_NEXT_AT, "");
	int rc;

	*next_at = INT64_MAX;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	if (!db_col_null(st, 0))
		*next_at = db_col_i64(st, 0);
	db_reset(st);
	return PB_OK;
}

int
job_listen(struct db *db)
{
	return db_listen(db, JOB_CHANNEL);
}

static struct db_stmt *
claim_query(struct db *db, const struct job_claimer *by, int workspace_cap,
    int64_t now, struct db_stmt **st)
{
	*st = db_query(db, db_is_postgres(db) ? SQL_CLAIM_PG : SQL_CLAIM,
	    "iisii", now + by->lease_ms, now, by->node, (int64_t)by->lane_cap,
	    (int64_t)workspace_cap);
	return *st;
}

/*
 * The workspace cap only makes room for other workspaces: when nothing
 * else is due, the claim is made again without it, so that no worker
 * idles while one workspace has work.  The lane cap always holds.
 */
int
job_claim(struct db *db, const struct job_claimer *by, struct job *job,
    int64_t *next_at)
{
	int64_t now = clock_now_ms();
	struct db_stmt *st;
	int rc;

	rc = db_first(claim_query(db, by, by->workspace_cap, now, &st));
	if (rc == PB_ERR_NOT_FOUND) {
		if ((rc = next_queued_at(db, next_at)) != PB_OK)
			return rc;
		if (*next_at > now)
			return PB_ERR_NOT_FOUND;
		rc = db_first(claim_query(db, by, INT32_MAX, now, &st));
	}
	if (rc != PB_OK)
		return rc;
	db_col_copy(st, 0, job->id, sizeof(job->id));
	db_col_copy(st, 1, job->type, sizeof(job->type));
	db_col_copy(st, 2, job->ref_id, sizeof(job->ref_id));
	db_col_copy(st, 3, job->workspace_id, sizeof(job->workspace_id));
	job->attempts = (int)db_col_i64(st, 4);
	job->max_attempts = (int)db_col_i64(st, 5);
	db_reset(st);
	return PB_OK;
}

int
job_renew(struct db *db, const struct job *job, int64_t lease_ms)
{
	int rc = db_run(db, SQL_RENEW, "sii", job->id, (int64_t)job->attempts,
	    clock_now_ms() + lease_ms);

	if (rc == PB_OK && db_changes(db) == 0)
		return PB_ERR_NOT_FOUND;
	return rc;
}

int
job_finish(struct db *db, const struct job *job, const struct job_outcome *out)
{
	int64_t now = clock_now_ms(), attempts = job->attempts;
	const char *err = out->error[0] ? out->error : NULL;
	enum job_status status = out->status;

	if (status == JOB_RETRY && job->attempts >= job->max_attempts)
		status = JOB_FAILED;
	switch (status) {
	case JOB_DONE:
		return db_run(db, SQL_DONE, "si", job->id, attempts);
	case JOB_RETRY:
		return db_run(db, SQL_RETRY, "siisi", job->id, attempts,
		    out->retry_at ? out->retry_at : now, err, now);
	default:
		return db_run(db, SQL_FAILED, "sisi", job->id, attempts, err,
		    now);
	}
}
