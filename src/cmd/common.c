/* The start and stop every command shares (see cmd.h). */
#include <stdarg.h>
#include <stdio.h>

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

static int
open_database(int pool_size, struct db_pool **pool, char *err, size_t errlen)
{
	const struct config *cfg = config_get();
	int rc;

	rc = db_pool_open(cfg->database_url,
	    pool_size > cfg->db_pool_size ? pool_size : (int)cfg->db_pool_size,
	    cfg->sqlite_synchronous == CONFIG_SYNC_FULL, pool, err, errlen);
	if (rc != PB_OK)
		return rc;
	if ((rc = db_migrate(*pool, err, errlen)) != PB_OK) {
		db_pool_free(*pool);
		*pool = NULL;
	}
	return rc;
}

bool
cmd_start(int pool_size, bool vault, struct db_pool **pool)
{
	char err[512];
	int rc;

	*pool = NULL;
	if ((rc = start_libraries(vault, err, sizeof(err))) == PB_OK)
		rc = open_database(pool_size, pool, err, sizeof(err));
	if (rc != PB_OK) {
		cmd_fail("%s", err);
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
