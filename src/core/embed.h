/*
 * Files built into the binary (migrations, the web app).  The build
 * generates the tables from the source tree with tools/embed.c; each
 * file's data is followed by a NUL that len does not count.
 */
#ifndef CORE_EMBED_H
#define CORE_EMBED_H

#include <stddef.h>

struct embed_file {
	const char *name; /* path below the embedded folder */
	const unsigned char *data;
	size_t len;
};

/* The migrations under src/db/migrations, sorted by name; NULL-ended. */
extern const struct embed_file db_migration_files[];
/* The web app under web/, sorted by name; NULL-ended. */
extern const struct embed_file web_files[];

#endif
