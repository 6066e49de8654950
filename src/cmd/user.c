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

static const char user_usage[] =
    "usage: pitchbar user add --email EMAIL --role owner|admin|member\n"
    "                         --workspace ID|NAME [--name NAME]\n"
    "                         [--password PASSWORD]\n"
    "       pitchbar user set-password --email EMAIL [--password PASSWORD]\n"
    "add makes the user a member of the workspace (and the user itself,\n"
    "with the password given or a generated one, when there is none yet);\n"
    "it prints {\"user_id\", \"email\", \"role\", \"password\"}, the\n"
    "password null for an existing user.  set-password prints the new\n"
    "password and signs the user out everywhere.\n";

struct user_options {
	const char *email, *role, *workspace, *name, *password;
};

static int
parse(int argc, char **argv, struct user_options *o)
{
	static const struct option opts[] = {
	    {"email", required_argument, NULL, 'e'},
	    {"role", required_argument, NULL, 'r'},
	    {"workspace", required_argument, NULL, 'w'},
	    {"name", required_argument, NULL, 'n'},
	    {"password", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char **slot;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		slot = c == 'e' ? &o->email
		    : c == 'r'	? &o->role
		    : c == 'w'	? &o->workspace
		    : c == 'n'	? &o->name
		    : c == 'p'	? &o->password
				: NULL;
		if (slot == NULL) {
			fputs(user_usage, c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
		*slot = optarg;
	}
	return optind == argc && o->email ? -1 : 2;
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
	enum role role;
	int rc;

	if (o->role == NULL || role_parse(o->role, &role) != PB_OK ||
	    o->workspace == NULL) {
		fputs(user_usage, stderr);
		return 2;
	}
	if (workspace_find(db, o->workspace, operator.workspace_id) != PB_OK)
		return cmd_fail("user add: no workspace has that id or name");
	rc = member_add(db, &operator, o->email, o->name, o->password, role,
	    fast, &added, &why);
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

int
cmd_user(int argc, char **argv)
{
	struct user_options o;
	struct db_pool *pool;
	struct db *db;
	bool adding, fast;
	int rc;

	if (argc < 2 ||
	    (strcmp(argv[1], "add") != 0 &&
		strcmp(argv[1], "set-password") != 0)) {
		rc = argc > 1 && strcmp(argv[1], "--help") == 0;
		fputs(user_usage, rc ? stdout : stderr);
		return rc ? 0 : 2;
	}
	adding = strcmp(argv[1], "add") == 0;
	if ((rc = parse(argc - 1, argv + 1, &o)) >= 0) {
		if (rc == 2)
			fputs(user_usage, stderr);
		return rc;
	}
	if (!cmd_config() || !cmd_start(1, true, &pool))
		return 1;
	fast = config_get()->password_cost == CONFIG_COST_INTERACTIVE;
	db = db_acquire(pool);
	rc = adding ? add(db, &o, fast) : set_password(db, &o, fast);
	db_release(db);
	cmd_stop(pool);
	return rc;
}
