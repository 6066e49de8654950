/*
 * The PostgreSQL engine (libpq).  Statements are prepared once per
 * connection with the server inferring parameter types, parameters and
 * results travel as text, and a connection whose server went away is
 * marked broken so that the pool replaces it instead of handing it out
 * again.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/num.h"
#include "core/rc.h"
#include "db/engine.h"

struct pg_pool {
	char *conninfo;
};

struct pg_conn {
	PGconn *conn;
	unsigned next_name;
	int64_t changes;
};

struct pg_stmt {
	char name[16];
	int nparams;
	char **values; /* the bound parameters as text; NULL is SQL NULL */
	PGresult *res;
	int row, nrows;
	bool executed;
};

static PGconn *
conn_of(const struct db *db)
{
	return ((struct pg_conn *)db->impl)->conn;
}

static int
pg_pool_init(struct db_pool *pool, const char *target, char *err, size_t errlen)
{
	struct pg_pool *pp = xcalloc(1, sizeof(*pp));

	(void)err;
	(void)errlen;
	pp->conninfo = xstrdup(target);
	pool->impl = pp;
	return PB_OK;
}

static void
pg_pool_release(struct db_pool *pool)
{
	struct pg_pool *pp = pool->impl;

	free(pp->conninfo);
	free(pp);
	pool->impl = NULL;
}

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The first line of libpq's message, which never holds the password. */
static void
first_line(const char *msg, char *out, size_t size)
{
	snprintf(out, size, "%.*s", (int)strcspn(msg, "\n"), msg);
}

static int
pg_connect(struct db *db, char *err, size_t errlen)
{
	struct pg_pool *pp = db->pool->impl;
	PGconn *conn = PQconnectdb(pp->conninfo);
	char line[256];

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		first_line(conn ? PQerrorMessage(conn) : "out of memory", line,
		    sizeof(line));
		snprintf(err, errlen,
		    "PITCHBAR_DATABASE_URL: cannot connect "
		    "to PostgreSQL: %s",
		    line);
		PQfinish(conn);
		return PB_ERR_DB;
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	db->impl = xcalloc(1, sizeof(struct pg_conn));
	((struct pg_conn *)db->impl)->conn = conn;
	return PB_OK;
}

static void
pg_disconnect(struct db *db)
{
	struct pg_conn *pc = db->impl;

	if (pc == NULL)
		return;
	PQfinish(pc->conn);
	free(pc);
	db->impl = NULL;
}

/*
 * Maps a failed result to a result code, logging it; a lost connection
 * marks the connection broken.
 */
