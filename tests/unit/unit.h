/*
 * What the unit tests share: cmocka, and reading fixtures from the
 * repository (tests run from its top directory).
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

/* The whole file at path, NUL-terminated; fails the test if unreadable. */
char *unit_read_file(const char *path, size_t *len);
/* The JSON document at path; fails the test if unreadable or invalid. */
cJSON *unit_read_json(const char *path);
/* A fresh directory for the test's files, under tests/out. */
char *unit_temp_dir(const char *name);

struct db_pool;
/*
 * A pool on a fresh, migrated database: a SQLite file, or a new
 * PostgreSQL database when PITCHBAR_TEST_PG holds a server's admin URL
 * (tools/with-pg.sh sets it).
 */
struct db_pool *unit_open_pool(const char *name, int size);

#endif
