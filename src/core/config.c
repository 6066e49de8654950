/* Configuration from PITCHBAR_* variables, table-driven (see config.h). */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/config.h"
#include "core/log.h"
#include "core/num.h"
#include "core/rc.h"

enum config_type { TYPE_STRING, TYPE_INT, TYPE_BOOL, TYPE_CHOICE };

struct config_var {
	const char *name;
	enum config_type type;
	const char *fallback;
	size_t offset;
	int64_t min, max;
	const char *const *choices; /* TYPE_CHOICE: index is the value */
	const char *help;
};

static const char *const sync_choices[] = {"normal", "full", NULL};
static const char *const cost_choices[] = {"interactive", "moderate", NULL};
static const char *const level_choices[] = {"error", "warn", "info", "debug",
    NULL};

#define OFF(f) offsetof(struct config, f)
#define DAY (86400LL * 1000)

static const struct config_var vars[] = {
    {"PITCHBAR_DATABASE_URL", TYPE_STRING, "sqlite:var/pitchbar.db",
	OFF(database_url), 0, 0, NULL, "sqlite:PATH or postgres://..."},
    {"PITCHBAR_LISTEN", TYPE_STRING, "127.0.0.1:8080", OFF(listen), 0, 0, NULL,
	"HOST:PORT to serve on"},
    {"PITCHBAR_BASE_URL", TYPE_STRING, "", OFF(base_url), 0, 0, NULL,
	"public address (default http://LISTEN)"},
    {"PITCHBAR_WORKERS", TYPE_INT, "4", OFF(workers), 0, 64, NULL,
	"background worker threads in serve"},
    {"PITCHBAR_SECRET_KEYS", TYPE_STRING, "", OFF(secret_keys), 0, 0, NULL,
	"kid:base64key,... (the first one encrypts)"},
    {"PITCHBAR_SECRET_KEY_FILE", TYPE_STRING, "var/pitchbar.key",
	OFF(secret_key_file), 0, 0, NULL, "key file, made on first start"},
    {"PITCHBAR_ALLOW_PRIVATE_TARGETS", TYPE_BOOL, "0",
	OFF(allow_private_targets), 0, 1, NULL,
	"1 lets webhooks reach private addresses"},
    {"PITCHBAR_WEBHOOK_TIMEOUT_MS", TYPE_INT, "10000", OFF(webhook_timeout_ms),
	100, 120000, NULL, "per attempt"},
    {"PITCHBAR_RETRY_DELAYS", TYPE_STRING, "10,60", OFF(retry_delays), 0, 0,
	NULL, "seconds before a workflow step's 2nd and 3rd attempt"},
    {"PITCHBAR_SQLITE_SYNCHRONOUS", TYPE_CHOICE, "normal",
	OFF(sqlite_synchronous), 0, 0, sync_choices, "normal or full"},
    {"PITCHBAR_JOB_LEASE_MS", TYPE_INT, "30000", OFF(job_lease_ms), 1000, DAY,
	NULL, "how long a claimed job is held"},
    {"PITCHBAR_ENDPOINT_CONCURRENCY", TYPE_INT, "4", OFF(endpoint_concurrency),
	1, 1000, NULL, "a process's workers one endpoint may hold"},
    {"PITCHBAR_PASSWORD_COST", TYPE_CHOICE, "moderate", OFF(password_cost), 0,
	0, cost_choices, "interactive or moderate"},
    /*
     * XXX: RESYNC_INTERVAL is checked but nothing reads it yet: knowledge
     * sources will.  Until then it changes nothing.
     */
    {"PITCHBAR_RESYNC_INTERVAL", TYPE_INT, "3600", OFF(resync_interval), 0,
	DAY / 1000 * 30, NULL,
	"seconds between knowledge re-syncs, 0 for none (coming)"},
    {"PITCHBAR_LOG_LEVEL", TYPE_CHOICE, "info", OFF(log_level), 0, 0,
	level_choices, "error, warn, info or debug"},
    {"PITCHBAR_INIT_EMAIL", TYPE_STRING, "owner@example.com", OFF(init_email),
	0, 0, NULL, "the first Owner's e-mail"},
    {"PITCHBAR_HTTP_THREADS", TYPE_INT, "16", OFF(http_threads), 1, 256, NULL,
	"threads serving HTTP"},
    {"PITCHBAR_SHUTDOWN_TIMEOUT_MS", TYPE_INT, "10000",
	OFF(shutdown_timeout_ms), 0, 600000, NULL,
	"how long SIGTERM waits for work in flight"},
    {"PITCHBAR_DB_POOL_SIZE", TYPE_INT, "16", OFF(db_pool_size), 1, 1024, NULL,
	"database connections per process"},
    {"PITCHBAR_SESSION_IDLE_S", TYPE_INT, "86400", OFF(session_idle_s), 1,
	30 * 86400, NULL, "seconds a sign-in session lasts unused"},
    {"PITCHBAR_NOTION_CLIENT_ID", TYPE_STRING, "", OFF(notion_client_id), 0, 0,
	NULL, "Notion OAuth client id"},
    {"PITCHBAR_NOTION_CLIENT_SECRET", TYPE_STRING, "",
	OFF(notion_client_secret), 0, 0, NULL, "Notion OAuth client secret"},
    {"PITCHBAR_GOOGLE_CLIENT_ID", TYPE_STRING, "", OFF(google_client_id), 0, 0,
	NULL, "Google OAuth client id"},
    {"PITCHBAR_GOOGLE_CLIENT_SECRET", TYPE_STRING, "",
	OFF(google_client_secret), 0, 0, NULL, "Google OAuth client secret"},
    {"PITCHBAR_SLACK_CLIENT_ID", TYPE_STRING, "", OFF(slack_client_id), 0, 0,
	NULL, "Slack OAuth client id"},
    {"PITCHBAR_SLACK_CLIENT_SECRET", TYPE_STRING, "", OFF(slack_client_secret),
	0, 0, NULL, "Slack OAuth client secret"},
};

