/*
 * The storage interface on SQLite: migrations, placeholders, the
 * statement cache, constraint errors, transactions and their hooks, and
 * writers on several threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/rc.h"
#include "db/db.h"
#include "unit.h"

#define THREADS 4
#define WRITES_PER_THREAD 200

static const char SQL_CREATE[] =
    "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v BIGINT)";
static const char SQL_INSERT[] = "INSERT INTO t (k, v) VALUES ($1, $2)";
static const char SQL_GET[] = "SELECT v FROM t WHERE k = $1";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM t";
static const char SQL_LITERAL[] = "SELECT '$1', $1";
static const char SQL_MIGRATIONS[] = "SELECT COUNT(*) FROM schema_migrations";
static const char SQL_JOURNAL[] = "PRAGMA journal_mode";

static struct db_pool *
open_pool(const char *name)
{
	return unit_open_pool(name, 8);
}

static int64_t
one_int(struct db *db, const char *sql)
{
	struct db_stmt *st = db_query(db, sql, "");
	int64_t v;

	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	v = db_col_i64(st, 0);
	db_reset(st);
	return v;
}

static void
test_migrations_once(void **state)
{
	struct db_pool *pool = open_pool("db-migrate");
	struct db *db = db_acquire(pool);
	int64_t applied = one_int(db, SQL_MIGRATIONS);
	char err[256];

	(void)state;
	assert_true(applied >= 1);
	db_release(db);
	assert_int_equal(db_migrate(pool, err, sizeof(err)), 0);
	db = db_acquire(pool);
	assert_int_equal(one_int(db, SQL_MIGRATIONS), applied);
	db_release(db);
	db_pool_free(pool);
}

static void
test_wal_and_placeholders(void **state)
{
	struct db_pool *pool = open_pool("db-basics");
	struct db *db = db_acquire(pool);
	struct db_stmt *st;

	(void)state;
	if (!db_is_postgres(db)) {
		st = db_query(db, SQL_JOURNAL, "");
		assert_int_equal(db_step(st), DB_ROW);
		assert_string_equal(db_col_text(st, 0), "wal");
		db_reset(st);
	}

	/* $1 inside a literal stays text; the parameter binds. */
	st = db_query(db, SQL_LITERAL, "s", "bound");
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "$1");
	assert_string_equal(db_col_text(st, 1), "bound");
	db_reset(st);

	/* Prepared once per connection. */
	assert_ptr_equal(db_prepare(db, SQL_LITERAL),
	    db_prepare(db, SQL_LITERAL));
	/* A wrong number of arguments is refused, not guessed. */
	assert_null(db_query(db, SQL_LITERAL, "ss", "a", "b"));
	db_release(db);
	db_pool_free(pool);
}

static void
test_constraint_is_conflict(void **state)
{
	struct db_pool *pool = open_pool("db-conflict");
	struct db *db = db_acquire(pool);

	(void)state;
	assert_int_equal(db_exec(db, SQL_CREATE), 0);
	assert_int_equal(db_run(db, SQL_INSERT, "si", "a", (int64_t)1), 0);
	assert_int_equal(db_run(db, SQL_INSERT, "si", "a", (int64_t)2),
	    PB_ERR_CONFLICT);
	assert_int_equal(db_changes(db), 0);
	db_release(db);
	db_pool_free(pool);
}

static void
count_hook(void *arg)
{
	(*(int *)arg)++;
}

static void
test_transactions_and_hooks(void **state)
{
	struct db_pool *pool = open_pool("db-txn");
	struct db *db = db_acquire(pool);
	int calls = 0;

	(void)state;
	assert_int_equal(db_exec(db, SQL_CREATE), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, SQL_INSERT, "si", "gone", (int64_t)1), 0);
	db_after_commit(db, count_hook, &calls);
	db_rollback(db);
	assert_int_equal(calls, 0);
	assert_int_equal(one_int(db, SQL_COUNT), 0);

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_begin(db), PB_ERR_INTERNAL); /* no nesting */
	assert_int_equal(db_run(db, SQL_INSERT, "si", "kept", (int64_t)1), 0);
	db_after_commit(db, count_hook, &calls);
	db_after_commit(db, count_hook, &calls); /* once per transaction */
	assert_int_equal(calls, 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(one_int(db, SQL_COUNT), 1);

	/* Outside a transaction the hook runs at once. */
	db_after_commit(db, count_hook, &calls);
	assert_int_equal(calls, 2);
	db_release(db);
	db_pool_free(pool);
}

