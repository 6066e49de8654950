/*
 * The SQLite engine: WAL mode, a busy time-out, statements prepared once
 * per connection.  SQLite allows one writer at a time; rather than letting
 * writers collide and back off in SQLite's busy handler, this process
 * queues them on one mutex, and the busy time-out only covers other
 * processes (pitchbar migrate beside a running serve).
 *
 * Checkpoints, which copy the WAL back into the database and sync it, run
 * on a thread of their own instead of inside whichever commit crosses the
 * WAL's size limit, so that no writer waits on the disk for them.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/engine.h"

#define SQLITE_BUSY_TIMEOUT_MS 10000
/* WAL pages after which a checkpoint is started (4 MiB of 4 KiB pages). */
#define CHECKPOINT_PAGES 1000
/* WAL pages past which the WAL is made to start over (64 MiB). */
#define CHECKPOINT_RESTART_PAGES 16384
#define CHECKPOINT_IDLE_MS 1000

struct sqlite_pool {
	char *path;
	pthread_mutex_t write_lock;
	pthread_t checkpointer;
	bool checkpointer_started;
	pthread_mutex_t ckpt_lock;
	pthread_cond_t ckpt_wanted;
	bool ckpt_due, stopping;
	atomic_int ckpt_copied; /* WAL frames the last checkpoint copied */
};

static struct sqlite_pool *
pool_of(const struct db *db)
{
	return db->pool->impl;
}

/* A connection, with its transaction statements prepared once. */
struct sqlite_conn {
	sqlite3 *h;
	sqlite3_stmt *begin, *commit, *rollback;
};

static sqlite3 *
handle_of(const struct db *db)
{
	return ((struct sqlite_conn *)db->impl)->h;
}

struct sqlite_stmt {
	sqlite3_stmt *stmt;
	bool holds_write_lock; /* a write outside a transaction in progress */
};

static sqlite3_stmt *
stmt_of(const struct db_stmt *st)
{
	return ((struct sqlite_stmt *)st->impl)->stmt;
}

static void *checkpoint_main(void *arg);

static int
sqlite_pool_init(struct db_pool *pool, const char *target, char *err,
    size_t errlen)
{
	struct sqlite_pool *sp;
	int rc;

	if (*target == '\0') {
		snprintf(err, errlen,
		    "PITCHBAR_DATABASE_URL: sqlite: needs a "
		    "file path");
		return PB_ERR_INVALID;
	}
	if ((rc = fs_make_parent(target)) != PB_OK) {
		snprintf(err, errlen,
		    "PITCHBAR_DATABASE_URL: cannot create "
		    "the directory of %s: %s",
		    target, strerror(errno));
		return rc;
	}
	sp = xcalloc(1, sizeof(*sp));
	sp->path = xstrdup(target);
	pthread_mutex_init(&sp->write_lock, NULL);
	pthread_mutex_init(&sp->ckpt_lock, NULL);
	pthread_cond_init(&sp->ckpt_wanted, NULL);
	pool->impl = sp;
	sp->checkpointer_started =
	    pthread_create(&sp->checkpointer, NULL, checkpoint_main, sp) == 0;
	return PB_OK;
}

static void
sqlite_pool_release(struct db_pool *pool)
{
	struct sqlite_pool *sp = pool->impl;

	pthread_mutex_lock(&sp->ckpt_lock);
	sp->stopping = true;
	pthread_cond_signal(&sp->ckpt_wanted);
	pthread_mutex_unlock(&sp->ckpt_lock);
	if (sp->checkpointer_started)
		pthread_join(sp->checkpointer, NULL);
	pthread_cond_destroy(&sp->ckpt_wanted);
	pthread_mutex_destroy(&sp->ckpt_lock);
	pthread_mutex_destroy(&sp->write_lock);
	free(sp->path);
	free(sp);
	pool->impl = NULL;
}

