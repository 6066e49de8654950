/*
 * The engine-independent half of the storage interface: the pool, the
 * per-connection statement cache, argument binding and after-commit hooks
 * (see db.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/engine.h"

static const struct db_ops *
engine_for(const char *url, const char **target)
{
	if (strncmp(url, "sqlite:", 7) == 0) {
		*target = url + 7;
		return &db_sqlite_ops;
	}
	if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0) {
		*target = url;
		return &db_postgres_ops;
	}
	*target = url;
	return strstr(url, "://") ? NULL : &db_sqlite_ops;
}

int
db_pool_open(const char *url, int size, bool sync_full, struct db_pool **out,
    char *err, size_t errlen)
{
	struct db_pool *pool;
	const char *target;
	struct db *db;
	int rc;

	*out = NULL;
	pool = xcalloc(1, sizeof(*pool));
	pool->ops = engine_for(url, &target);
	if (pool->ops == NULL) {
		snprintf(err, errlen,
		    "PITCHBAR_DATABASE_URL: this build "
		    "supports sqlite:PATH only");
		free(pool);
		return PB_ERR_INVALID;
	}
	pool->size = size;
	pool->sync_full = sync_full;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	db_batch_init(&pool->batch);
	if ((rc = pool->ops->pool_init(pool, target, err, errlen)) != PB_OK) {
		db_pool_free(pool);
		return rc;
	}

	/* Connect once now, so that a bad target fails at start. */
	db = xcalloc(1, sizeof(*db));
	db->pool = pool;
	if ((rc = pool->ops->connect(db, err, errlen)) != PB_OK) {
		free(db);
		db_pool_free(pool);
		return rc;
	}
	pool->open = 1;
	pool->idle = db;
	*out = pool;
	return PB_OK;
}

/* The table db_migrate() makes first (see migrate.c). */
static const char SQL_HAS_SCHEMA_SQLITE[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table'"
    " AND name = 'schema_migrations'";
static const char SQL_HAS_SCHEMA_PG[] =
    "SELECT 1 WHERE to_regclass('schema_migrations') IS NOT NULL";

/* Whether db_migrate() has run on the pool's database: PB_OK if so. */
static int
has_schema(struct db_pool *pool)
{
	struct db *db = db_acquire(pool);
	struct db_stmt *st;
	int rc;

	if (db == NULL)
		return PB_ERR_DB;
	st = db_query(db,
	    db_is_postgres(db) ? SQL_HAS_SCHEMA_PG : SQL_HAS_SCHEMA_SQLITE, "");
	if ((rc = db_first(st)) == PB_OK)
		db_reset(st);
	db_release(db);
	return rc;
}

/* Says what has_schema() found wrong with the database of pool. */
static void
schema_error(const struct db_pool *pool, const char *target, int rc, char *err,
    size_t errlen)
{
	const char *why =
	    rc == PB_ERR_NOT_FOUND ? "holds no schema" : "cannot be read";

	if (pool->ops == &db_sqlite_ops)
		snprintf(err, errlen, "the database at %s %s", target, why);
	else
		snprintf(err, errlen,
		    "the database of PITCHBAR_DATABASE_URL %s", why);
}

/*
 * Whether the SQLite file target is there and not empty, told before
 * opening it: opening would make the file, or write to an empty one.
 */
static int
sqlite_file_check(const char *target, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(target, &sb) != 0)
		snprintf(err, errlen, "no database at %s", target);
	else if (sb.st_size == 0)
		snprintf(err, errlen, "the database at %s holds no schema",
		    target);
	else
		return PB_OK;
	return PB_ERR_NOT_FOUND;
}

int
db_pool_open_existing(const char *url, int size, bool sync_full,
    struct db_pool **out, char *err, size_t errlen)
{
	const char *target;
	int rc;

	*out = NULL;
	if (engine_for(url, &target) == &db_sqlite_ops && *target &&
	    (rc = sqlite_file_check(target, err, errlen)) != PB_OK)
		return rc;
	rc = db_pool_open(url, size, sync_full, out, err, errlen);
	if (rc == PB_OK && (rc = has_schema(*out)) != PB_OK) {
		schema_error(*out, target, rc, err, errlen);
		db_pool_free(*out);
		*out = NULL;
	}
	return rc;
}

static void
cache_clear(struct db *db)
{
	for (size_t i = 0; i < db->cache_cap; i++) {
		struct db_stmt *st = db->cache[i];

		if (st) {
			db->pool->ops->finalize(st);
			free(st);
		}
	}
	FREE_AND_NULL(db->cache);
	db->cache_cap = db->cache_len = 0;
}

static void
db_close(struct db *db)
{
	cache_clear(db);
	db->pool->ops->disconnect(db);
	free(db);
}

