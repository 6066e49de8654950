/*
 * Worker threads: each holds a database connection, claims due jobs and
 * runs them; between jobs it sleeps until woken by job_wake(), until the
 * next queued job is due, or for the poll interval, whichever is first.
 * A keeper thread renews the lease of every job in hand, so that a job
 * running longer than its lease is never taken over while its worker
 * lives.  On PostgreSQL a listener thread turns the notifications of jobs
 * enqueued by other processes into the same wake-up.  A thread whose
 * connection is lost takes a new one and carries on.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/job.h"

/* The signal that wakes this process's workers. */
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cond = PTHREAD_COND_INITIALIZER;
static unsigned long wake_generation;

struct worker {
	struct job_workers *pool;
	pthread_t thread;
	char name[32];
	bool started;
	bool busy; /* holds current; guarded by the pool's lock */
	struct job current;
};

struct job_workers {
	const struct job_worker_config *cfg;
	char node[ID_SIZE];
	struct job_claimer claimer;
	atomic_bool stopping;
	atomic_int running;
	struct worker *workers;
	pthread_mutex_t lock;
	pthread_cond_t keeper_wake;
	pthread_t keeper, listener;
	bool keeper_started, listener_started;
};

#define RECONNECT_PAUSE_MS 1000
#define LISTEN_WAIT_MS 1000
/* How soon to look again when due jobs wait for a cap to free up. */
#define CAPPED_PAUSE_MS 200
#define RETRY_MS_DEFAULT 1000
#define RETRY_MS_MAX (3600 * 1000)

void
job_wake(void)
{
	pthread_mutex_lock(&wake_lock);
	wake_generation++;
	pthread_cond_broadcast(&wake_cond);
	pthread_mutex_unlock(&wake_lock);
}

static unsigned long
generation(void)
{
	unsigned long g;

	pthread_mutex_lock(&wake_lock);
	g = wake_generation;
	pthread_mutex_unlock(&wake_lock);
	return g;
}

/* Sleeps until woken after generation seen, or until the time until_ms. */
static void
sleep_until(unsigned long seen, int64_t until_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until_ms / 1000);
	ts.tv_nsec = (long)(until_ms % 1000) * 1000000;
	pthread_mutex_lock(&wake_lock);
	while (wake_generation == seen)
		if (pthread_cond_timedwait(&wake_cond, &wake_lock, &ts) ==
		    ETIMEDOUT)
			break;
	pthread_mutex_unlock(&wake_lock);
}

static void
set_current(struct worker *w, const struct job *job)
{
	pthread_mutex_lock(&w->pool->lock);
	w->busy = job != NULL;
	if (job)
		w->current = *job;
	pthread_mutex_unlock(&w->pool->lock);
}

/* The type's delay before run attempts + 1: doubling, jittered by a fifth. */
static int64_t
retry_delay_ms(const struct job_type *type, int attempts)
{
	double ms =
	    (double)(type->retry_ms ? type->retry_ms : RETRY_MS_DEFAULT);
	uint32_t r;

	id_random(&r, sizeof(r));
	for (int i = 1; i < attempts && ms < RETRY_MS_MAX; i++)
		ms *= 2;
	if (ms > RETRY_MS_MAX)
		ms = RETRY_MS_MAX;
	return (int64_t)(ms * (0.8 + 0.4 * (double)r / 4294967296.0));
}

static void
count_finished(const char *type, const struct job *job,
    const struct job_outcome *out)
{
	static const char *const outcomes[] = {"done", "retry", "failed"};
	enum job_status status = out->status;
	char labels[96];

	if (status == JOB_RETRY && job->attempts >= job->max_attempts)
		status = JOB_FAILED; /* as job_finish() records it */
	snprintf(labels, sizeof(labels), "type=\"%s\",outcome=\"%s\"", type,
	    outcomes[status]);
	metrics_add("pitchbar_jobs_finished_total", labels, 1);
}