/*
 * After each commit: ask for a checkpoint once the WAL holds
 * CHECKPOINT_PAGES frames more than the last checkpoint copied (pages
 * counts from the WAL's start, which moves back after a restart).
 */
static int
on_wal_commit(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct sqlite_pool *sp = arg;
	int copied = atomic_load(&sp->ckpt_copied);

	(void)h;
	(void)name;
	if (pages < copied)
		copied = 0;
	if (pages - copied >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&sp->ckpt_lock);
		sp->ckpt_due = true;
		pthread_cond_signal(&sp->ckpt_wanted);
		pthread_mutex_unlock(&sp->ckpt_lock);
	}
	return SQLITE_OK;
}

/* Waits until a checkpoint is due (or a while has passed); false to stop. */
static bool
checkpoint_wait(struct sqlite_pool *sp)
{
	struct timespec ts;
	bool go;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += CHECKPOINT_IDLE_MS / 1000;
	pthread_mutex_lock(&sp->ckpt_lock);
	while (!sp->ckpt_due && !sp->stopping)
		if (pthread_cond_timedwait(&sp->ckpt_wanted, &sp->ckpt_lock,
			&ts) != 0)
			break;
	sp->ckpt_due = false;
	go = !sp->stopping;
	pthread_mutex_unlock(&sp->ckpt_lock);
	return go;
}

/*
 * The checkpointer: a passive checkpoint never blocks readers or the
 * writer; it copies what it can, and the WAL starts over from its
 * beginning once everything has been copied.
 */
/* The checkpointer's own connection; NULL (logged) when it cannot open. */
static sqlite3 *
checkpoint_open(const struct sqlite_pool *sp)
{
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	sqlite3 *h = NULL;

	/* Until it reads the database a connection does not know it is in
	 * WAL mode, and a checkpoint would do nothing. */
	if (sqlite3_open_v2(sp->path, &h, flags, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(h, SQLITE_BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) !=
		SQLITE_OK) {
		log_error(NULL, "db.checkpointer_open_failed", "code=%d",
		    h ? sqlite3_errcode(h) : SQLITE_NOMEM);
		sqlite3_close(h);
		return NULL;
	}
	return h;
}

/*
 * Makes the WAL start over from its beginning: with readers always about,
 * SQLite may never find the moment to do it on its own, and the file
 * would grow for ever.  The writers of this process wait on their mutex
 * meanwhile, which takes the time to copy the last frames and sync.
 */
static void
checkpoint_restart(struct sqlite_pool *sp, sqlite3 *h)
{
	int code;

	pthread_mutex_lock(&sp->write_lock);
	code = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_RESTART,
	    NULL, NULL);
	pthread_mutex_unlock(&sp->write_lock);
	if (code != SQLITE_OK)
		log_warn(NULL, "db.checkpoint_failed", "mode=restart code=%d",
		    code);
}

/*
 * The checkpointer: a passive checkpoint never blocks readers or the
 * writer; it copies what it can.  Connections leave checkpoints to this
 * thread alone, so it keeps trying to open its own connection until it
 * can.
 */
