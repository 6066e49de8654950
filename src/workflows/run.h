/*
 * The run log.  Every event that goes out makes a run: the lead dispatch
 * run (workflow_id NULL) holds one step per recipient, each attempted on
 * its own; a step's attempts are its deliveries.  A run is "running" while
 * a step is pending, then "failed" if any step failed, else "succeeded".
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
/* The run as JSON (DESIGN section 8); PB_ERR_NOT_FOUND outside ws. */
int run_get_json(struct db *db, const char *workspace_id, const char *run_id,
    cJSON **out);

#endif
