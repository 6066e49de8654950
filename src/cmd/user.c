/* pitchbar user add | set-password: members without the web app. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/account.h"
#include "accounts/member.h"
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

static const char add_usage[] =
    "usage: pitchbar user add --email EMAIL --role owner|admin|member\n"
    "                         --workspace ID|NAME [--name NAME]\n"
    "                         [--password PASSWORD]\n"
    "Makes the user a member of the workspace (and the user itself, with\n"
    "the password given or a generated one, when there is none yet);\n"
    "prints {\"user_id\", \"email\", \"role\", \"password\"}, the password\n"
    "null for an existing user.\n";
static const char set_password_usage[] =
    "usage: pitchbar user set-password --email EMAIL [--password PASSWORD]\n"
    "Sets the user's password (the one given, or a generated one), prints\n"
    "it and ends every session of the user (API tokens stay valid).\n";

struct user_options {
	const char *email, *role, *workspace, *name, *password;
	enum role role_read; /* role, once check() read it */
};

struct user_action {
	const char *name; /* after "user " */
	const char *usage;
	const char *takes; /* its options, by their letters in opts */
	const char *needs; /* the ones it cannot do without */
	int (*run)(struct db *db, const struct user_options *o, bool fast);
};

static const struct option opts[] = {
    {"email", required_argument, NULL, 'e'},
    {"role", required_argument, NULL, 'r'},
    {"workspace", required_argument, NULL, 'w'},
    {"name", required_argument, NULL, 'n'},
    {"password", required_argument, NULL, 'p'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Where the value of the option of letter c goes. */
static const char **
option_slot(struct user_options *o, int c)
{
	switch (c) {
	case 'e':
		return &o->email;
	case 'r':
		return &o->role;
	case 'w':
		return &o->workspace;
	case 'n':
		return &o->name;
	default:
		return &o->password;
	}
}

/* The long name of the option of letter c. */
static const char *
option_name(int c)
{
	const struct option *opt = opts;

	while (opt->val != c)
		opt++;
	return opt->name;
}

/* Whether the options act needs are there and right; says why not. */
static int
check(const struct user_action *act, const char *what, struct user_options *o)
{
	for (const char *c = act->needs; *c; c++)
		if (*option_slot(o, *c) == NULL)
			return cmd_bad_usage(act->usage, "%s: --%s is required",
			    what, option_name(*c));
	if (o->role && role_parse(o->role, &o->role_read) != PB_OK)
		return cmd_bad_usage(act->usage,
		    "%s: --role must be owner, admin or member", what);
	return -1;
}

/*
 * Reads the options after the action (argv[0]): 0 or 2 when the command
 * is done (help, or a usage error), -1 to go on.
 */
static int
parse(int argc, char **argv, const struct user_action *act,
    struct user_options *o)
{
	char what[32];
	int c;

	snprintf(what, sizeof(what), "user %s", act->name);
	memset(o, 0, sizeof(*o));
	while ((c = cmd_getopt(argc, argv, opts, what, act->usage)) != -1) {
		if (c == 'h' || c == '?')
			return c == 'h' ? 0 : 2;
		if (strchr(act->takes, c) == NULL)
			return cmd_bad_usage(act->usage, "%s takes no --%s",
			    what, option_name(c));
		*option_slot(o, c) = optarg;
	}
	if (optind != argc)
		return cmd_bad_usage(act->usage, "%s: unexpected argument %s",
		    what, argv[optind]);
	return check(act, what, o);
}

static void
print_added(const struct user_options *o, const char *user_id,
    const char *password)
{
	cJSON *out = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(out, "user_id", user_id);
	cJSON_AddStringToObject(out, "email", o->email);
	cJSON_AddStringToObject(out, "role", o->role);
	json_add_str(out, "password", password);
	s = json_print(out);
	puts(s);
	secret_wipe(s, strlen(s));
	free(s);
	cJSON_Delete(out);
}

static int
add(struct db *db, const struct user_options *o, bool fast)
{
	struct principal operator= {.role = ROLE_OWNER};
	struct member_added added;
	const char *why = "";
	int rc;

	if (workspace_find(db, o->workspace, operator.workspace_id) != PB_OK)
		return cmd_fail("user add: no workspace has that id or name");
	rc = member_add(db, &operator, o->email, o->name, o->password,
	    o->role_read, fast, &added, &why);
	if (rc != PB_OK)
		return cmd_fail("user add: %s", why);
	if (added.password == NULL && o->password)
		fprintf(stderr,
		    "pitchbar: the user existed: --password was not "
		    "used (pitchbar user set-password sets it)\n");
	print_added(o, added.user_id, added.password);
	secret_free(added.password);
	return 0;
}

static int
set_password(struct db *db, const struct user_options *o, bool fast)
{
	const char *why = "";
	char *password;

	if (account_set_password(db, o->email, o->password, fast, &password,
		&why) != PB_OK)
		return cmd_fail("user set-password: %s", why);
	puts(password);
	secret_free(password);
	return 0;
}

static const struct user_action actions[] = {
    {"add", add_usage, "erwnp", "erw", add},
    {"set-password", set_password_usage, "ep", "e", set_password},
};

/* user alone, user --help, or an unknown action: both usages. */
static int
group_usage(int argc, char **argv)
{
	static const char *const usages[] = {add_usage, set_password_usage,
	    NULL};

	return cmd_group_usage("user", "add or set-password", usages, argc,
	    argv);
}

int
cmd_user(int argc, char **argv)
{
	const struct user_action *act = NULL;
	struct user_options o;
	struct db_pool *pool;
	struct db *db;
	bool fast;
	int rc;

	for (size_t i = 0; argc > 1 && i < sizeof(actions) / sizeof(*actions);
	     i++)
		if (strcmp(argv[1], actions[i].name) == 0)
			act = &actions[i];
	if (act == NULL)
		return group_usage(argc, argv);
	if ((rc = parse(argc - 1, argv + 1, act, &o)) >= 0)
		return rc;
	if (!cmd_config() || !cmd_start(1, CMD_VAULT, &pool))
		return 1;
	fast = config_get()->password_cost == CONFIG_COST_INTERACTIVE;
	db = db_acquire(pool);
	rc = act->run(db, &o, fast);
	db_release(db);
	cmd_stop(pool);
	return rc;
}
