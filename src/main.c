/*
 * pitchbar: the integrations service of Pitchbar.  This file parses the
 * command line and dispatches to a command (src/cmd/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/config.h"
#include "core/version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
    {"serve", cmd_serve, "HTTP API, web app and background workers"},
    {"worker", cmd_worker, "background workers only"},
    {"migrate", cmd_migrate, "apply schema migrations"},
    {"init", cmd_init, "create a workspace, its agent and its Owner"},
    {"token", cmd_token, "token create: make an API token for a member"},
    {"user", cmd_user, "user add, user set-password: members and passwords"},
    {"routes", cmd_routes, "every HTTP route and its permission, as JSON"},
    {"jobs", cmd_jobs, "jobs list, retry, discard: the job queue by hand"},
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: pitchbar [--config FILE] COMMAND [--help]\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(out,
	    "\nconfiguration (environment, or --config FILE of "
	    "NAME=value lines):\n");
	config_print_help(out);
}

int
main(int argc, char **argv)
{
	char err[512];
	int i = 1;

	if (i + 1 < argc && strcmp(argv[i], "--config") == 0) {
		if (config_read_file(argv[i + 1], err, sizeof(err)) != 0)
			return cmd_fail("%s", err);
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "-h") == 0) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	if (strcmp(argv[i], "--version") == 0) {
		puts("pitchbar " PITCHBAR_VERSION);
		return 0;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].run(argc - i, argv + i);
	fprintf(stderr, "pitchbar: unknown command %s\n", argv[i]);
	usage(stderr);
	return 2;
}
