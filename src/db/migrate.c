/*
 * Schema migrations, built into the binary from src/db/migrations.  A file
 * NNNN_name.sql holds SQL both engines accept; NNNN_name.sqlite.sql or
 * NNNN_name.postgres.sql, when present, replaces it for that engine.  Each
 * migration runs in its own write transaction and is checked again inside
 * it.  Several processes starting at once apply each migration exactly
 * once: on SQLite the write transaction excludes the others; on
 * PostgreSQL, whose DDL does not, an advisory lock does.
 */
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/num.h"
#include "core/rc.h"
#include "db/db.h"

static const char SQL_CREATE_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";
static const char SQL_IS_APPLIED[] =
    "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char SQL_LOCK_PG[] = "SELECT pg_advisory_lock(7428190)";
static const char SQL_UNLOCK_PG[] = "SELECT pg_advisory_unlock(7428190)";
static const char SQL_RECORD[] = "INSERT INTO schema_migrations"
				 " (version, name, applied_at)"
				 " VALUES ($1, $2, $3)";

/* The engine a file is meant for: NULL for both. */
static const char *
file_engine(const char *name)
{
	if (strstr(name, ".sqlite.sql"))
		return "sqlite";
	if (strstr(name, ".postgres.sql"))
		return "postgres";
	return NULL;
}

static int
file_version(const char *name, int64_t *version)
{
	const char *us = strchr(name, '_');

	if (us == NULL)
		return PB_ERR_INVALID;
	return num_parse_i64n(name, (int)(us - name), 1, 999999, version);
}

/* The file to apply for the migration of files[i], or NULL to skip it. */
static const struct embed_file *
pick_file(const struct embed_file *files, size_t i, const char *engine)
{
	const char *own = file_engine(files[i].name);
	int64_t v, w;

	if (own)
		return strcmp(own, engine) == 0 ? &files[i] : NULL;
	file_version(files[i].name, &v);
	for (size_t j = 0; files[j].name; j++) {
		const char *e = file_engine(files[j].name);

		if (e && strcmp(e, engine) == 0 &&
		    file_version(files[j].name, &w) == PB_OK && w == v)
			return NULL;
	}
	return &files[i];
}

static int
is_applied(struct db *db, int64_t version, bool *applied)
{
	struct db_stmt *st = db_query(db, SQL_IS_APPLIED, "i", version);
	int rc = db_first(st);

	*applied = rc == PB_OK;
	if (*applied)
		db_reset(st);
	return *applied || rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
}

static int
apply_one(struct db *db, const struct embed_file *f, int64_t version)
{
	bool applied;
	int rc;

	if ((rc = db_begin(db)) != PB_OK)
		return rc;
	if ((rc = is_applied(db, version, &applied)) != PB_OK || applied)
		goto out;
	if ((rc = db_exec(db, (const char *)f->data)) != PB_OK)
		goto out;
	rc = db_run(db, SQL_RECORD, "isi", version, f->name, clock_now_ms());
	if (rc == PB_OK)
		log_info(NULL, "db.migrated", "version=%lld name=%s",
		    (long long)version, f->name);
out:
	if (rc != PB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

int
db_migrate(struct db_pool *pool, char *err, size_t errlen)
{
	const struct embed_file *files = db_migration_files, *f;
	const char *engine = db_pool_engine(pool);
	struct db *db = db_acquire(pool);
	int64_t version;
	int rc = PB_OK;

	if (db == NULL) {
		snprintf(err, errlen, "database: cannot connect");
		return PB_ERR_DB;
	}
	rc = db_is_postgres(db) ? db_exec(db, SQL_LOCK_PG) : PB_OK;
	if (rc == PB_OK)
		rc = db_exec(db, SQL_CREATE_TABLE);
	for (size_t i = 0; rc == PB_OK && files[i].name; i++) {
		if ((f = pick_file(files, i, engine)) == NULL)
			continue;
		if (file_version(f->name, &version) != PB_OK) {
			rc = PB_ERR_INVALID;
			break;
		}
		rc = apply_one(db, f, version);
	}
	if (db_is_postgres(db))
		db_exec(db, SQL_UNLOCK_PG);
	if (rc != PB_OK)
		snprintf(err, errlen, "database: migration failed (%s)",
		    pb_rc_name(rc));
	db_release(db);
	return rc;
}