static void *
checkpoint_main(void *arg)
{
	struct sqlite_pool *sp = arg;
	int code, frames, copied;
	sqlite3 *h = NULL;

	while (checkpoint_wait(sp)) {
		if (h == NULL && (h = checkpoint_open(sp)) == NULL)
			continue;
		code = sqlite3_wal_checkpoint_v2(h, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
		if (code != SQLITE_OK && code != SQLITE_BUSY)
			log_warn(NULL, "db.checkpoint_failed", "code=%d", code);
		else
			atomic_store(&sp->ckpt_copied, copied);
		if (code == SQLITE_OK && frames >= CHECKPOINT_RESTART_PAGES) {
			checkpoint_restart(sp, h);
			atomic_store(&sp->ckpt_copied, 0);
		}
		log_debug(NULL, "db.checkpoint", "code=%d frames=%d copied=%d",
		    code, frames, copied);
	}
	sqlite3_close(h);
	return NULL;
}

static int
sqlite_connect(struct db *db, char *err, size_t errlen)
{
	int flags =
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	struct sqlite_conn c = {0};
	char pragmas[256];
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(pool_of(db)->path, &h, flags, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(h, SQLITE_BUSY_TIMEOUT_MS);
	snprintf(pragmas, sizeof(pragmas),
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; "
	    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
	    "PRAGMA wal_autocheckpoint=0;",
	    db->pool->sync_full ? "FULL" : "NORMAL");
	if (sqlite3_exec(h, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "BEGIN IMMEDIATE", -1, &c.begin, NULL) ||
	    sqlite3_prepare_v2(h, "COMMIT", -1, &c.commit, NULL) ||
	    sqlite3_prepare_v2(h, "ROLLBACK", -1, &c.rollback, NULL))
		goto fail;
	sqlite3_wal_hook(h, on_wal_commit, pool_of(db));
	c.h = h;
	db->impl = xmalloc(sizeof(c));
	memcpy(db->impl, &c, sizeof(c));
	return PB_OK;
fail:
	sqlite3_finalize(c.begin);
	sqlite3_finalize(c.commit);
	sqlite3_finalize(c.rollback);
	snprintf(err, errlen, "PITCHBAR_DATABASE_URL: cannot open %s: %s",
	    pool_of(db)->path, h ? sqlite3_errmsg(h) : "out of memory");
	sqlite3_close(h);
	return PB_ERR_DB;
}

static void
sqlite_disconnect(struct db *db)
{
	struct sqlite_conn *c = db->impl;

	sqlite3_finalize(c->begin);
	sqlite3_finalize(c->commit);
	sqlite3_finalize(c->rollback);
	sqlite3_close(c->h);
	free(c);
	db->impl = NULL;
}

static void
log_sqlite_error(const struct db *db, const char *what, int code)
{
	char msg[256];

	log_error(NULL, "db.error", "engine=sqlite op=%s code=%d msg=%s", what,
	    code, log_esc(msg, sizeof(msg), sqlite3_errmsg(handle_of(db))));
}

/* Rewrites the $N placeholders of sql as SQLite's ?N, outside literals. */
static char *
rewrite_placeholders(const char *sql)
{
	char *out = xstrdup(sql), *p;
	int quoted = 0;

	for (p = out; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (!quoted && *p == '$' && p[1] >= '0' && p[1] <= '9')
			*p = '?';
	}
	return out;
}

static int
sqlite_prepare(struct db_stmt *st)
{
	char *sql = rewrite_placeholders(st->sql);
	sqlite3_stmt *s = NULL;
	int code;

	code = sqlite3_prepare_v3(handle_of(st->db), sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &s, NULL);
	free(sql);
	if (code != SQLITE_OK) {
		log_sqlite_error(st->db, "prepare", code);
		return PB_ERR_DB;
	}
	st->impl = xcalloc(1, sizeof(struct sqlite_stmt));
	((struct sqlite_stmt *)st->impl)->stmt = s;
	return PB_OK;
}

static void
sqlite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt_of(st));
	free(st->impl);
}

static int
sqlite_param_count(struct db_stmt *st)
{
	return sqlite3_bind_parameter_count(stmt_of(st));
}

static void
sqlite_bind_text(struct db_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text(stmt_of(st), i, s, (int)n, SQLITE_TRANSIENT);
}

static void
sqlite_bind_i64(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(stmt_of(st), i, v);
}

static void
sqlite_bind_null(struct db_stmt *st, int i)
{
	sqlite3_bind_null(stmt_of(st), i);
}

static void
release_write_lock(struct db_stmt *st)
{
	struct sqlite_stmt *ss = st->impl;

	if (ss->holds_write_lock) {
		ss->holds_write_lock = false;
		pthread_mutex_unlock(&pool_of(st->db)->write_lock);
	}
}

