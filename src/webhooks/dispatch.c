/*
 * The signed dispatcher.  At capture, one pending delivery per endpoint
 * subscribed to the event, each a step of the event's dispatch run and a
 * job of its own.  A worker then makes exactly one attempt (attempt.c),
 * its outcome recorded on the delivery and its step.  The same job sends
 * test events and redeliveries made by hand, a workflow step's too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "events/event.h"
#include "jobs/job.h"
#include "webhooks/delivery.h"
#include "webhooks/webhook.h"
#include "workflows/run.h"
#include "workflows/workflow.h"

static const char SQL_SUBSCRIBED[] =
    "SELECT e.id, e.url FROM webhook_endpoints e"
    " JOIN webhook_subscriptions s ON s.endpoint_id = e.id"
    " WHERE e.workspace_id = $1 AND e.enabled = 1 AND s.event_type = $2"
    " ORDER BY e.id";
static const char SQL_ENDPOINT_URL[] =
    "SELECT url, enabled FROM webhook_endpoints WHERE id = $1"
    " AND workspace_id = $2";
/* A delivery goes to an endpoint, or (redelivered) to a workflow step. */
static const char SQL_ATTEMPT[] =
    "SELECT d.status, d.message_id, d.step_id, d.workspace_id, v.type,"
    " v.payload, w.id, w.url, w.enabled, w.secret_enc,"
    " w.previous_secret_enc, w.previous_secret_expires_at, d.url,"
    " s.id, s.config, s.secret_enc, f.enabled, rs.workflow_step_id"
    " FROM deliveries d JOIN events v ON v.id = d.event_id"
    " LEFT JOIN webhook_endpoints w ON w.id = d.endpoint_id"
    " LEFT JOIN run_steps rs ON rs.id = d.step_id AND d.endpoint_id IS NULL"
    " LEFT JOIN workflow_steps s ON s.id = rs.workflow_step_id"
    " LEFT JOIN workflows f ON f.id = s.workflow_id"
    " WHERE d.id = $1";

int
webhook_fanout(struct db *db, struct event_fanout *fanout)
{
	const struct event *ev = fanout->event;
	struct db_stmt *st;
	char step[ID_SIZE], dlv[ID_SIZE];
	int rc;

	st = db_query(db, SQL_SUBSCRIBED, "ss", ev->workspace_id, ev->type);
	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *endpoint = db_col_text(st, 0);
		const char *url = db_col_text(st, 1);
		char msg[ID_SIZE];

		id_new("msg_", msg);
		rc = run_add_dispatch_step(db, fanout, "webhook", endpoint, url,
		    step);
		if (rc == PB_OK)
			rc = delivery_insert(db,
			    &(struct delivery_row){.workspace_id =
						       ev->workspace_id,
				.event_id = ev->id,
				.message_id = msg,
				.endpoint_id = endpoint,
				.url = url,
				.run_id = fanout->run_id,
				.step_id = step},
			    dlv);
		if (rc == PB_OK)
			rc = delivery_enqueue(db, dlv, ev->workspace_id,
			    endpoint);
		if (rc != PB_OK)
			break;
	}
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

static int
load_attempt(struct db *db, struct webhook_attempt *a)
{
	struct db_stmt *st = db_query(db, SQL_ATTEMPT, "s", a->delivery_id);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	a->pending = strcmp(db_col_text(st, 0), "pending") == 0;
	db_col_copy(st, 1, a->message_id, ID_SIZE);
	db_col_copy(st, 2, a->step_id, ID_SIZE);
	db_col_copy(st, 3, a->workspace_id, ID_SIZE);
	a->type = db_col_dup(st, 4);
	a->payload = db_col_dup(st, 5);
	db_col_copy(st, 6, a->endpoint_id, ID_SIZE);
	db_col_copy(st, 6, a->signer_id, ID_SIZE);
	a->url = db_col_dup(st, 7);
	a->target_enabled = db_col_i64(st, 8) != 0;
	a->sealed = db_col_dup(st, 9);
	a->sealed_previous = db_col_dup(st, 10);
	a->previous_expires_at = db_col_i64(st, 11);
	a->captured_url = db_col_dup(st, 12);
	if (!db_col_null(st, 13)) {
		db_col_copy(st, 13, a->signer_id, ID_SIZE);
		a->url = workflow_step_url(db_col_text(st, 14));
		a->sealed = db_col_dup(st, 15);
		a->target_enabled = db_col_i64(st, 16) != 0;
	}
	a->in_workflow = !db_col_null(st, 17);
	db_reset(st);
	return PB_OK;
}

/*
 * Records the outcome on its step: a dispatch step takes the attempt's
 * status; a workflow step (redelivered by hand once it had ended) ends
 * anew, so that a success goes on to the steps after it.
 */