static void
run_job(struct worker *w, struct job_ctx *ctx, const struct job *job)
{
	const struct job_type *type =
	    job_type_find(w->pool->cfg->types, w->pool->cfg->ntypes, job->type);
	struct job_outcome out = {.status = JOB_DONE};
	int64_t started = clock_mono_us();
	const char *name = type ? type->name : "unknown";
	char labels[96];
	int rc;

	if (type == NULL) {
		out.status = JOB_FAILED;
		snprintf(out.error, sizeof(out.error), "unknown job type");
	} else {
		type->run(ctx, job, &out);
	}
	snprintf(labels, sizeof(labels), "type=\"%s\"", name);
	metrics_observe("pitchbar_job_duration_seconds", labels,
	    (double)(clock_mono_us() - started) / 1e6);
	if (out.status == JOB_RETRY && out.retry_at == 0)
		out.retry_at =
		    clock_now_ms() + retry_delay_ms(type, job->attempts);
	if ((rc = job_finish(ctx->db, job, &out)) != PB_OK)
		log_error(job->id, "job.finish_failed", "rc=%s",
		    pb_rc_name(rc));
	count_finished(name, job, &out);
	log_debug(job->id, "job.ran", "type=%s attempt=%d status=%d", job->type,
	    job->attempts, (int)out.status);
}

static void
pause_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Replaces a lost connection, after a pause so as not to spin. */
static void
renew_connection(struct db_pool *pool, struct db **db)
{
	if (*db && !db_is_broken(*db))
		return;
	db_release(*db);
	pause_ms(RECONNECT_PAUSE_MS);
	*db = db_acquire(pool);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	const struct job_worker_config *cfg = w->pool->cfg;
	struct job_ctx ctx = {.worker = w->name};
	int64_t next_at;
	struct job job;
	int rc;

	ctx.db = db_acquire(cfg->pool);
	ctx.local = cfg->thread_init ? cfg->thread_init() : NULL;
	while (!atomic_load(&w->pool->stopping)) {
		unsigned long seen = generation();
		int64_t now = clock_now_ms(), until = now + cfg->poll_ms;

		if (ctx.db == NULL || db_is_broken(ctx.db)) {
			renew_connection(cfg->pool, &ctx.db);
			continue;
		}
		rc = job_claim(ctx.db, &w->pool->claimer, &job, &next_at);
		if (rc == PB_OK) {
			set_current(w, &job);
			run_job(w, &ctx, &job);
			set_current(w, NULL);
			continue;
		}
		if (rc != PB_ERR_NOT_FOUND)
			log_error(w->name, "job.claim_failed", "rc=%s",
			    pb_rc_name(rc));
		else if (next_at <= now)
			until = now + CAPPED_PAUSE_MS;
		else if (next_at < until)
			until = next_at;
		sleep_until(seen, until);
	}
	if (cfg->thread_free)
		cfg->thread_free(ctx.local);
	db_release(ctx.db);
	atomic_fetch_sub(&w->pool->running, 1);
	return NULL;
}

