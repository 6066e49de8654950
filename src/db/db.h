/*
 * The storage interface.  Callers write SQL once, in the dialect SQLite and
 * PostgreSQL both accept, with $1, $2, ... placeholders, and never see the
 * engine.  A pool hands out connections; each connection caches its
 * prepared statements, keyed by the address of the (static) SQL text, so a
 * statement is prepared once per connection.
 *
 * Times are stored as BIGINT milliseconds, booleans as INTEGER 0/1, binary
 * data as text (base64), so that both engines read the same columns.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What db_step() returns besides an error code. */
#define DB_ROW 100
#define DB_DONE 101

struct db_pool;
struct db;
struct db_stmt;

/*
 * Opens a pool of at most size connections to url ("sqlite:PATH", a plain
 * path, or "postgres://..."); connects once to check it.  On failure err
 * holds one line saying why.
 */
int db_pool_open(const char *url, int size, bool sync_full,
    struct db_pool **out, char *err, size_t errlen);
/*
 * db_pool_open() on a database that db_migrate() has set up before, for
 * commands that must not make one: PB_ERR_NOT_FOUND, creating nothing,
 * when a SQLite file is not there or a database holds no schema, err
 * saying which.
 */
int db_pool_open_existing(const char *url, int size, bool sync_full,
    struct db_pool **out, char *err, size_t errlen);
/* Closes every connection; all must have been released. */
void db_pool_free(struct db_pool *pool);
/* "sqlite" or "postgres". */
const char *db_pool_engine(const struct db_pool *pool);
/* Whether the connection is to PostgreSQL, for the rare engine-only SQL. */
bool db_is_postgres(const struct db *db);

/* A connection for this thread's use; blocks while all are taken. */
struct db *db_acquire(struct db_pool *pool);
/* Gives the connection back; a transaction left open is rolled back. */
void db_release(struct db *db);

/*
 * The cached statement for sql (which must outlive the pool, as string
 * literals do), or NULL when it does not compile (logged).  It must be
 * reset before the same text is prepared again on this connection.
 */
struct db_stmt *db_prepare(struct db *db, const char *sql);
/* Binds parameter i (1-based); s == NULL binds NULL. */
void db_bind_text(struct db_stmt *st, int i, const char *s);
void db_bind_i64(struct db_stmt *st, int i, int64_t v);
void db_bind_null(struct db_stmt *st, int i);
/*
 * Runs the statement to its next row: DB_ROW, DB_DONE, PB_ERR_CONFLICT
 * (a unique or foreign key constraint), PB_ERR_BUSY or PB_ERR_DB.
 */
int db_step(struct db_stmt *st);
/* Column i (0-based) of the current row; NULL text for SQL NULL. */
const char *db_col_text(struct db_stmt *st, int i);
int64_t db_col_i64(struct db_stmt *st, int i);
bool db_col_null(struct db_stmt *st, int i);
/* Copies column i into out ("" for NULL), cut to size. */
void db_col_copy(struct db_stmt *st, int i, char *out, size_t size);
/* A copy of column i, or NULL for SQL NULL; the caller frees it. */
char *db_col_dup(struct db_stmt *st, int i);
/*
 * Steps st (as db_query() returned it, possibly NULL) to its first row:
 * PB_OK with the row to read, after which the caller resets st; else
 * PB_ERR_NOT_FOUND or an error, st already reset.
 */
int db_first(struct db_stmt *st);
/* Ends the statement and clears its bindings, ready for the next use. */
void db_reset(struct db_stmt *st);
/* Rows changed by the last finished INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *db);

/*
 * Prepares sql and binds one argument per letter of types: 's' a string
 * (NULL binds NULL), 'i' an int64_t, 'n' a NULL (no argument).  NULL when
 * it fails to compile.
 */
struct db_stmt *
db_query(struct db *db, const char *sql, const char *types, ...);
/* db_query() run to its end and reset: PB_OK or the error of db_step(). */
int db_run(struct db *db, const char *sql, const char *types, ...);

/*
 * A write transaction.  Writes are serialised per database, so a
 * transaction should be short and never wait on the network.
 */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/*
 * Calls fn(arg) once the current transaction has committed (at once when
 * none is open); forgotten on rollback.  A second call with the same fn
 * and arg in one transaction adds nothing and returns false.
 */
bool db_after_commit(struct db *db, void (*fn)(void *), void *arg);
/*
 * Group commit.  db_write() runs fn(db, arg) in a write transaction that
 * it may share, commit included, with the writes other threads start at
 * the same moment; each runs inside a savepoint of its own.  fn's changes
 * are kept when it returns PB_OK and the shared commit succeeds; its
 * result, or the commit's error, is returned.  fn must use the db it is
 * given (which may be another thread's connection) and must not wait on
 * anything but the database.
 */
typedef int (*db_write_fn)(struct db *db, void *arg);
int db_write(struct db *db, db_write_fn fn, void *arg);

/*
 * Notifications between processes sharing the database (PostgreSQL's
 * LISTEN/NOTIFY): db_notify() in a transaction signals the listeners once
 * it commits; db_listen() subscribes this connection, and db_wait() waits
 * up to timeout_ms for a notification: PB_OK when one came,
 * PB_ERR_NOT_FOUND when none did.  On SQLite, whose writers all live in
 * one process, db_notify() does nothing and db_listen() answers
 * PB_ERR_INVALID.
 */
int db_notify(struct db *db, const char *channel);
int db_listen(struct db *db, const char *channel);
int db_wait(struct db *db, int timeout_ms);
/* Whether the connection was lost (its next db_release() closes it). */
bool db_is_broken(const struct db *db);

/* Runs SQL text without parameters, possibly several statements. */
int db_exec(struct db *db, const char *sql);

/*
 * Lists: a query asks for limit + 1 rows, and db_page_json() steps it
 * into {"data": [row(...), ...], "next_cursor": id | null}, the cursor
 * being the "id" of the page's last row when another row follows.
 */
typedef cJSON *(*db_row_json)(struct db_stmt *st, void *arg);
int db_page_json(struct db_stmt *st, int limit, db_row_json row, void *arg,
    cJSON **out);
/* Steps every row of st (possibly NULL) into array, then resets it. */
int db_rows_json(struct db_stmt *st, cJSON *array, db_row_json row, void *arg);
/* Adds column i to obj as key: a number, or null for SQL NULL. */
void db_add_col_i64(cJSON *obj, const char *key, struct db_stmt *st, int i);

/* Applies the migrations not yet applied; see migrate.c. */
int db_migrate(struct db_pool *pool, char *err, size_t errlen);

#endif