struct writer {
	struct db_pool *pool;
	int n;
};

static void *
write_many(void *arg)
{
	struct writer *w = arg;
	char key[32];

	for (int i = 0; i < WRITES_PER_THREAD; i++) {
		struct db *db = db_acquire(w->pool);

		snprintf(key, sizeof(key), "w%d-%d", w->n, i);
		if (i % 2 == 0) {
			assert_int_equal(db_begin(db), 0);
			assert_int_equal(
			    db_run(db, SQL_INSERT, "si", key, (int64_t)i), 0);
			assert_int_equal(db_commit(db), 0);
		} else {
			assert_int_equal(
			    db_run(db, SQL_INSERT, "si", key, (int64_t)i), 0);
		}
		db_release(db);
	}
	return NULL;
}

/* Writers on several threads never see SQLITE_BUSY and lose nothing. */
static void
test_concurrent_writers(void **state)
{
	struct db_pool *pool = open_pool("db-writers");
	struct writer w[THREADS];
	pthread_t t[THREADS];
	struct db *db = db_acquire(pool);
	struct db_stmt *st;

	(void)state;
	assert_int_equal(db_exec(db, SQL_CREATE), 0);
	db_release(db);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){pool, i};
		pthread_create(&t[i], NULL, write_many, &w[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	db = db_acquire(pool);
	assert_int_equal(one_int(db, SQL_COUNT), THREADS * WRITES_PER_THREAD);
	st = db_query(db, SQL_GET, "s", "w3-199");
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_col_i64(st, 0), 199);
	db_reset(st);
	db_release(db);
	db_pool_free(pool);
}

/*
 * Connections leave checkpoints to the pool's checkpointer: on a fresh
 * database, once the WAL holds a thousand pages, they reach the database
 * file (which would otherwise stay at its first pages for ever).
 */
static void
test_checkpoints_happen(void **state)
{
	struct db_pool *pool = open_pool("db-checkpoint");
	struct db *db = db_acquire(pool);
	char *path =
	    xasprintf("tests/out/unit-db-checkpoint-%d/test.db", (int)getpid());
	struct stat sb = {0};
	char key[32];

	(void)state;
	if (db_is_postgres(db)) {
		db_release(db);
		db_pool_free(pool);
		free(path);
		skip();
	}
	assert_int_equal(db_exec(db, SQL_CREATE), 0);
	for (int i = 0; i < 1500; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(db_run(db, SQL_INSERT, "si", key, (int64_t)i),
		    0);
	}
	for (int i = 0; i < 200 && sb.st_size < 64 * 1024; i++) {
		usleep(10000);
		assert_int_equal(stat(path, &sb), 0);
	}
	assert_true(sb.st_size >= 64 * 1024);
	free(path);
	db_release(db);
	db_pool_free(pool);
}

static void
test_bad_url(void **state)
{
	struct db_pool *pool;
	char err[256];

	(void)state;
	assert_int_not_equal(
	    db_pool_open("mysql://x", 1, false, &pool, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "PITCHBAR_DATABASE_URL"));
	assert_int_not_equal(db_pool_open("sqlite:/nonexistent/dir/x.db", 1,
				 false, &pool, err, sizeof(err)),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrations_once),
	    cmocka_unit_test(test_wal_and_placeholders),
	    cmocka_unit_test(test_constraint_is_conflict),
	    cmocka_unit_test(test_transactions_and_hooks),
	    cmocka_unit_test(test_concurrent_writers),
	    cmocka_unit_test(test_checkpoints_happen),
	    cmocka_unit_test(test_bad_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