static int
fail(struct db *db, const char *op, const PGresult *res)
{
	const char *state =
	    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	char line[256], esc[300];

	if (PQstatus(conn_of(db)) != CONNECTION_OK)
		db->broken = true;
	if (state && strncmp(state, "23", 2) == 0)
		return PB_ERR_CONFLICT; /* integrity: unique, foreign key */
	first_line(PQerrorMessage(conn_of(db)), line, sizeof(line));
	log_error(NULL, "db.error", "engine=postgres op=%s state=%s msg=%s", op,
	    state ? state : "-", log_esc(esc, sizeof(esc), line));
	if (state &&
	    (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return PB_ERR_BUSY; /* serialization failure, deadlock */
	return PB_ERR_DB;
}

static int
pg_prepare(struct db_stmt *st)
{
	struct pg_conn *pc = st->db->impl;
	struct pg_stmt *ps = xcalloc(1, sizeof(*ps));
	PGresult *res;
	int rc = PB_OK;

	snprintf(ps->name, sizeof(ps->name), "s%u", pc->next_name++);
	res = PQprepare(pc->conn, ps->name, st->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(st->db, "prepare", res);
	PQclear(res);
	if (rc == PB_OK) {
		res = PQdescribePrepared(pc->conn, ps->name);
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			ps->nparams = PQnparams(res);
		else
			rc = fail(st->db, "describe", res);
		PQclear(res);
	}
	if (rc != PB_OK) {
		free(ps);
		return rc;
	}
	ps->values = xcalloc((size_t)ps->nparams + 1, sizeof(char *));
	st->impl = ps;
	return PB_OK;
}

static void
clear_values(struct pg_stmt *ps)
{
	for (int i = 0; i < ps->nparams; i++)
		FREE_AND_NULL(ps->values[i]);
}

static void
pg_reset(struct db_stmt *st)
{
	struct pg_stmt *ps = st->impl;

	PQclear(ps->res);
	ps->res = NULL;
	ps->executed = false;
	ps->row = ps->nrows = 0;
	clear_values(ps);
}

static void
pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *ps = st->impl;

	/* The server forgets the statement with the connection. */
	pg_reset(st);
	free(ps->values);
	free(ps);
}

static int
pg_param_count(struct db_stmt *st)
{
	return ((struct pg_stmt *)st->impl)->nparams;
}

static void
set_value(struct db_stmt *st, int i, char *value)
{
	struct pg_stmt *ps = st->impl;

	if (i < 1 || i > ps->nparams) {
		free(value);
		return;
	}
	free(ps->values[i - 1]);
	ps->values[i - 1] = value;
}

static void
pg_bind_text(struct db_stmt *st, int i, const char *s, size_t n)
{
	set_value(st, i, xstrndup(s, n));
}

static void
pg_bind_i64(struct db_stmt *st, int i, int64_t v)
{
	set_value(st, i, xasprintf("%lld", (long long)v));
}

static void
pg_bind_null(struct db_stmt *st, int i)
{
	set_value(st, i, NULL);
}

static int64_t
count_changes(PGresult *res)
{
	int64_t n = 0;

	num_parse_i64(PQcmdTuples(res), 0, INT64_MAX, &n);
	return n;
}

static int
execute(struct db_stmt *st)
{
	struct pg_conn *pc = st->db->impl;
	struct pg_stmt *ps = st->impl;
	ExecStatusType status;

	ps->executed = true;
	ps->row = -1;
	ps->res = PQexecPrepared(pc->conn, ps->name, ps->nparams,
	    (const char *const *)ps->values, NULL, NULL, 0);
	status = PQresultStatus(ps->res);
	pc->changes = 0;
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		return fail(st->db, "step", ps->res);
	pc->changes = count_changes(ps->res);
	ps->nrows = status == PGRES_TUPLES_OK ? PQntuples(ps->res) : 0;
	return PB_OK;
}

static int
pg_step(struct db_stmt *st)
{
	struct pg_stmt *ps = st->impl;
	int rc;

	if (!ps->executed && (rc = execute(st)) != PB_OK)
		return rc;
	if (++ps->row < ps->nrows)
		return DB_ROW;
	return DB_DONE;
}

static const char *
pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = st->impl;

	if (PQgetisnull(ps->res, ps->row, i))
		return NULL;
	return PQgetvalue(ps->res, ps->row, i);
}

static int64_t
pg_col_i64(struct db_stmt *st, int i)
{
	const char *s = pg_col_text(st, i);
	int64_t v = 0;

	if (s)
		num_parse_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

static bool
pg_col_null(struct db_stmt *st, int i)
{
	struct pg_stmt *ps = st->impl;

	return PQgetisnull(ps->res, ps->row, i);
}

static int64_t
pg_changes(struct db *db)
{
	return ((struct pg_conn *)db->impl)->changes;
}

static int
pg_exec(struct db *db, const char *sql)
{
	PGresult *res = PQexec(conn_of(db), sql);
	ExecStatusType status = PQresultStatus(res);
	int rc = PB_OK;

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		rc = fail(db, "exec", res);
	PQclear(res);
	return rc;
}

static int
pg_begin(struct db *db)
{
	return pg_exec(db, "BEGIN");
}

/* A transaction that failed answers COMMIT with ROLLBACK: a failure. */
static int
pg_commit(struct db *db)
{
	PGresult *res = PQexec(conn_of(db), "COMMIT");
	int rc = PB_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(db, "commit", res);
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		rc = PB_ERR_DB;
	PQclear(res);
	return rc;
}

static void
pg_rollback(struct db *db)
{
	pg_exec(db, "ROLLBACK");
}

/*
 * An idle connection has nothing to read.  When it has, the server sent
 * its farewell (a restart, an administrator's kill) or closed it: either
 * way the connection is not to be trusted with the next request.  No round
 * trip is needed to find out.
 */
static bool
pg_healthy(struct db *db)
{
	PGconn *conn = conn_of(db);
	struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

	if (PQstatus(conn) != CONNECTION_OK || pfd.fd < 0)
		return false;
	return poll(&pfd, 1, 0) == 0;
}

static int
channel_command(struct db *db, const char *verb, const char *channel)
{
	char *escaped =
	    PQescapeIdentifier(conn_of(db), channel, strlen(channel));
	char *sql;
	int rc;

	if (escaped == NULL)
		return fail(db, verb, NULL);
	sql = xasprintf("%s %s", verb, escaped);
	PQfreemem(escaped);
	rc = pg_exec(db, sql);
	free(sql);
	return rc;
}

static int
pg_notify(struct db *db, const char *channel)
{
	return channel_command(db, "NOTIFY", channel);
}

static int
pg_listen(struct db *db, const char *channel)
{
	return channel_command(db, "LISTEN", channel);
}

/* Takes every notification that arrived; true if there was one. */
static bool
drain_notifications(PGconn *conn)
{
	PGnotify *n;
	bool any = false;

	while ((n = PQnotifies(conn)) != NULL) {
		any = true;
		PQfreemem(n);
	}
	return any;
}

static int
pg_wait(struct db *db, int timeout_ms)
{
	PGconn *conn = conn_of(db);
	struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};

	if (drain_notifications(conn))
		return PB_OK;
	if (pfd.fd < 0 || poll(&pfd, 1, timeout_ms) < 0)
		return fail(db, "wait", NULL);
	if (PQconsumeInput(conn) != 1)
		return fail(db, "wait", NULL);
	return drain_notifications(conn) ? PB_OK : PB_ERR_NOT_FOUND;
}

const struct db_ops db_postgres_ops = {
    .name = "postgres",
    .concurrent_writes = true,
    .pool_init = pg_pool_init,
    .pool_release = pg_pool_release,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .param_count = pg_param_count,
    .bind_text = pg_bind_text,
    .bind_i64 = pg_bind_i64,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_i64 = pg_col_i64,
    .col_null = pg_col_null,
    .reset = pg_reset,
    .changes = pg_changes,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .healthy = pg_healthy,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait = pg_wait,
};