/* The jobs in hand, copied under the lock; returns how many. */
static int
jobs_in_hand(struct job_workers *pool, struct job *out)
{
	int n = 0;

	pthread_mutex_lock(&pool->lock);
	for (int i = 0; i < pool->cfg->threads; i++)
		if (pool->workers[i].busy)
			out[n++] = pool->workers[i].current;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

/* Sleeps a third of the lease, or until the pool stops. */
static bool
keeper_pause(struct job_workers *pool)
{
	int64_t until = clock_now_ms() + pool->cfg->lease_ms / 3;
	struct timespec ts = {(time_t)(until / 1000),
	    (long)(until % 1000) * 1000000};
	bool go;

	pthread_mutex_lock(&pool->lock);
	while (atomic_load(&pool->running) > 0)
		if (pthread_cond_timedwait(&pool->keeper_wake, &pool->lock,
			&ts) == ETIMEDOUT)
			break;
	go = atomic_load(&pool->running) > 0;
	pthread_mutex_unlock(&pool->lock);
	return go;
}

static void *
keeper_main(void *arg)
{
	struct job_workers *pool = arg;
	struct job *held =
	    xcalloc((size_t)pool->cfg->threads + 1, sizeof(*held));
	struct db *db = db_acquire(pool->cfg->pool);

	while (keeper_pause(pool)) {
		int n = jobs_in_hand(pool, held);

		renew_connection(pool->cfg->pool, &db);
		for (int i = 0; db && i < n; i++)
			if (job_renew(db, &held[i], pool->cfg->lease_ms) ==
			    PB_ERR_NOT_FOUND)
				log_warn(held[i].id, "job.lease_lost", NULL);
	}
	db_release(db);
	free(held);
	return NULL;
}

/* Bridges other processes' notifications of new jobs into job_wake(). */
static void *
listener_main(void *arg)
{
	struct job_workers *pool = arg;
	struct db *db = db_acquire(pool->cfg->pool);
	bool listening = db && job_listen(db) == PB_OK;

	while (atomic_load(&pool->running) > 0) {
		if (db == NULL || db_is_broken(db)) {
			renew_connection(pool->cfg->pool, &db);
			listening = db && job_listen(db) == PB_OK;
			/* Jobs enqueued while deaf are found by looking. */
			job_wake();
			continue;
		}
		if (!listening)
			break;
		if (db_wait(db, LISTEN_WAIT_MS) == PB_OK)
			job_wake();
	}
	db_release(db);
	return NULL;
}

/* A cap on the workers one lane or workspace holds: never all of them. */
static int
share_of(int asked, int threads)
{
	int most = threads > 1 ? threads - 1 : 1;

	return asked > 0 && asked < most ? asked : most;
}

struct job_workers *
job_workers_start(const struct job_worker_config *cfg)
{
	struct job_workers *pool = xcalloc(1, sizeof(*pool));

	metrics_describe("pitchbar_job_duration_seconds", METRIC_HISTOGRAM,
	    "Time spent running jobs, by type.");
	metrics_describe("pitchbar_jobs_finished_total", METRIC_COUNTER,
	    "Job runs by type and outcome: done, retry or failed.");
	pool->cfg = cfg;
	id_new("node_", pool->node);
	pool->claimer = (struct job_claimer){
	    .node = pool->node,
	    .lease_ms = cfg->lease_ms,
	    .lane_cap = share_of(cfg->lane_cap, cfg->threads),
	    .workspace_cap = share_of(cfg->workspace_cap, cfg->threads),
	};
	pool->workers =
	    xcalloc((size_t)cfg->threads + 1, sizeof(*pool->workers));
	for (int i = 0; i < cfg->threads; i++) {
		struct worker *w = &pool->workers[i];

		w->pool = pool;
		snprintf(w->name, sizeof(w->name), "worker-%d", i + 1);
		atomic_fetch_add(&pool->running, 1);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			atomic_fetch_sub(&pool->running, 1);
			log_error(NULL, "job.thread_failed", "worker=%s",
			    w->name);
			continue;
		}
		w->started = true;
	}
	pool->keeper_started =
	    pthread_create(&pool->keeper, NULL, keeper_main, pool) == 0;
	if (strcmp(db_pool_engine(cfg->pool), "postgres") == 0)
		pool->listener_started = pthread_create(&pool->listener, NULL,
					     listener_main, pool) == 0;
	return pool;
}

void
job_workers_quiesce(struct job_workers *pool)
{
	if (pool == NULL)
		return;
	atomic_store(&pool->stopping, true);
	job_wake();
}

bool
job_workers_stop(struct job_workers *pool, int64_t deadline_ms)
{
	struct timespec pause = {0, 10 * 1000000};

	if (pool == NULL)
		return true;
	job_workers_quiesce(pool);
	while (atomic_load(&pool->running) > 0 && clock_mono_ms() < deadline_ms)
		nanosleep(&pause, NULL);
	if (atomic_load(&pool->running) > 0) {
		log_warn(NULL, "job.stop_timeout", "running=%d",
		    atomic_load(&pool->running));
		return false;
	}
	for (int i = 0; i < pool->cfg->threads; i++)
		if (pool->workers[i].started)
			pthread_join(pool->workers[i].thread, NULL);
	pthread_mutex_lock(&pool->lock);
	pthread_cond_signal(&pool->keeper_wake);
	pthread_mutex_unlock(&pool->lock);
	if (pool->keeper_started)
		pthread_join(pool->keeper, NULL);
	if (pool->listener_started)
		pthread_join(pool->listener, NULL);
	pthread_cond_destroy(&pool->keeper_wake);
	pthread_mutex_destroy(&pool->lock);
	free(pool->workers);
	free(pool);
	return true;
}
