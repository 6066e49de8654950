/* Helpers shared by the unit tests (see unit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "db/db.h"
#include "unit.h"

char *
unit_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = xmalloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return data;
}

cJSON *
unit_read_json(const char *path)
{
	char *text = unit_read_file(path, NULL);
	cJSON *doc = cJSON_Parse(text);

	free(text);
	assert_non_null(doc);
	return doc;
}

char *
unit_temp_dir(const char *name)
{
	char *dir = xasprintf("tests/out/unit-%s-%d", name, (int)getpid());
	char *cmd = xasprintf("rm -rf '%s'", dir);

	mkdir("tests/out", 0700);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(mkdir(dir, 0700), 0);
	return dir;
}

/* Creates database name on the PostgreSQL server of admin_url. */
static char *
create_pg_database(const char *admin_url, const char *name)
{
	const char *slash = strrchr(admin_url, '/');
	char *sql = xasprintf("CREATE DATABASE %s", name), err[256];
	struct db_pool *admin;
	struct db *db;

	assert_non_null(slash);
	assert_int_equal(
	    db_pool_open(admin_url, 1, false, &admin, err, sizeof(err)), 0);
	db = db_acquire(admin);
	assert_int_equal(db_exec(db, sql), 0);
	db_release(db);
	db_pool_free(admin);
	free(sql);
	return xasprintf("%.*s/%s", (int)(slash - admin_url), admin_url, name);
}

struct db_pool *
unit_open_pool(const char *name, int size)
{
	const char *pg = getenv("PITCHBAR_TEST_PG");
	char *url, *dir = NULL, *dbname, err[256];
	struct db_pool *pool;

	if (pg && *pg) {
		dbname = xasprintf("u_%s_%d", name, (int)getpid());
		for (char *p = dbname; *p; p++)
			if (*p == '-')
				*p = '_';
		url = create_pg_database(pg, dbname);
		free(dbname);
	} else {
		dir = unit_temp_dir(name);
		url = xasprintf("sqlite:%s/test.db", dir);
	}
	if (db_pool_open(url, size, false, &pool, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(db_migrate(pool, err, sizeof(err)), 0);
	free(url);
	free(dir);
	return pool;
}
