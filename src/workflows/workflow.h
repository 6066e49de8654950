/*
 * Workflows (DESIGN sections 3 and 8): a trigger event and ordered steps.
 * Every event that triggers a workflow starts one run of it, fixed at
 * capture like every recipient; its steps then run one after the other,
 * each as a job, and a step that fails for good skips the rest.
 *
 * Step types live in one registry.  It names every type the API knows;
 * the module that implements a type (webhooks/ for "webhook") registers
 * its functions at start, and until one has, the API refuses the type
 * as "not available yet".
 */
#ifndef WORKFLOWS_WORKFLOW_H
#define WORKFLOWS_WORKFLOW_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "core/id.h"

struct db;
struct event_fanout;
struct principal;

#define WORKFLOW_NAME_MAX 100
#define WORKFLOW_STEPS_MAX 10
/*
 * Runs of one step's job: the attempts its type makes, and a few more
 * for runs cut short by a crash or a storage error.
 */
#define WORKFLOW_STEP_JOB_RUNS 10

/* A stored step, as its type reads it. */
struct workflow_step_row {
	const char *id;
	const char *workspace_id;
	const char *config; /* the JSON text check() made */
	const char *sealed_secret; /* or NULL */
};

struct workflow_step_type {
	const char *name;
	const char *job; /* the job type that runs a step of this type */
	/*
	 * Checks a step object of a request ("type" and "id" are read
	 * already).  NULL, with the settings to store in *config (a JSON
	 * text the caller frees), or the message for the step's error.
	 */
	const char *(*check)(const cJSON *step, char **config);
	/* A new sealed signing secret for a step, or NULL for none. */
	char *(*new_secret)(const char *workspace_id, const char *step_id);
	/* Adds the step's settings, and its secret when with_secret. */
	void (*show)(cJSON *out, const struct workflow_step_row *row,
	    bool with_secret);
};

/* Registers the implementation of one of the registry's step types. */
void workflow_step_type_add(const struct workflow_step_type *type);

/* One step of a request: an existing step to keep (id) or a new one. */
struct workflow_step_input {
	const char *id; /* NULL for a new step */
	const struct workflow_step_type *type;
	char *config; /* owned */
};

/* A create or update request; NULL or -1 where a field was not given. */
struct workflow_input {
	const char *name;
	const char *trigger;
	int enabled;
	int nsteps; /* -1: not given */
	struct workflow_step_input steps[WORKFLOW_STEPS_MAX];
};

/*
 * Reads a create (create true: name, trigger and steps required) or an
 * update body.  PB_ERR_INVALID with one message per bad field in *fields
 * (the caller owns it).  in points into body; release it with
 * workflow_input_release().
 */
int workflow_input_parse(const cJSON *body, bool create,
    struct workflow_input *in, cJSON **fields);
void workflow_input_release(struct workflow_input *in);

/*
 * Changes by who, in who's workspace, each recorded in the audit log.  An
 * update's steps replace the workflow's: a step given with the id of one
 * of them keeps it (and its secret); PB_ERR_INVALID with *why when an id
 * is not one of this workflow's steps or changes its type.
 */
int workflow_create(struct db *db, const struct principal *who,
    const struct workflow_input *in, char id[ID_SIZE]);
int workflow_update(struct db *db, const struct principal *who, const char *id,
    const struct workflow_input *in, const char **why);
int workflow_delete(struct db *db, const struct principal *who, const char *id);

/* The workflow as JSON (DESIGN section 8); secrets only when with_secret. */
int workflow_get_json(struct db *db, const char *workspace_id, const char *id,
    bool with_secret, cJSON **out);
/* The workspace's workflows, oldest first: {"data", "next_cursor"}. */
int workflow_list_json(struct db *db, const char *workspace_id,
    const char *cursor, int limit, bool with_secret, cJSON **out);

/*
 * The event subscriber: a run of every enabled workflow the event
 * triggers, its steps pending and the first one's job queued.
 */
int workflow_fanout(struct db *db, struct event_fanout *fanout);

/* A step's target URL ("url" of its settings), owned; or NULL. */
char *workflow_step_url(const char *config);
/* The registered type called name, or NULL. */
const struct workflow_step_type *workflow_step_type_find(const char *name);

#endif