void
db_pool_free(struct db_pool *pool)
{
	if (pool == NULL)
		return;
	db_close_spare(pool->batch.writer);
	pool->batch.writer = NULL;
	while (pool->idle) {
		struct db *db = pool->idle;

		pool->idle = db->next_idle;
		db_close(db);
	}
	if (pool->ops && pool->impl)
		pool->ops->pool_release(pool);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	db_batch_release(&pool->batch);
	free(pool);
}

const char *
db_pool_engine(const struct db_pool *pool)
{
	return pool->ops->name;
}

bool
db_is_postgres(const struct db *db)
{
	return db->pool->ops == &db_postgres_ops;
}

static struct db *
connect_new(struct db_pool *pool)
{
	struct db *db = xcalloc(1, sizeof(*db));
	char err[256];

	db->pool = pool;
	if (pool->ops->connect(db, err, sizeof(err)) != PB_OK) {
		log_error(NULL, "db.connect_failed", "engine=%s reason=\"%s\"",
		    pool->ops->name, err);
		free(db);
		return NULL;
	}
	return db;
}

/* An idle connection, or NULL with a slot reserved for a new one. */
static struct db *
take_idle(struct db_pool *pool)
{
	struct db *db;

	pthread_mutex_lock(&pool->lock);
	while (pool->idle == NULL && pool->open >= pool->size)
		pthread_cond_wait(&pool->freed, &pool->lock);
	db = pool->idle;
	if (db)
		pool->idle = db->next_idle;
	else
		pool->open++;
	pthread_mutex_unlock(&pool->lock);
	return db;
}

struct db *
db_connect_spare(struct db_pool *pool)
{
	return connect_new(pool);
}

void
db_close_spare(struct db *db)
{
	if (db)
		db_close(db);
}

struct db *
db_acquire(struct db_pool *pool)
{
	struct db *db = take_idle(pool);

	/* One that died while idle (a server restart) is replaced. */
	if (db && pool->ops->healthy && !pool->ops->healthy(db)) {
		log_info(NULL, "db.reconnect", "engine=%s", pool->ops->name);
		db_close(db);
		db = NULL;
	}
	if (db)
		return db;

	if ((db = connect_new(pool)) == NULL) {
		pthread_mutex_lock(&pool->lock);
		pool->open--;
		pthread_cond_signal(&pool->freed);
		pthread_mutex_unlock(&pool->lock);
	}
	return db;
}

void
db_release(struct db *db)
{
	struct db_pool *pool;

	if (db == NULL)
		return;
	pool = db->pool;
	if (db->in_txn) {
		log_error(NULL, "db.transaction_left_open", NULL);
		db_rollback(db);
	}
	pthread_mutex_lock(&pool->lock);
	if (db->broken) {
		/* The next db_acquire() connects afresh. */
		pool->open--;
		pthread_mutex_unlock(&pool->lock);
		db_close(db);
		pthread_mutex_lock(&pool->lock);
	} else {
		db->next_idle = pool->idle;
		pool->idle = db;
	}
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}

static size_t
slot_of(const char *sql, size_t cap)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 7) & (cap - 1);
}

static void
cache_insert(struct db *db, struct db_stmt *st)
{
	size_t i = slot_of(st->sql, db->cache_cap);

	while (db->cache[i])
		i = (i + 1) & (db->cache_cap - 1);
	db->cache[i] = st;
	db->cache_len++;
}

static void
cache_grow(struct db *db)
{
	struct db_stmt **old = db->cache;
	size_t oldcap = db->cache_cap;

	db->cache_cap = oldcap ? oldcap * 2 : 64;
	db->cache = xcalloc(db->cache_cap, sizeof(*db->cache));
	db->cache_len = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			cache_insert(db, old[i]);
	free(old);
}

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	struct db_stmt *st;
	size_t i;

	if (db->cache_cap) {
		i = slot_of(sql, db->cache_cap);
		for (; db->cache[i]; i = (i + 1) & (db->cache_cap - 1))
			if (db->cache[i]->sql == sql)
				return db->cache[i];
	}
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->sql = sql;
	if (db->pool->ops->prepare(st) != PB_OK) {
		free(st);
		return NULL;
	}
	if ((db->cache_len + 1) * 2 > db->cache_cap)
		cache_grow(db);
	cache_insert(db, st);
	return st;
}

void
db_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s == NULL)
		st->db->pool->ops->bind_null(st, i);
	else
		st->db->pool->ops->bind_text(st, i, s, strlen(s));
}

void
db_bind_i64(struct db_stmt *st, int i, int64_t v)
{
	st->db->pool->ops->bind_i64(st, i, v);
}

void
db_bind_null(struct db_stmt *st, int i)
{
	st->db->pool->ops->bind_null(st, i);
}

int
db_step(struct db_stmt *st)
{
	return st->db->pool->ops->step(st);
}

