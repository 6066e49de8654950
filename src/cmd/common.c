/*
 * What every command shares (see cmd.h): its start and stop, and how it
 * reads its command line.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/config.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "net/net.h"

int
cmd_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pitchbar: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int
cmd_bad_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("pitchbar: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

int
cmd_group_usage(const char *group, const char *expects,
    const char *const *usages, int argc, char **argv)
{
	bool help = argc > 1 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
	FILE *out = help ? stdout : stderr;

	if (argc < 2)
		fprintf(out, "pitchbar: %s: expects %s\n", group, expects);
	else if (!help)
		fprintf(out, "pitchbar: %s: %s is no action\n", group, argv[1]);
	for (; *usages; usages++)
		fputs(*usages, out);
	return help ? 0 : 2;
}

int
cmd_getopt(int argc, char **argv, const struct option *opts, const char *what,
    const char *usage)
{
	int c;

	/* Our own messages: getopt's would name the command as the program. */
	opterr = 0;
	c = getopt_long(argc, argv, ":h", opts, NULL);
	if (c == 'h') {
		fputs(usage, stdout);
		return 'h';
	}
	if (c == '?' || c == ':') {
		cmd_bad_usage(usage, "%s: %s %s", what, argv[optind - 1],
		    c == ':' ? "expects a value" : "is no option");
		return '?';
	}
	return c;
}

bool
cmd_config(void)
{
	char err[512];

	if (config_load(err, sizeof(err)) != PB_OK) {
		cmd_fail("%s", err);
		return false;
	}
	return true;
}

static int
start_libraries(bool vault, char *err, size_t errlen)
{
	const struct config *cfg = config_get();

	if (secret_init() != PB_OK || net_global_init() != PB_OK) {
		snprintf(err, errlen, "cannot initialise libsodium or libcurl");
		return PB_ERR_INTERNAL;
	}
	if (!vault)
		return PB_OK;
	return vault_init(cfg->secret_keys, cfg->secret_key_file, err, errlen);
}

/*
 * Opens and migrates the database; unless create, only one that exists
 * and holds the schema already.
 */
static int
open_database(int pool_size, bool create, struct db_pool **pool, char *err,
    size_t errlen)
{
	const struct config *cfg = config_get();
	int size =
	    pool_size > cfg->db_pool_size ? pool_size : (int)cfg->db_pool_size;
	bool full = cfg->sqlite_synchronous == CONFIG_SYNC_FULL;
	size_t n;
	int rc;

	rc = create
	    ? db_pool_open(cfg->database_url, size, full, pool, err, errlen)
	    : db_pool_open_existing(cfg->database_url, size, full, pool, err,
		  errlen);
	if (rc == PB_ERR_NOT_FOUND && (n = strlen(err)) < errlen)
		snprintf(err + n, errlen - n,
		    "; run pitchbar migrate or pitchbar serve first");
	if (rc != PB_OK)
		return rc;
	if ((rc = db_migrate(*pool, err, errlen)) != PB_OK) {
		db_pool_free(*pool);
		*pool = NULL;
	}
	return rc;
}

bool
cmd_start(int pool_size, unsigned flags, struct db_pool **pool)
{
	char err[512];
	int rc;

	/* The database first: a command refused for want of one leaves no
	 * key file behind. */
	*pool = NULL;
	rc = open_database(pool_size, flags & CMD_CREATE, pool, err,
	    sizeof(err));
	if (rc == PB_OK)
		rc = start_libraries(flags & CMD_VAULT, err, sizeof(err));
	if (rc != PB_OK) {
		cmd_fail("%s", err);
		db_pool_free(*pool);
		*pool = NULL;
		vault_release();
		return false;
	}
	return true;
}

void
cmd_stop(struct db_pool *pool)
{
	db_pool_free(pool);
	vault_release();
	net_global_cleanup();
}
