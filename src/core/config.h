/*
 * Service configuration, read once at start from PITCHBAR_* environment
 * variables (and optionally a file of NAME=value lines).  A bad value
 * stops the start with one line naming the variable.  After loading the
 * configuration is read-only and shared by every thread.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONFIG_RETRY_DELAYS 2

enum config_sync { CONFIG_SYNC_NORMAL, CONFIG_SYNC_FULL };
enum config_cost { CONFIG_COST_INTERACTIVE, CONFIG_COST_MODERATE };

struct config {
	char *database_url;
	char *listen;
	char *base_url;
	int64_t workers;
	char *secret_keys;
	char *secret_key_file;
	bool allow_private_targets;
	int64_t webhook_timeout_ms;
	char *retry_delays;
	double retry_delays_s[CONFIG_RETRY_DELAYS];
	int64_t sqlite_synchronous; /* enum config_sync */
	int64_t job_lease_ms;
	int64_t endpoint_concurrency;
	int64_t password_cost; /* enum config_cost */
	int64_t resync_interval;
	int64_t log_level; /* enum log_level */
	char *init_email;
	int64_t http_threads;
	int64_t shutdown_timeout_ms;
	int64_t db_pool_size;
	int64_t session_idle_s;
	char *notion_client_id, *notion_client_secret;
	char *google_client_id, *google_client_secret;
	char *slack_client_id, *slack_client_secret;
};

/* The loaded configuration. */
const struct config *config_get(void);
/*
 * Reads the environment into the configuration.  On a bad value returns
 * PB_ERR_INVALID with "NAME: what it expects" in err.
 */
int config_load(char *err, size_t errlen);
/*
 * Sets the NAME=value lines of path as environment variables that are not
 * already set, so that the environment wins over the file.
 */
int config_read_file(const char *path, char *err, size_t errlen);
/* Writes a help line for every variable to out. */
void config_print_help(FILE *out);

#endif
