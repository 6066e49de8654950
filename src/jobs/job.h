/*
 * The durable job queue.  A job is a row in the database, enqueued in the
 * same transaction as the change that causes it, claimed by one worker at
 * a time under a lease, and run by the handler of its type.  The queue
 * knows handlers only as function pointers in the table of job types that
 * the application hands over at start.
 */
#ifndef JOBS_JOB_H
#define JOBS_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/id.h"

struct db;
struct db_pool;

#define JOB_TYPE_MAX 32
#define JOB_ERROR_MAX 256

struct job {
	char id[ID_SIZE];
	char type[JOB_TYPE_MAX];
	char ref_id[ID_SIZE]; /* the row the job works on */
	char workspace_id[ID_SIZE];
	int attempts; /* including this one */
	int max_attempts;
};

/* What a handler decided. */
enum job_status { JOB_DONE, JOB_RETRY, JOB_FAILED };

struct job_outcome {
	enum job_status status;
	int64_t retry_at; /* JOB_RETRY: when, in ms; 0 for the type's delay */
	char error[JOB_ERROR_MAX];
};

/* What a handler runs with. */
struct job_ctx {
	struct db *db; /* this worker's connection */
	void *local; /* this worker's thread_init() result */
	const char *worker; /* for log lines */
};

typedef void (*job_handler)(struct job_ctx *ctx, const struct job *job,
    struct job_outcome *out);

struct job_type {
	const char *name;
	job_handler run;
	/*
	 * The delay before the second run when the handler asks for a retry
	 * without saying when (0: a second); it doubles with every run,
	 * give or take a fifth, up to an hour.
	 */
	int64_t retry_ms;
	/*
	 * What discarding a job of this type by hand (job_discard()) does
	 * to the row it works on, ref_id, in the same transaction; NULL
	 * leaves the row as it is.
	 */
	int (*discard)(struct db *db, const char *ref_id);
};

/* A job to enqueue. */
struct job_spec {
	const char *type;
	const char *ref_id;
	const char *workspace_id; /* may be NULL */
	/*
	 * What a run of the job may hold up when it hangs (a webhook's
	 * endpoint): jobs of one lane take only so many workers at once.
	 * NULL for none.
	 */
	const char *lane;
	int max_attempts;
	int64_t run_at; /* ms; 0 for now */
};

/* The type of that name among the n types, or NULL. */
const struct job_type *
job_type_find(const struct job_type *types, int n, const char *name);

/*
 * Adds a job in the caller's transaction; workers of this process are
 * woken once it commits.
 */
int job_enqueue(struct db *db, const struct job_spec *spec);

/*
 * Subscribes db to the notifications of new jobs from other processes;
 * PB_ERR_INVALID where the engine has none (SQLite).
 */
int job_listen(struct db *db);

/* Who claims, for how long, and how much of its workers one lane or one
 * workspace may hold. */
struct job_claimer {
	const char *node; /* this process, as recorded on its jobs */
	int64_t lease_ms;
	int lane_cap;
	int workspace_cap;
};

/*
 * Claims a running job whose lease expired, else the oldest due queued
 * job, whose lane and workspace are under their caps; or PB_ERR_NOT_FOUND
 * with the time of the next queued job (INT64_MAX when none; in the past
 * when due jobs wait for a cap) in *next_at.  An expired lease is found by
 * looking, at the worker's next poll.
 */
int job_claim(struct db *db, const struct job_claimer *by, struct job *job,
    int64_t *next_at);
/* Extends the lease of a job this worker still holds; PB_ERR_NOT_FOUND
 * when another worker has taken it over. */
int job_renew(struct db *db, const struct job *job, int64_t lease_ms);
/*
 * Records the outcome of a claimed job.  A retry past the type's attempt
 * limit is recorded as a failure.
 */
int
job_finish(struct db *db, const struct job *job, const struct job_outcome *out);

/* Wakes the workers of this process (after a commit that enqueued). */
void job_wake(void);

struct job_workers;

struct job_worker_config {
	struct db_pool *pool;
	int threads;
	int64_t lease_ms;
	/* Workers one lane, one workspace may hold; 0: all but one. */
	int lane_cap;
	int workspace_cap;
	int64_t poll_ms;
	const struct job_type *types;
	int ntypes;
	void *(*thread_init)(void); /* per-thread state for handlers */
	void (*thread_free)(void *local);
};

/* Starts the worker threads; the config must outlive them. */
struct job_workers *job_workers_start(const struct job_worker_config *cfg);
/* Tells the workers to finish the job in hand and take no other. */
void job_workers_quiesce(struct job_workers *w);
/*
 * Waits until deadline_ms (of clock_mono_ms()) for the workers to finish,
 * then frees them and returns true.  When some still run, nothing is
 * freed and false returned: the process is to exit at once, and the jobs
 * cut short run again once their lease expires.  (While a job runs its
 * lease is renewed every third of lease_ms.)
 */
bool job_workers_stop(struct job_workers *w, int64_t deadline_ms);

#endif
