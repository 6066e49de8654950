/*
 * The run log.  Every event that goes out makes a run: the lead dispatch
 * run (workflow_id NULL) holds one step per recipient, each attempted on
 * its own; a workflow's run holds its steps, run one after the other.  A
 * step's attempts are its deliveries.  A run is "running" while a step is
 * pending or running, then "failed" if any step failed, else "succeeded".
 */
#ifndef WORKFLOWS_RUN_H
#define WORKFLOWS_RUN_H

#include <cjson/cJSON.h>

#include "core/id.h"

struct db;
struct event_fanout;

/*
 * Adds a pending step for a recipient to the event's dispatch run, making
 * the run with its first step.  In the caller's transaction.
 */
int run_add_dispatch_step(struct db *db, struct event_fanout *fanout,
    const char *type, const char *endpoint_id, const char *url,
    char step_id[ID_SIZE]);
/* Sets a step's status and brings its run's status up to date. */
int run_step_set_status(struct db *db, const char *step_id, const char *status);
/*
 * Ends a workflow run's step with status: after "succeeded" or "skipped"
 * the next step's job is queued; after "failed" the steps left are
 * skipped.  Then the run's status follows.  In the caller's transaction.
 */
int run_step_end(struct db *db, const char *step_id, const char *status);
/*
 * What discarding a job by hand (pitchbar jobs discard) ends, as the
 * job's last failed attempt would have, each in the caller's transaction
 * and recorded as a failed attempt with the error RUN_DISCARDED so that
 * the run log says why.  Something already ended stays as it is.
 *
 * run_step_discard() ends the open workflow step of a step's job: its
 * attempt left pending, else one added that was never made, then the
 * step fails as run_step_end() fails it.  run_attempt_discard() ends a
 * pending attempt (delivery) and its step: a workflow step's as
 * run_step_end() does, a dispatch step's alone.
 */
#define RUN_DISCARDED "discarded"
int run_step_discard(struct db *db, const char *step_id);
int run_attempt_discard(struct db *db, const char *delivery_id);
/* The run as JSON (DESIGN section 8); PB_ERR_NOT_FOUND outside ws. */
int run_get_json(struct db *db, const char *workspace_id, const char *run_id,
    cJSON **out);

/* Which runs a list shows; NULL where it does not filter. */
struct run_filter {
	const char *workflow_id;
	const char *status;
	const char *event_id;
	const char *cursor; /* the last id of the previous page */
	int limit;
};

/* The workspace's runs, newest first: {"data", "next_cursor"}. */
int run_list_json(struct db *db, const char *workspace_id,
    const struct run_filter *f, cJSON **out);

#endif
