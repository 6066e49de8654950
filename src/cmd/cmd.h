/*
 * The commands of the pitchbar binary.  Each takes its own argv (argv[0]
 * is the command's name) and returns the process's exit code.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

#include <stdbool.h>

struct db_pool;
struct job_type;

int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_jobs(int argc, char **argv);

/* Loads the configuration; prints the bad variable and returns false. */
bool cmd_config(void);

/* What a command's start takes besides the database (cmd_start()). */
enum cmd_start_flags {
	CMD_VAULT = 1, /* the vault: the command touches secrets */
	CMD_CREATE = 2, /* a database not there yet is made */
};
/*
 * The start every command shares, once the configuration is loaded: the
 * database (migrated), libraries, the vault when flags ask for it
 * (commands that never touch a secret leave it, so they create no key
 * file).  Only commands with CMD_CREATE make a database: the others are
 * refused one that is missing or holds no schema, creating nothing.
 * pool_size 0 picks the configured size.  On failure prints one line and
 * returns false.
 */
bool cmd_start(int pool_size, unsigned flags, struct db_pool **pool);
/* Undoes cmd_start(). */
void cmd_stop(struct db_pool *pool);
/* Every job type the service runs, and how many in *n. */
const struct job_type *cmd_job_types(int *n);

/* Prints "pitchbar: <msg>" on standard error; returns 1. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Refuses a command line: prints "pitchbar: <msg>", then usage, on
 * standard error; returns 2, the exit code of a usage error.
 */
int cmd_bad_usage(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The command group alone, with --help, or with an unknown action: prints
 * what it expects (unless asked for help) and every action's usage (a
 * list ending with NULL); returns the exit code, 0 for --help, else 2.
 */
int cmd_group_usage(const char *group, const char *expects,
    const char *const *usages, int argc, char **argv);

struct option;
/*
 * getopt_long() on the options of command what (such as "user add"),
 * with one message of our own for what it cannot read: the next option
 * (optarg set), or -1 after the last; 'h' once it printed usage on
 * standard output for --help or -h (which opts maps to 'h'); '?' once it
 * refused an unknown option or a missing value as cmd_bad_usage() does.
 */
int cmd_getopt(int argc, char **argv, const struct option *opts,
    const char *what, const char *usage);

#endif