static int
record(struct db *db, const struct webhook_attempt *a)
{
	struct step_ending e = {a->step_id, a->result.status};

	return delivery_record(db,
	    &(struct delivery_outcome){.id = a->delivery_id,
		.step_id = a->in_workflow ? NULL : a->step_id,
		.endpoint_id = a->endpoint_id[0] ? a->endpoint_id : NULL,
		.res = &a->result,
		.then = a->in_workflow ? delivery_end_step : NULL,
		.arg = &e});
}

void
webhook_deliver_job(struct job_ctx *ctx, const struct job *job,
    struct job_outcome *out)
{
	struct webhook_attempt a = {.delivery_id = job->ref_id};
	int rc;

	if ((rc = load_attempt(ctx->db, &a)) != PB_OK || !a.pending) {
		if (rc != PB_OK && rc != PB_ERR_NOT_FOUND) {
			out->status = JOB_RETRY;
			out->retry_at = clock_now_ms() + 1000;
		}
		webhook_attempt_release(&a);
		return;
	}
	if (ctx->local == NULL) {
		/* No HTTP client on this worker: try again a little later. */
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
		webhook_attempt_release(&a);
		return;
	}
	if (a.signer_id[0] == '\0' || !a.target_enabled) {
		a.result.url = a.url ? a.url : a.captured_url;
		a.result.status = "skipped";
		a.result.error = webhook_skip_reason(&a);
	} else {
		webhook_attempt_send(ctx->local, &a);
	}
	rc = record(ctx->db, &a);
	if (rc == PB_ERR_CONFLICT) {
		log_warn(job->id, "webhook.recorded_already", "delivery=%s",
		    a.delivery_id);
	} else if (rc != PB_OK) {
		/* Not recorded: the job runs again and so does the attempt. */
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
		snprintf(out->error, sizeof(out->error), "record: %s",
		    pb_rc_name(rc));
	}
	webhook_attempt_log(job->id, &a);
	webhook_attempt_release(&a);
}

/* The sample lead of a test event: plainly not a real visitor. */
static cJSON *
test_lead(void)
{
	cJSON *data = cJSON_CreateObject();
	char lead_id[ID_SIZE];

	id_new("lead_", lead_id);
	cJSON_AddStringToObject(data, "lead_id", lead_id);
	cJSON_AddNullToObject(data, "agent_id");
	cJSON_AddNullToObject(data, "conversation_id");
	cJSON_AddStringToObject(data, "name", "Test Lead");
	cJSON_AddStringToObject(data, "email", "test.lead@example.com");
	cJSON_AddNullToObject(data, "phone");
	cJSON_AddStringToObject(data, "company", "Example Inc.");
	cJSON_AddStringToObject(data, "message",
	    "A test event sent from Pitchbar.");
	cJSON_AddNullToObject(data, "page_url");
	cJSON_AddObjectToObject(data, "fields");
	return data;
}

/* A test event, as handed to db_write(). */
struct test_send {
	const struct principal *who;
	const char *endpoint_id;
	struct event ev;
	char *delivery_id;
	const char **why;
};

static int
test_in_txn(struct db *db, void *arg)
{
	struct test_send *t = arg;
	struct db_stmt *st = db_query(db, SQL_ENDPOINT_URL, "ss",
	    t->endpoint_id, t->who->workspace_id);
	char msg[ID_SIZE], *url;
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	if (db_col_i64(st, 1) == 0) {
		db_reset(st);
		*t->why = "endpoint_disabled";
		return PB_ERR_CONFLICT;
	}
	url = db_col_dup(st, 0);
	db_reset(st);
	id_new("msg_", msg);
	rc = event_store(db, &t->ev);
	if (rc == PB_OK)
		rc = delivery_insert(db,
		    &(struct delivery_row){.workspace_id = t->who->workspace_id,
			.event_id = t->ev.id,
			.message_id = msg,
			.endpoint_id = t->endpoint_id,
			.url = url},
		    t->delivery_id);
	free(url);
	if (rc == PB_OK)
		rc = delivery_enqueue(db, t->delivery_id, t->who->workspace_id,
		    t->endpoint_id);
	if (rc == PB_OK)
		rc = audit_record(db, t->who, "webhook.test_sent", "webhook",
		    t->endpoint_id, NULL);
	return rc;
}

int
webhook_send_test(struct db *db, const struct principal *who, const char *id,
    char delivery_id[ID_SIZE], const char **why)
{
	struct test_send t = {.who = who,
	    .endpoint_id = id,
	    .delivery_id = delivery_id,
	    .why = why};
	int rc;

	event_build(&t.ev, "lead.captured", who->workspace_id, test_lead(),
	    true);
	rc = db_write(db, test_in_txn, &t);
	event_release(&t.ev);
	return rc;
}
