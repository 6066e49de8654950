/* Administration without the web app: migrate, init, token create. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/account.h"
#include "api/api.h"
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

static const char migrate_usage[] =
    "usage: pitchbar migrate\n"
    "Applies the schema migrations not yet applied, then exits.\n";
static const char init_usage[] =
    "usage: pitchbar init --workspace NAME --email EMAIL [--name NAME]\n"
    "                     [--password PASSWORD]\n"
    "Creates a workspace, its agent and its Owner, and prints one JSON\n"
    "object: workspace_id, agent_id, widget_key, email, password (null\n"
    "when the user existed already).\n";
static const char token_usage[] =
    "usage: pitchbar token create --email EMAIL [--workspace ID|NAME]\n"
    "                             [--name LABEL]\n"
    "Prints a new API token for that member; only its digest is stored.\n";

/* Whether argv asks for help; prints usage if so. */
static bool
wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return true;
		}
	}
	return false;
}

int
cmd_migrate(int argc, char **argv)
{
	struct db_pool *pool;

	if (wants_help(argc, argv, migrate_usage))
		return 0;
	if (argc > 1) {
		fputs(migrate_usage, stderr);
		return 2;
	}
	if (!cmd_config() || !cmd_start(1, false, &pool))
		return 1;
	cmd_stop(pool);
	return 0;
}

static void
print_init(const struct account_init *init)
{
	cJSON *out = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(out, "workspace_id", init->workspace_id);
	cJSON_AddStringToObject(out, "agent_id", init->agent_id);
	cJSON_AddStringToObject(out, "widget_key", init->widget_key);
	cJSON_AddStringToObject(out, "email", init->email);
	json_add_str(out, "password", init->password);
	s = json_print(out);
	puts(s);
	secret_wipe(s, strlen(s));
	free(s);
	cJSON_Delete(out);
}

static int
run_init(const char *workspace, const char *email, const char *name,
    const char *password)
{
	struct account_init init;
	struct db_pool *pool;
	const char *why = NULL;
	struct db *db;
	bool fast;
	int rc;

	if (!cmd_config() || !cmd_start(1, true, &pool))
		return 1;
	fast = config_get()->password_cost == CONFIG_COST_INTERACTIVE;
	db = db_acquire(pool);
	rc = account_init(db, workspace, email, name, password, fast, &init,
	    &why);
	db_release(db);
	if (rc == PB_OK)
		print_init(&init);
	if (rc == PB_OK && password && init.password == NULL)
		fprintf(stderr,
		    "pitchbar: init: %s has an account already; their password "
		    "stays (--password ignored; see pitchbar user "
		    "set-password)\n",
		    init.email);
	account_init_release(&init);
	cmd_stop(pool);
	return rc == PB_OK ? 0 : cmd_fail("init: %s", why);
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"workspace", required_argument, NULL, 'w'},
	    {"email", required_argument, NULL, 'e'},
	    {"name", required_argument, NULL, 'n'},
	    {"password", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *workspace = NULL, *email = NULL, *name = NULL, *pw = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			workspace = optarg;
			break;
		case 'e':
			email = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'p':
			pw = optarg;
			break;
		case 'h':
			fputs(init_usage, stdout);
			return 0;
		default:
			fputs(init_usage, stderr);
			return 2;
		}
	}
	if (workspace == NULL || email == NULL || optind != argc) {
		fputs(init_usage, stderr);
		return 2;
	}
	return run_init(workspace, email, name, pw);
}

static int
run_token_create(const char *email, const char *workspace, const char *name)
{
	struct db_pool *pool;
	const char *why = "the database is unavailable";
	char *token = NULL;
	struct db *db;
	int rc;

	if (!cmd_config() || !cmd_start(1, true, &pool))
		return 1;
	db = db_acquire(pool);
	rc = token_create(db, email, workspace, name, &token, &why);
	db_release(db);
	cmd_stop(pool);
	if (rc != PB_OK)
		return cmd_fail("token create: %s", why);
	puts(token);
	secret_free(token);
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'},
	    {"workspace", required_argument, NULL, 'w'},
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *email = NULL, *workspace = NULL, *name = NULL;
	int c;

	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		if (wants_help(argc, argv, token_usage))
			return 0;
		fputs(token_usage, stderr);
		return 2;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			email = optarg;
			break;
		case 'w':
			workspace = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			fputs(token_usage, stdout);
			return 0;
		default:
			fputs(token_usage, stderr);
			return 2;
		}
	}
	if (email == NULL || optind != argc) {
		fputs(token_usage, stderr);
		return 2;
	}
	return run_token_create(email, workspace, name);
}

int
cmd_routes(int argc, char **argv)
{
	static const char *const names[] = {"public", "view", "manage"};
	const struct http_route *routes;
	cJSON *out;
	size_t n;
	char *s;

	if (wants_help(argc, argv,
		"usage: pitchbar routes\nPrints every HTTP "
		"route with its method and the permission "
		"it requires, as JSON.\n"))
		return 0;
	routes = api_routes(&n);
	out = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "method", routes[i].method);
		cJSON_AddStringToObject(r, "pattern", routes[i].pattern);
		cJSON_AddStringToObject(r, "permission",
		    names[routes[i].permission]);
		cJSON_AddItemToArray(out, r);
	}
	s = json_print(out);
	puts(s);
	free(s);
	cJSON_Delete(out);
	return 0;
}
