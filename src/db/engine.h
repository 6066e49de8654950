/*
 * What a storage engine provides to db.c.  Only db/ includes this file;
 * each engine keeps its library's handles in the impl pointers.
 */
#ifndef DB_ENGINE_H
#define DB_ENGINE_H

#include <pthread.h>

#include "db/db.h"

#define DB_AFTER_COMMIT_MAX 8

struct db_stmt {
	struct db *db;
	const char *sql; /* the cache key */
	void *impl;
};

struct db_hook {
	void (*fn)(void *);
	void *arg;
};

struct db {
	struct db_pool *pool;
	void *impl;
	struct db_stmt **cache; /* open addressing by sql address */
	size_t cache_cap, cache_len;
	bool in_txn;
	bool broken; /* the server went away: close, don't reuse */
	struct db_hook hooks[DB_AFTER_COMMIT_MAX];
	int nhooks;
	struct db *next_idle;
};

struct db_ops {
	const char *name;
	/*
	 * Whether the engine runs write transactions side by side (and
	 * groups their commits itself); db_write() then runs each alone.
	 */
	bool concurrent_writes;
	int (*pool_init)(struct db_pool *pool, const char *target, char *err,
	    size_t errlen);
	void (*pool_release)(struct db_pool *pool);
	int (*connect)(struct db *db, char *err, size_t errlen);
	void (*disconnect)(struct db *db);
	int (*prepare)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	int (*param_count)(struct db_stmt *st);
	void (*bind_text)(struct db_stmt *st, int i, const char *s, size_t n);
	void (*bind_i64)(struct db_stmt *st, int i, int64_t v);
	void (*bind_null)(struct db_stmt *st, int i);
	int (*step)(struct db_stmt *st);
	const char *(*col_text)(struct db_stmt *st, int i);
	int64_t (*col_i64)(struct db_stmt *st, int i);
	bool (*col_null)(struct db_stmt *st, int i);
	void (*reset)(struct db_stmt *st);
	int64_t (*changes)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*begin)(struct db *db);
	int (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	/* Optional: whether an idle connection still works (cheap). */
	bool (*healthy)(struct db *db);
	/* Optional: notifications between processes (db_notify and co). */
	int (*notify)(struct db *db, const char *channel);
	int (*listen)(struct db *db, const char *channel);
	int (*wait)(struct db *db, int timeout_ms);
};

/* A write waiting to share a transaction (see batch.c). */
struct db_write {
	db_write_fn fn;
	void *arg;
	int rc;
	bool done;
	struct db_write *next;
};

struct db_batch {
	pthread_mutex_t lock;
	pthread_cond_t finished; /* a batch committed or failed */
	struct db_write *head, **tail;
	bool leading; /* a thread is running a batch */
	struct db *writer; /* the leader's connection, used by one at a time */
};

struct db_pool {
	const struct db_ops *ops;
	void *impl;
	bool sync_full;
	int size, open;
	struct db *idle;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db_batch batch;
};

void db_batch_init(struct db_batch *b);
void db_batch_release(struct db_batch *b);
/* A connection outside the pool's count (the batch writer's), or NULL. */
struct db *db_connect_spare(struct db_pool *pool);
void db_close_spare(struct db *db);

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_postgres_ops;

#endif
