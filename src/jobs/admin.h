/*
 * The job queue by hand, for operators (pitchbar jobs) and for GET
 * /metrics: list jobs, put a failed one back in the queue, remove one that
 * no worker holds, count them by type and state.  A job reads as a JSON
 * object with the fields of its row, times in RFC 3339:
 *
 *   {"id", "type", "ref_id", "workspace_id", "state", "attempts",
 *    "max_attempts", "run_at", "lease_until", "last_error", "created_at",
 *    "updated_at"}
 */
#ifndef JOBS_ADMIN_H
#define JOBS_ADMIN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

struct db;
struct job_type;

#define JOB_LIST_DEFAULT 100
#define JOB_LIST_MAX 1000

/* Which jobs job_list() returns; NULL matches every state or type. */
struct job_filter {
	const char *state;
	const char *type;
	int limit; /* 1 to JOB_LIST_MAX */
};

/* Whether s is a state a job can be in: queued, running or failed. */
bool job_state_known(const char *s);

/* Appends the jobs filter selects to array, newest first. */
int job_list(struct db *db, const struct job_filter *filter, cJSON *array);

/*
 * Queues the failed job id to run now, its attempts reset to 0 and its
 * lease cleared (its last_error stays until it runs).  PB_OK with the job
 * as it now is in *out; PB_ERR_CONFLICT when the job is not failed, with
 * the job as it is in *out; PB_ERR_NOT_FOUND, or a storage error, with
 * *out NULL.  The caller deletes *out.
 */
int job_retry(struct db *db, const char *id, cJSON **out);

/*
 * Deletes the job id when it is queued or failed, never when running
 * (even past its lease: a worker will take it over).  The discard
 * function of its type (found among the ntypes of types; none when
 * absent) ends what the job was to do, in the same transaction: when it
 * fails the job stays.  PB_OK with the job removed in *out; otherwise as
 * job_retry().
 */
int job_discard(struct db *db, const struct job_type *types, int ntypes,
    const char *id, cJSON **out);

/*
 * Calls fn once for each type and state that has jobs, with how many, in
 * the order of type then state.
 */
typedef void (
    *job_count_fn)(const char *type, const char *state, int64_t n, void *arg);
int job_count(struct db *db, job_count_fn fn, void *arg);

#endif
