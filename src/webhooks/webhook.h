/*
 * Webhook endpoints, the signed dispatcher and the delivery log (DESIGN
 * section 4).  An endpoint's signing secret is made here, kept sealed by
 * the vault, and shown only to those who manage integrations.
 */
#ifndef WEBHOOKS_WEBHOOK_H
#define WEBHOOKS_WEBHOOK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/id.h"

struct db;
struct event_fanout;
struct principal;
struct job;
struct job_ctx;
struct job_outcome;
struct workflow_step_type;

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_DESCRIPTION_MAX 500
#define WEBHOOK_EVENTS_MAX 16
#define WEBHOOK_RESPONSE_MAX 4096
/* How long a rotated-out secret keeps signing. */
#define WEBHOOK_PREVIOUS_SECRET_MS (24LL * 3600 * 1000)
/* How far back "redeliver every failed delivery since" may reach. */
#define WEBHOOK_REDELIVER_WINDOW_MS (14LL * 24 * 3600 * 1000)
#define WEBHOOK_JOB "deliver_webhook"
#define WEBHOOK_STEP_JOB "run_webhook_step"
/*
 * Runs of a delivery's job: the HTTP attempt is made once (a delivery that
 * is no longer pending is not sent again); the job itself may run again
 * after a storage error or a crash.
 */
#define WEBHOOK_JOB_RUNS 5

/* A create or update request; NULL or -1 where a field was not given. */
struct webhook_input {
	const char *url;
	const char *description;
	const char *events[WEBHOOK_EVENTS_MAX];
	int nevents; /* -1: not given */
	int enabled; /* -1: not given */
};

/* A page of a list: {"data": [...], "next_cursor": ... | null}. */
struct webhook_page {
	const char *cursor; /* the last id of the previous page, or NULL */
	int limit;
};

/*
 * Reads a create (create true: url and events required) or update body.
 * PB_ERR_INVALID with one message per bad field in *fields (the caller
 * owns it).  in points into body.
 */
int webhook_input_parse(const cJSON *body, bool create,
    struct webhook_input *in, cJSON **fields);
/* Changes by who, in who's workspace, each recorded in the audit log. */
int webhook_create(struct db *db, const struct principal *who,
    const struct webhook_input *in, char id[ID_SIZE]);
int webhook_update(struct db *db, const struct principal *who, const char *id,
    const struct webhook_input *in);
int webhook_delete(struct db *db, const struct principal *who, const char *id);
/*
 * A new signing secret; the current one becomes the previous one and
 * keeps signing for WEBHOOK_PREVIOUS_SECRET_MS.
 */
int webhook_rotate_secret(struct db *db, const struct principal *who,
    const char *id);
/*
 * A test or a redelivery refused with PB_ERR_CONFLICT says why in *why, as
 * the code the API answers: "endpoint_disabled", "endpoint_deleted" (the
 * endpoint or workflow step is gone) or "step_in_progress" (the workflow
 * step's own attempts are not over).
 */
/*
 * Sends a sample lead.captured marked "test": true to the endpoint alone,
 * through a job; its delivery's id in delivery_id.  PB_ERR_CONFLICT, with
 * *why, when the endpoint is disabled.
 */
int webhook_send_test(struct db *db, const struct principal *who,
    const char *id, char delivery_id[ID_SIZE], const char **why);
/* The endpoint as JSON; its secret only when with_secret. */
int webhook_get_json(struct db *db, const char *workspace_id, const char *id,
    bool with_secret, cJSON **out);
int webhook_list_json(struct db *db, const char *workspace_id,
    const struct webhook_page *page, bool with_secret, cJSON **out);
/* How many of the workspace's endpoints are enabled, in *n. */
int webhook_count_enabled(struct db *db, const char *workspace_id, int64_t *n);
/* Disables an endpoint, saying why. */
int webhook_disable(struct db *db, const char *id, const char *reason);
/*
 * A new signing secret for the endpoint or workflow step id, sealed for
 * its row.
 */
char *webhook_secret_new(const char *workspace_id, const char *id);
/*
 * Opens the endpoint's (or workflow step's) valid secrets (current first, then
 * the previous one while it is valid) into secrets[], which the caller wipes
 * with webhook_secrets_free.  Returns how many, or -1.
 */
int webhook_open_secrets(const char *workspace_id, const char *id,
    const char *sealed, const char *sealed_previous,
    int64_t previous_expires_at, char *secrets[2]);
void webhook_secrets_free(char *secrets[2], int n);

/* The "webhook" type of workflow step, and the job that runs one. */
extern const struct workflow_step_type webhook_step_type;
void webhook_step_job(struct job_ctx *ctx, const struct job *job,
    struct job_outcome *out);

/* The event subscriber: one pending delivery per subscribed endpoint. */
int webhook_fanout(struct db *db, struct event_fanout *fanout);
/* The deliver_webhook job: one attempt of one delivery. */
void webhook_deliver_job(struct job_ctx *ctx, const struct job *job,
    struct job_outcome *out);

/* The endpoint's deliveries, newest first. */
int delivery_list_json(struct db *db, const char *workspace_id,
    const char *endpoint_id, const struct webhook_page *page, cJSON **out);
int delivery_get_json(struct db *db, const char *workspace_id, const char *id,
    cJSON **out);
/*
 * A new pending delivery of the same message (same body and webhook-id)
 * to the same endpoint, sent by a job; its id in new_id.  PB_ERR_CONFLICT,
 * with *why, when it cannot be sent there.
 */
int delivery_redeliver(struct db *db, const struct principal *who,
    const char *id, char new_id[ID_SIZE], const char **why);
/*
 * Redelivers every message of the endpoint whose latest delivery since
 * since_ms failed (at most 500); the new deliveries' ids in *ids, a JSON
 * array.  PB_ERR_CONFLICT, with *why, when the endpoint is disabled.
 */
int delivery_redeliver_failed(struct db *db, const struct principal *who,
    const char *endpoint_id, int64_t since_ms, cJSON **ids, const char **why);

#endif
