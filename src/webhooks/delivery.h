/*
 * Deliveries inside webhooks/: a delivery is one attempt to one endpoint
 * or workflow step, its row made pending (at capture, at a redelivery, or
 * as a workflow step's attempt begins) and then given the outcome.  The
 * dispatcher, the workflow step job and the delivery log share them.
 */
#ifndef WEBHOOKS_DELIVERY_H
#define WEBHOOKS_DELIVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/id.h"

struct db;
struct net_response;

struct delivery_row {
	const char *workspace_id;
	const char *event_id;
	const char *message_id;
	const char *endpoint_id;
	const char *url;
	const char *run_id;
	const char *step_id;
	const char *redelivery_of; /* NULL for a first delivery */
};

/* How one attempt went; the strings marked owned are freed with it. */
struct delivery_result {
	const char *status; /* "succeeded", "failed" or "skipped" */
	const char *error; /* the classified error, or NULL */
	long status_code; /* 0 when there was no HTTP answer */
	int64_t retry_after_s; /* what Retry-After asked for, or -1 */
	int64_t duration_ms;
	int64_t attempted_at;
	const char *url;
	char *request_headers; /* owned, JSON object text */
	char *response_headers; /* owned, JSON object text */
	char *response_body; /* owned, valid UTF-8, at most 4 KiB */
};

/* One attempt of a delivery, as read from the database and as it went. */
struct webhook_attempt {
	const char *delivery_id;
	char message_id[ID_SIZE], step_id[ID_SIZE], workspace_id[ID_SIZE];
	char endpoint_id[ID_SIZE]; /* "" when not an endpoint's, or deleted */
	/* The endpoint or workflow step whose secret signs; "" when gone. */
	char signer_id[ID_SIZE];
	char *type, *payload, *url, *sealed, *sealed_previous;
	char *captured_url; /* the URL when the delivery was made */
	int64_t previous_expires_at;
	bool pending, target_enabled;
	bool in_workflow; /* a workflow step's attempt */
	struct delivery_result result;
};

struct net_client;

/* Makes the attempt: signs, sends, and fills a->result. */
void webhook_attempt_send(struct net_client *client, struct webhook_attempt *a);
/* Why an attempt whose endpoint or step is gone or disabled is skipped. */
const char *webhook_skip_reason(const struct webhook_attempt *a);
/* Counts the outcome in the metrics and logs it, one line. */
void webhook_attempt_log(const char *job_id, const struct webhook_attempt *a);
void webhook_attempt_release(struct webhook_attempt *a);

/* Inserts a pending delivery; its new id in id. */
int delivery_insert(struct db *db, const struct delivery_row *row,
    char id[ID_SIZE]);
/*
 * The job that attempts a pending delivery, in the endpoint's lane so that
 * a hanging endpoint holds only its share of the workers.
 */
int delivery_enqueue(struct db *db, const char *id, const char *workspace_id,
    const char *endpoint_id);
/* "Name: value" strings (NULL-ended) as a JSON object text. */
char *delivery_headers_json(char *const *headers);
/* Fills status, error, code, duration and the response from resp. */
void delivery_result_take(struct delivery_result *res,
    const struct net_response *resp);
/* How a workflow step ends with an attempt, for delivery_record's then. */
struct step_ending {
	const char *step_id;
	const char *status; /* NULL: the step stays running, for a retry */
};
int delivery_end_step(struct db *db, void *arg);

/* An attempt's outcome to record. */
struct delivery_outcome {
	const char *id;
	const char *step_id; /* its status becomes the attempt's, or NULL */
	const char *endpoint_id; /* disabled after a 410, or NULL */
	const struct delivery_result *res;
	/* More to write in the same transaction, or NULL. */
	int (*then)(struct db *db, void *arg);
	void *arg;
};

/*
 * Records the outcome on the delivery (and its step and run), disables
 * the endpoint after a 410 and calls then, in one transaction.
 * PB_ERR_CONFLICT, changing nothing, when the delivery is no longer
 * pending (another worker, which took the job over, recorded it first).
 */
int delivery_record(struct db *db, const struct delivery_outcome *o);
void delivery_result_release(struct delivery_result *res);

#endif
