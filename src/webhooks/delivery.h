/*
 * Delivery rows, shared by the dispatcher and the delivery log inside
 * webhooks/: a pending row made at capture or redelivery, and the outcome
 * of its one attempt.
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
	int64_t duration_ms;
	int64_t attempted_at;
	const char *url;
	char *request_headers; /* owned, JSON object text */
	char *response_headers; /* owned, JSON object text */
	char *response_body; /* owned, valid UTF-8, at most 4 KiB */
};

/* Inserts a pending delivery; its new id in id. */
int delivery_insert(struct db *db, const struct delivery_row *row,
    char id[ID_SIZE]);
/* "Name: value" strings (NULL-ended) as a JSON object text. */
char *delivery_headers_json(char *const *headers);
/* Fills status, error, code, duration and the response from resp. */
void delivery_result_take(struct delivery_result *res,
    const struct net_response *resp);
/*
 * Records the outcome on the delivery and its step, updates the run, and
 * disables the endpoint after a 410, in one transaction.  PB_ERR_CONFLICT,
 * changing nothing, when the delivery is no longer pending (another
 * worker, which took the job over, recorded it first).
 */
int delivery_record(struct db *db, const char *id, const char *step_id,
    const char *endpoint_id, const struct delivery_result *res);
void delivery_result_release(struct delivery_result *res);

#endif
