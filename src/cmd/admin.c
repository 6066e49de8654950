/*
 * Administration without the web app: migrate, init, token create, and
 * the route table.
 */
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
static const char routes_usage[] =
    "usage: pitchbar routes\n"
    "Prints every HTTP route with its method and the permission it\n"
    "requires, as JSON.\n";
static const char token_usage[] =
    "usage: pitchbar token create --email EMAIL [--workspace ID|NAME]\n"
    "                             [--name LABEL]\n"
    "Prints a new API token for that member; only its digest is stored.\n";

/*
 * The command line of a command that takes no option but --help: 0 or 2
 * when the command is done (help, or a usage error), -1 to go on.
 */
static int
parse_bare(int argc, char **argv, const char *what, const char *usage)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c = cmd_getopt(argc, argv, opts, what, usage);

	if (c != -1)
		return c == 'h' ? 0 : 2;
	if (optind != argc)
		return cmd_bad_usage(usage, "%s: unexpected argument %s", what,
		    argv[optind]);
	return -1;
}

int
cmd_migrate(int argc, char **argv)
{
	struct db_pool *pool;
	int rc = parse_bare(argc, argv, "migrate", migrate_usage);

	if (rc >= 0)
		return rc;
	if (!cmd_config() || !cmd_start(1, CMD_CREATE, &pool))
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

	if (!cmd_config() || !cmd_start(1, CMD_VAULT | CMD_CREATE, &pool))
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

/* The options of init and token create, and where their values go. */
struct admin_options {
	const char *workspace, *email, *name, *password;
};

/* Where the value of the option of letter c goes. */
static const char **
option_slot(struct admin_options *o, int c)
{
	switch (c) {
	case 'w':
		return &o->workspace;
	case 'e':
		return &o->email;
	case 'n':
		return &o->name;
	default:
		return &o->password;
	}
}

/*
 * Reads the options of command what into o; needs, the letters of those
 * it cannot do without ('w', 'e').  0 or 2 when the command is done
 * (help, or a usage error), -1 to go on.
 */
static int
parse_admin(int argc, char **argv, const char *what, const char *usage,
    const struct option *opts, const char *needs, struct admin_options *o)
{
	int c;

	while ((c = cmd_getopt(argc, argv, opts, what, usage)) != -1) {
		if (c == 'h' || c == '?')
			return c == 'h' ? 0 : 2;
		*option_slot(o, c) = optarg;
	}
	if (optind != argc)
		return cmd_bad_usage(usage, "%s: unexpected argument %s", what,
		    argv[optind]);
	if (strchr(needs, 'w') && o->workspace == NULL)
		return cmd_bad_usage(usage, "%s: --workspace is required",
		    what);
	if (strchr(needs, 'e') && o->email == NULL)
		return cmd_bad_usage(usage, "%s: --email is required", what);
	return -1;
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
	struct admin_options o = {0};
	int rc = parse_admin(argc, argv, "init", init_usage, opts, "we", &o);

	if (rc >= 0)
		return rc;
	return run_init(o.workspace, o.email, o.name, o.password);
}

static int
run_token_create(const char *email, const char *workspace, const char *name)
{
	struct db_pool *pool;
	const char *why = "the database is unavailable";
	char *token = NULL;
	struct db *db;
	int rc;

	if (!cmd_config() || !cmd_start(1, CMD_VAULT, &pool))
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
	struct admin_options o = {0};
	bool help;
	int rc;

	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		help = argc > 1 &&
		    (strcmp(argv[1], "--help") == 0 ||
			strcmp(argv[1], "-h") == 0);
		if (help) {
			fputs(token_usage, stdout);
			return 0;
		}
		return cmd_bad_usage(token_usage, "token: expects create");
	}
	rc = parse_admin(argc - 1, argv + 1, "token create", token_usage, opts,
	    "e", &o);
	if (rc >= 0)
		return rc;
	return run_token_create(o.email, o.workspace, o.name);
}

int
cmd_routes(int argc, char **argv)
{
	static const char *const names[] = {"public", "view", "manage"};
	const struct http_route *routes;
	cJSON *out;
	size_t n;
	char *s;
	int rc = parse_bare(argc, argv, "routes", routes_usage);

	if (rc >= 0)
		return rc;
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
