/*
 * pitchbar jobs list | retry | discard: the job queue by hand, for an
 * operator mending what the workers could not (see jobs/admin.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/id.h"
#include "core/json.h"
#include "core/num.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/admin.h"

static const char list_usage[] =
    "usage: pitchbar jobs list [--state queued|running|failed] [--type TYPE]\n"
    "                          [--limit N]\n"
    "Prints the jobs, newest first, one JSON object a line (at most N,\n"
    "default 100, up to 1000).\n";
static const char retry_usage[] =
    "usage: pitchbar jobs retry JOB_ID\n"
    "Puts a failed job back in the queue to run now, its attempts reset,\n"
    "and prints it as it now is.\n";
static const char discard_usage[] =
    "usage: pitchbar jobs discard JOB_ID\n"
    "Deletes a queued or failed job and prints it as it was.  What the\n"
    "job was to attempt ends failed, with the error \"discarded\": a\n"
    "delivery, or a workflow step (the steps after it are skipped).\n";

struct jobs_action {
	const char *name;
	const char *usage;
};

static const struct jobs_action actions[] = {
    {"list", list_usage},
    {"retry", retry_usage},
    {"discard", discard_usage},
};

/* What the command line asked for. */
struct jobs_options {
	const struct jobs_action *action;
	const char *id; /* retry, discard */
	struct job_filter filter; /* list */
};

/* Sets the option c of list; false when its value is wrong. */
static bool
set_filter(struct job_filter *f, int c, const char *value, const char **why)
{
	int64_t n;

	switch (c) {
	case 's':
		*why = "--state expects queued, running or failed";
		f->state = value;
		return job_state_known(value);
	case 't':
		*why = "--type expects a job type";
		f->type = value;
		return value[0] != '\0';
	default:
		*why = "--limit expects a whole number from 1 to 1000";
		if (num_parse_i64(value, 1, JOB_LIST_MAX, &n) != PB_OK)
			return false;
		f->limit = (int)n;
		return true;
	}
}

/*
 * Reads the options after the action (argv[0]): 0 or 2 when the command
 * is done (help, or a usage error), -1 to go on.
 */
static int
parse(int argc, char **argv, struct jobs_options *o)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 's'},
	    {"type", required_argument, NULL, 't'},
	    {"limit", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *name = o->action->name, *usage = o->action->usage;
	bool list = strcmp(name, "list") == 0;
	const char *why = NULL;
	int c;

	while ((c = cmd_getopt(argc, argv, opts, "jobs", usage)) != -1) {
		if (c == 'h' || c == '?')
			return c == 'h' ? 0 : 2;
		if (!list)
			return cmd_bad_usage(usage, "jobs: %s takes no option",
			    name);
		if (!set_filter(&o->filter, c, optarg, &why))
			return cmd_bad_usage(usage, "jobs: %s", why);
	}
	if (list && optind != argc)
		return cmd_bad_usage(usage, "jobs: list takes no job id");
	if (!list && argc - optind != 1)
		return cmd_bad_usage(usage, "jobs: %s expects one job id",
		    name);
	o->id = list ? NULL : argv[optind];
	return -1;
}

/* jobs alone, jobs --help, or an unknown action: every action's usage. */
static int
group_usage(int argc, char **argv)
{
	static const char *const usages[] = {list_usage, retry_usage,
	    discard_usage, NULL};

	return cmd_group_usage("jobs", "list, retry or discard", usages, argc,
	    argv);
}

/* Prints a job as one line of JSON. */
static void
print_job(const cJSON *job)
{
	char *s = json_print(job);

	puts(s);
	free(s);
}

static int
list(struct db *db, const struct job_filter *filter)
{
	cJSON *jobs = cJSON_CreateArray(), *job;
	int rc = job_list(db, filter, jobs);

	if (rc == PB_OK) {
		cJSON_ArrayForEach(job, jobs)
		{
			print_job(job);
		}
	}
	cJSON_Delete(jobs);
	return rc == PB_OK ? 0 : cmd_fail("jobs list: %s", pb_rc_name(rc));
}

/* retry or discard the job o->id; says why when it may not. */
static int
change(struct db *db, const struct jobs_options *o)
{
	const char *action = o->action->name;
	bool retry = strcmp(action, "retry") == 0;
	const char *may = retry ? "failed" : "queued or failed";
	const struct job_type *types;
	cJSON *job = NULL;
	int ntypes, rc;

	if (!id_valid(o->id, "job_"))
		return cmd_fail("jobs %s: no job has that id", action);
	types = cmd_job_types(&ntypes);
	rc = retry ? job_retry(db, o->id, &job)
		   : job_discard(db, types, ntypes, o->id, &job);
	if (rc == PB_OK)
		print_job(job);
	else if (rc == PB_ERR_CONFLICT)
		cmd_fail("jobs %s: %s is %s; only a %s job can be %s", action,
		    o->id, json_str(job, "state"), may,
		    retry ? "retried" : "discarded");
	else if (rc == PB_ERR_NOT_FOUND)
		cmd_fail("jobs %s: no job has the id %s", action, o->id);
	else
		cmd_fail("jobs %s: %s", action, pb_rc_name(rc));
	cJSON_Delete(job);
	return rc == PB_OK ? 0 : 1;
}

int
cmd_jobs(int argc, char **argv)
{
	struct jobs_options o = {.filter = {.limit = JOB_LIST_DEFAULT}};
	struct db_pool *pool;
	struct db *db;
	int rc;

	for (size_t i = 0; argc > 1 && i < sizeof(actions) / sizeof(*actions);
	     i++)
		if (strcmp(argv[1], actions[i].name) == 0)
			o.action = &actions[i];
	if (o.action == NULL)
		return group_usage(argc, argv);
	if ((rc = parse(argc - 1, argv + 1, &o)) >= 0)
		return rc;
	if (!cmd_config() || !cmd_start(1, 0, &pool))
		return 1;
	db = db_acquire(pool);
	rc = o.id ? change(db, &o) : list(db, &o.filter);
	db_release(db);
	cmd_stop(pool);
	return rc;
}
