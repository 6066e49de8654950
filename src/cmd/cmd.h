/*
 * The commands of the pitchbar binary.  Each takes its own argv (argv[0]
 * is the command's name) and returns the process's exit code.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

#include <stdbool.h>

struct db_pool;

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
/*
 * The start every command shares, once the configuration is loaded:
 * libraries, the vault when asked for (commands that never touch a secret
 * leave it, so they create no key file), the database (migrated).
 * pool_size 0 picks the configured size.  On failure prints one line and
 * returns false.
 */
bool cmd_start(int pool_size, bool vault, struct db_pool **pool);
/* Undoes cmd_start(). */
void cmd_stop(struct db_pool *pool);
/* Prints "pitchbar: <msg>" on standard error; returns 1. */
int cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