static struct config the_config;

const struct config *
config_get(void)
{
	return &the_config;
}

static int
parse_choice(const struct config_var *v, const char *s, int64_t *out)
{
	for (int64_t i = 0; v->choices[i]; i++) {
		if (strcmp(s, v->choices[i]) == 0) {
			*out = i;
			return PB_OK;
		}
	}
	return PB_ERR_INVALID;
}

static int
set_var(const struct config_var *v, const char *s, char *err, size_t errlen)
{
	char *field = (char *)&the_config + v->offset;
	int64_t n;
	int rc = PB_OK;

	switch (v->type) {
	case TYPE_STRING:
		free(*(char **)field);
		*(char **)field = xstrdup(s);
		return PB_OK;
	case TYPE_BOOL:
		if (strcmp(s, "0") && strcmp(s, "1"))
			rc = PB_ERR_INVALID;
		else
			*(bool *)field = s[0] == '1';
		break;
	case TYPE_INT:
		rc = num_parse_i64(s, v->min, v->max, &n);
		if (rc == PB_OK)
			*(int64_t *)field = n;
		break;
	case TYPE_CHOICE:
		rc = parse_choice(v, s, &n);
		if (rc == PB_OK)
			*(int64_t *)field = n;
		break;
	}
	if (rc != PB_OK && v->type == TYPE_INT)
		snprintf(err, errlen,
		    "%s: expects a whole number from %lld to "
		    "%lld",
		    v->name, (long long)v->min, (long long)v->max);
	else if (rc != PB_OK)
		snprintf(err, errlen, "%s: expects %s", v->name,
		    v->type == TYPE_BOOL ? "0 or 1" : v->help);
	return rc;
}

/* "10,60": the seconds before the 2nd and 3rd attempt, fractions allowed. */
static int
parse_delays(const char *s, double out[CONFIG_RETRY_DELAYS])
{
	char buf[64], *comma;

	if (strlen(s) >= sizeof(buf))
		return PB_ERR_INVALID;
	memcpy(buf, s, strlen(s) + 1);
	if ((comma = strchr(buf, ',')) == NULL)
		return PB_ERR_INVALID;
	*comma = '\0';
	if (num_parse_double(buf, 0, 86400, &out[0]) != PB_OK ||
	    num_parse_double(comma + 1, 0, 86400, &out[1]) != PB_OK)
		return PB_ERR_INVALID;
	return PB_OK;
}

static int
check_derived(char *err, size_t errlen)
{
	struct config *c = &the_config;

	if (parse_delays(c->retry_delays, c->retry_delays_s) != PB_OK) {
		snprintf(err, errlen,
		    "PITCHBAR_RETRY_DELAYS: expects two "
		    "numbers of seconds, such as 10,60");
		return PB_ERR_INVALID;
	}
	if (strchr(c->listen, ':') == NULL) {
		snprintf(err, errlen, "PITCHBAR_LISTEN: expects HOST:PORT");
		return PB_ERR_INVALID;
	}
	if (c->base_url[0] == '\0') {
		free(c->base_url);
		c->base_url = xasprintf("http://%s", c->listen);
	}
	if (strncmp(c->base_url, "http://", 7) &&
	    strncmp(c->base_url, "https://", 8)) {
		snprintf(err, errlen,
		    "PITCHBAR_BASE_URL: expects an http(s) "
		    "URL");
		return PB_ERR_INVALID;
	}
	log_set_level((int)c->log_level);
	return PB_OK;
}

static const struct config_var *
find_var(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strlen(vars[i].name) == n &&
		    strncmp(vars[i].name, name, n) == 0)
			return &vars[i];
	return NULL;
}

/* A PITCHBAR_ variable that is no setting is most likely a typo. */
static void
warn_unknown(void)
{
	extern char **environ;
	char name[64];

	for (char **e = environ; *e; e++) {
		size_t n = strcspn(*e, "=");

		if (strncmp(*e, "PITCHBAR_", 9) != 0 || find_var(*e, n) ||
		    strncmp(*e, "PITCHBAR_TEST_", 14) == 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)n, *e);
		log_warn(NULL, "config.unknown_variable", "name=%s", name);
	}
}

int
config_load(char *err, size_t errlen)
{
	int rc;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *s = getenv(vars[i].name);

		if (s == NULL)
			s = vars[i].fallback;
		if ((rc = set_var(&vars[i], s, err, errlen)) != PB_OK)
			return rc;
	}
	if ((rc = check_derived(err, errlen)) == PB_OK)
		warn_unknown();
	return rc;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int
config_read_file(const char *path, char *err, size_t errlen)
{
	char line[4096];
	int lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "--config %s: cannot open", path);
		return PB_ERR_IO;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *name = NULL;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			name = trim(s);
		}
		if (name == NULL || find_var(name, strlen(name)) == NULL) {
			snprintf(err, errlen,
			    "--config %s:%d: expects a setting "
			    "as PITCHBAR_NAME=value (see --help)",
			    path, lineno);
			fclose(f);
			return PB_ERR_INVALID;
		}
		setenv(name, trim(eq + 1), 0);
	}
	fclose(f);
	return PB_OK;
}

void
config_print_help(FILE *out)
{
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		fprintf(out, "  %-32s %s", vars[i].name, vars[i].help);
		if (*vars[i].fallback)
			fprintf(out, " (default \"%s\")", vars[i].fallback);
		fputc('\n', out);
	}
}