const char *
db_col_text(struct db_stmt *st, int i)
{
	return st->db->pool->ops->col_text(st, i);
}

int64_t
db_col_i64(struct db_stmt *st, int i)
{
	return st->db->pool->ops->col_i64(st, i);
}

bool
db_col_null(struct db_stmt *st, int i)
{
	return st->db->pool->ops->col_null(st, i);
}

void
db_col_copy(struct db_stmt *st, int i, char *out, size_t size)
{
	const char *s = db_col_text(st, i);

	snprintf(out, size, "%s", s ? s : "");
}

char *
db_col_dup(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);

	return s ? xstrdup(s) : NULL;
}

int
db_first(struct db_stmt *st)
{
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	if ((rc = db_step(st)) == DB_ROW)
		return PB_OK;
	db_reset(st);
	return rc == DB_DONE ? PB_ERR_NOT_FOUND : rc;
}

void
db_reset(struct db_stmt *st)
{
	if (st)
		st->db->pool->ops->reset(st);
}

int64_t
db_changes(struct db *db)
{
	return db->pool->ops->changes(db);
}

static void
bind_args(struct db_stmt *st, const char *types, va_list ap)
{
	for (int i = 1; *types; types++, i++) {
		switch (*types) {
		case 's':
			db_bind_text(st, i, va_arg(ap, const char *));
			break;
		case 'i':
			db_bind_i64(st, i, va_arg(ap, int64_t));
			break;
		default:
			db_bind_null(st, i);
			break;
		}
	}
}

/* Whether types has a letter for each parameter of st (a caller's bug). */
static bool
types_fit(struct db_stmt *st, const char *types)
{
	int want = st->db->pool->ops->param_count(st);

	if ((int)strlen(types) == want)
		return true;
	log_error(NULL, "db.bad_arguments", "types=%zu params=%d sql=\"%.60s\"",
	    strlen(types), want, st->sql);
	return false;
}

struct db_stmt *
db_query(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;

	if ((st = db_prepare(db, sql)) == NULL || !types_fit(st, types))
		return NULL;
	va_start(ap, types);
	bind_args(st, types, ap);
	va_end(ap);
	return st;
}

int
db_run(struct db *db, const char *sql, const char *types, ...)
{
	struct db_stmt *st;
	va_list ap;
	int rc;

	if ((st = db_prepare(db, sql)) == NULL || !types_fit(st, types))
		return PB_ERR_DB;
	va_start(ap, types);
	bind_args(st, types, ap);
	va_end(ap);
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

int
db_begin(struct db *db)
{
	int rc;

	if (db->in_txn) {
		log_error(NULL, "db.nested_transaction", NULL);
		return PB_ERR_INTERNAL;
	}
	if ((rc = db->pool->ops->begin(db)) == PB_OK) {
		db->in_txn = true;
		db->nhooks = 0;
	}
	return rc;
}

static void
run_hooks(struct db *db)
{
	int n = db->nhooks;

	db->nhooks = 0;
	for (int i = 0; i < n; i++)
		db->hooks[i].fn(db->hooks[i].arg);
}

int
db_commit(struct db *db)
{
	int rc = db->pool->ops->commit(db);

	/* A failed commit has been rolled back by the engine. */
	db->in_txn = false;
	if (rc == PB_OK)
		run_hooks(db);
	db->nhooks = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (!db->in_txn)
		return;
	db->pool->ops->rollback(db);
	db->in_txn = false;
	db->nhooks = 0;
}

bool
db_after_commit(struct db *db, void (*fn)(void *), void *arg)
{
	if (!db->in_txn) {
		fn(arg);
		return true;
	}
	for (int i = 0; i < db->nhooks; i++)
		if (db->hooks[i].fn == fn && db->hooks[i].arg == arg)
			return false;
	if (db->nhooks < DB_AFTER_COMMIT_MAX)
		db->hooks[db->nhooks++] = (struct db_hook){fn, arg};
	else
		log_error(NULL, "db.too_many_commit_hooks", NULL);
	return true;
}

int
db_notify(struct db *db, const char *channel)
{
	return db->pool->ops->notify ? db->pool->ops->notify(db, channel)
				     : PB_OK;
}

int
db_listen(struct db *db, const char *channel)
{
	return db->pool->ops->listen ? db->pool->ops->listen(db, channel)
				     : PB_ERR_INVALID;
}

int
db_wait(struct db *db, int timeout_ms)
{
	return db->pool->ops->wait ? db->pool->ops->wait(db, timeout_ms)
				   : PB_ERR_INVALID;
}

bool
db_is_broken(const struct db *db)
{
	return db->broken;
}

int
db_exec(struct db *db, const char *sql)
{
	return db->pool->ops->exec(db, sql);
}