static int
map_error(struct db_stmt *st, int code)
{
	switch (code & 0xff) {
	case SQLITE_CONSTRAINT:
		return PB_ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_sqlite_error(st->db, "step", code);
		return PB_ERR_BUSY;
	default:
		log_sqlite_error(st->db, "step", code);
		return PB_ERR_DB;
	}
}

static int
sqlite_step(struct db_stmt *st)
{
	struct sqlite_stmt *ss = st->impl;
	int code;

	/* A write outside a transaction takes the writers' queue too. */
	if (!st->db->in_txn && !ss->holds_write_lock &&
	    !sqlite3_stmt_readonly(ss->stmt)) {
		pthread_mutex_lock(&pool_of(st->db)->write_lock);
		ss->holds_write_lock = true;
	}
	code = sqlite3_step(ss->stmt);
	if (code == SQLITE_ROW)
		return DB_ROW;
	release_write_lock(st);
	if (code == SQLITE_DONE)
		return DB_DONE;
	return map_error(st, code);
}

static const char *
sqlite_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(stmt_of(st), i);
}

static int64_t
sqlite_col_i64(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(stmt_of(st), i);
}

static bool
sqlite_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(stmt_of(st), i) == SQLITE_NULL;
}

static void
sqlite_reset(struct db_stmt *st)
{
	sqlite3_reset(stmt_of(st));
	sqlite3_clear_bindings(stmt_of(st));
	release_write_lock(st);
}

static int64_t
sqlite_changes(struct db *db)
{
	return sqlite3_changes64(handle_of(db));
}

static int
sqlite_exec(struct db *db, const char *sql)
{
	int code = sqlite3_exec(handle_of(db), sql, NULL, NULL, NULL);

	if (code != SQLITE_OK) {
		log_sqlite_error(db, "exec", code);
		return (code & 0xff) == SQLITE_BUSY ? PB_ERR_BUSY : PB_ERR_DB;
	}
	return PB_OK;
}

/* Runs one of the connection's transaction statements. */
static int
control(struct db *db, sqlite3_stmt *st, const char *what)
{
	int code = sqlite3_step(st);

	sqlite3_reset(st);
	if (code == SQLITE_DONE)
		return PB_OK;
	log_sqlite_error(db, what, code);
	return (code & 0xff) == SQLITE_BUSY ? PB_ERR_BUSY : PB_ERR_DB;
}

static int
sqlite_begin(struct db *db)
{
	struct sqlite_conn *c = db->impl;
	int rc;

	pthread_mutex_lock(&pool_of(db)->write_lock);
	if ((rc = control(db, c->begin, "begin")) != PB_OK)
		pthread_mutex_unlock(&pool_of(db)->write_lock);
	return rc;
}

static int
sqlite_commit(struct db *db)
{
	struct sqlite_conn *c = db->impl;
	int rc = control(db, c->commit, "commit");

	/* A failed COMMIT may leave the transaction open: end it. */
	if (rc != PB_OK && !sqlite3_get_autocommit(c->h))
		control(db, c->rollback, "rollback");
	pthread_mutex_unlock(&pool_of(db)->write_lock);
	return rc;
}

static void
sqlite_rollback(struct db *db)
{
	struct sqlite_conn *c = db->impl;

	if (!sqlite3_get_autocommit(c->h))
		control(db, c->rollback, "rollback");
	pthread_mutex_unlock(&pool_of(db)->write_lock);
}

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    .pool_init = sqlite_pool_init,
    .pool_release = sqlite_pool_release,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .param_count = sqlite_param_count,
    .bind_text = sqlite_bind_text,
    .bind_i64 = sqlite_bind_i64,
    .bind_null = sqlite_bind_null,
    .step = sqlite_step,
    .col_text = sqlite_col_text,
    .col_i64 = sqlite_col_i64,
    .col_null = sqlite_col_null,
    .reset = sqlite_reset,
    .changes = sqlite_changes,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
};
