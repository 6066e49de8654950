/*
 * pitchbar jobs list | retry | discard: the job queue by hand, for an
 * operator mending what the workers could not (see jobs/admin.h).
 */
#include <getopt.h>
#include <stdarg.h>
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

static const char jobs_usage[] =
    "usage: pitchbar jobs list [--state queued|running|failed] [--type TYPE]\n"
    "                          [--limit N]\n"
    "       pitchbar jobs retry JOB_ID\n"
    "       pitchbar jobs discard JOB_ID\n"
    "list prints the jobs, newest first, one JSON object a line (at most\n"
    "N, default 100, up to 1000).  retry puts a failed job back in the\n"
    "queue to run now, its attempts reset; discard deletes a queued or\n"
    "failed job.  Both print the job, as it now is or as it was.\n";

/* What the command line asked for. */
struct jobs_options {
	const char *action; /* "list", "retry" or "discard" */
	const char *id; /* retry, discard */
	struct job_filter filter; /* list */
};

/* Prints why the command line is wrong, and the usage; returns 2. */
static int
bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("pitchbar: jobs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", jobs_usage);
	return 2;
}

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
	bool list = strcmp(o->action, "list") == 0;
	const char *why = NULL;
	int c;

	/* Our own messages: getopt's would name the action as the program. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(jobs_usage, stdout);
			return 0;
		}
		if (c == '?' || c == ':')
			return bad_usage("%s %s", argv[optind - 1],
			    c == ':' ? "expects a value" : "is no option");
		if (!list)
			return bad_usage("%s takes no option", o->action);
		if (!set_filter(&o->filter, c, optarg, &why))
			return bad_usage("%s", why);
	}
	if (list && optind != argc)
		return bad_usage("list takes no job id");
	if (!list && argc - optind != 1)
		return bad_usage("%s expects one job id", o->action);
	o->id = list ? NULL : argv[optind];
	return -1;
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
	bool retry = strcmp(o->action, "retry") == 0;
	const char *may = retry ? "failed" : "queued or failed";
	cJSON *job = NULL;
	int rc;

	if (!id_valid(o->id, "job_"))
		return cmd_fail("jobs %s: no job has that id", o->action);
	rc = retry ? job_retry(db, o->id, &job) : job_discard(db, o->id, &job);
	if (rc == PB_OK)
		print_job(job);
	else if (rc == PB_ERR_CONFLICT)
		cmd_fail("jobs %s: %s is %s; only a %s job can be %s",
		    o->action, o->id, json_str(job, "state"), may,
		    retry ? "retried" : "discarded");
	else if (rc == PB_ERR_NOT_FOUND)
		cmd_fail("jobs %s: no job has the id %s", o->action, o->id);
	else
		cmd_fail("jobs %s: %s", o->action, pb_rc_name(rc));
	cJSON_Delete(job);
	return rc == PB_OK ? 0 : 1;
}

int
cmd_jobs(int argc, char **argv)
{
	static const char *const actions[] = {"list", "retry", "discard"};
	struct jobs_options o = {.filter = {.limit = JOB_LIST_DEFAULT}};
	struct db_pool *pool;
	struct db *db;
	int rc;

	for (size_t i = 0; argc > 1 && i < sizeof(actions) / sizeof(*actions);
	     i++)
		if (strcmp(argv[1], actions[i]) == 0)
			o.action = actions[i];
	if (o.action == NULL) {
		rc = argc > 1 &&
		    (strcmp(argv[1], "--help") == 0 ||
			strcmp(argv[1], "-h") == 0);
		fputs(jobs_usage, rc ? stdout : stderr);
		return rc ? 0 : 2;
	}
	if ((rc = parse(argc - 1, argv + 1, &o)) >= 0)
		return rc;
	if (!cmd_config() || !cmd_start(1, false, &pool))
		return 1;
	db = db_acquire(pool);
	rc = o.id ? change(db, &o) : list(db, &o.filter);
	db_release(db);
	cmd_stop(pool);
	return rc;
}
