/*
 * The "webhook" step of a workflow: a URL, and a signing secret made as
 * for an endpoint.  Unlike a lead's single-attempt dispatch it is retried
 * through the queue (DESIGN section 4): at most three attempts, network
 * errors, time-outs, 408, 429 and 5xx retried after the growing delays of
 * PITCHBAR_RETRY_DELAYS, or later when Retry-After asks (up to five
 * minutes); every attempt carries the same body and webhook-id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/job.h"
#include "net/net.h"
#include "webhooks/delivery.h"
#include "webhooks/webhook.h"
#include "workflows/run.h"
#include "workflows/workflow.h"

#define STEP_ATTEMPTS 3
#define RETRY_AFTER_MAX_S 300

static const char SQL_STEP[] =
    "SELECT rs.status, rs.message_id, r.workspace_id, v.type, v.payload,"
    " s.id, s.config, s.secret_enc, w.enabled, rs.url, r.id, v.id"
    " FROM run_steps rs JOIN workflow_runs r ON r.id = rs.run_id"
    " JOIN events v ON v.id = r.event_id"
    " LEFT JOIN workflow_steps s ON s.id = rs.workflow_step_id"
    " LEFT JOIN workflows w ON w.id = s.workflow_id"
    " WHERE rs.id = $1";
static const char SQL_DELIVERIES[] =
    "SELECT id, status FROM deliveries WHERE step_id = $1 ORDER BY id";

/* A step's attempt, with what the step's job needs besides. */
struct step_attempt {
	struct webhook_attempt a;
	char delivery_id[ID_SIZE];
	char run_id[ID_SIZE], event_id[ID_SIZE];
	bool open; /* the step is pending or running */
	int made; /* attempts recorded before this one */
};

static const char *
check(const cJSON *step, char **config)
{
	const cJSON *item;
	const char *url = NULL, *why;
	cJSON *out;

	cJSON_ArrayForEach(item, step)
	{
		if (strcmp(item->string, "url") == 0)
			url = cJSON_IsString(item) ? item->valuestring : "";
		else if (strcmp(item->string, "type") != 0 &&
		    strcmp(item->string, "id") != 0 &&
		    strcmp(item->string, "secret") != 0)
			return "a webhook step takes \"url\" only";
	}
	if (url == NULL)
		return "a webhook step needs a \"url\"";
	if (net_url_check(url, WEBHOOK_URL_MAX,
		config_get()->allow_private_targets, &why) != PB_OK)
		return why;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "url", url);
	*config = json_print(out);
	cJSON_Delete(out);
	return NULL;
}

static void
show(cJSON *out, const struct workflow_step_row *row, bool with_secret)
{
	char *secrets[2], *url = workflow_step_url(row->config);
	int n;

	json_add_str(out, "url", url);
	free(url);
	if (!with_secret)
		return;
	n = webhook_open_secrets(row->workspace_id, row->id, row->sealed_secret,
	    NULL, 0, secrets);
	json_add_str(out, "secret", n > 0 ? secrets[0] : NULL);
	webhook_secrets_free(secrets, n);
}

const struct workflow_step_type webhook_step_type = {
    .name = "webhook",
    .job = WEBHOOK_STEP_JOB,
    .check = check,
    .new_secret = webhook_secret_new,
    .show = show,
};

static void
read_step(struct db_stmt *st, struct step_attempt *s)
{
	struct webhook_attempt *a = &s->a;
	const char *status = db_col_text(st, 0);

	s->open =
	    strcmp(status, "pending") == 0 || strcmp(status, "running") == 0;
	a->in_workflow = true;
	db_col_copy(st, 1, a->message_id, ID_SIZE);
	db_col_copy(st, 2, a->workspace_id, ID_SIZE);
	a->type = db_col_dup(st, 3);
	a->payload = db_col_dup(st, 4);
	db_col_copy(st, 5, a->signer_id, ID_SIZE);
	a->url = workflow_step_url(db_col_text(st, 6));
	a->sealed = db_col_dup(st, 7);
	a->target_enabled = db_col_i64(st, 8) != 0;
	a->captured_url = db_col_dup(st, 9);
	db_col_copy(st, 10, s->run_id, ID_SIZE);
	db_col_copy(st, 11, s->event_id, ID_SIZE);
}

/* The attempts made so far, and the one left pending by a crash, if any. */
static int
read_deliveries(struct db *db, struct step_attempt *s)
{
	struct db_stmt *st = db_query(db, SQL_DELIVERIES, "s", s->a.step_id);
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW) {
		if (strcmp(db_col_text(st, 1), "pending") == 0)
			db_col_copy(st, 0, s->delivery_id, ID_SIZE);
		else
			s->made++;
	}
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

static int
load_step(struct db *db, const char *step_id, struct step_attempt *s)
{
	struct db_stmt *st = db_query(db, SQL_STEP, "s", step_id);
	int rc;

	snprintf(s->a.step_id, ID_SIZE, "%s", step_id);
	s->a.delivery_id = s->delivery_id;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	read_step(st, s);
	db_reset(st);
	return s->open ? read_deliveries(db, s) : PB_OK;
}

static int
begin_in_txn(struct db *db, void *arg)
{
	struct step_attempt *s = arg;
	int rc;

	rc = delivery_insert(db,
	    &(struct delivery_row){.workspace_id = s->a.workspace_id,
		.event_id = s->event_id,
		.message_id = s->a.message_id,
		.url = s->a.url ? s->a.url : s->a.captured_url,
		.run_id = s->run_id,
		.step_id = s->a.step_id},
	    s->delivery_id);
	if (rc == PB_OK)
		rc = run_step_set_status(db, s->a.step_id, "running");
	return rc;
}

/* Whether a failed attempt may be tried again (DESIGN section 4). */
static bool
retryable(const struct delivery_result *res)
{
	long code = res->status_code;

	if (code == 0)
		return res->error &&
		    (strcmp(res->error, "dns") == 0 ||
			strcmp(res->error, "connect") == 0 ||
			strcmp(res->error, "tls") == 0 ||
			strcmp(res->error, "timeout") == 0);
	return code == 408 || code == 429 || code >= 500;
}

/* When attempt made + 1 may go: the configured delay, jittered by a
 * fifth, or what Retry-After asked if later (at most five minutes). */
static int64_t
next_attempt_at(const struct delivery_result *res, int made)
{
	const struct config *cfg = config_get();
	double s = cfg->retry_delays_s[made < CONFIG_RETRY_DELAYS
		? made
		: CONFIG_RETRY_DELAYS - 1];
	int64_t ms, asked;
	uint32_t r;

	id_random(&r, sizeof(r));
	ms = (int64_t)(s * 1000 * (0.8 + 0.4 * (double)r / 4294967296.0));
	if (res->retry_after_s >= 0) {
		asked = (res->retry_after_s < RETRY_AFTER_MAX_S
				? res->retry_after_s
				: RETRY_AFTER_MAX_S) *
		    1000;
		if (asked > ms)
			ms = asked;
	}
	return clock_now_ms() + ms;
}

static void
attempt_or_skip(struct job_ctx *ctx, struct step_attempt *s)
{
	struct webhook_attempt *a = &s->a;

	if (a->signer_id[0] && a->target_enabled) {
		webhook_attempt_send(ctx->local, a);
		return;
	}
	a->result.url = a->url ? a->url : a->captured_url;
	a->result.status = "skipped";
	a->result.error = webhook_skip_reason(a);
}

/* Records the attempt and settles the job: done, or retried later. */
static void
settle(struct job_ctx *ctx, const struct job *job, struct step_attempt *s,
    struct job_outcome *out)
{
	const struct delivery_result *res = &s->a.result;
	struct step_ending e = {s->a.step_id, res->status};
	int rc;

	if (strcmp(res->status, "failed") == 0 && retryable(res) &&
	    s->made + 1 < STEP_ATTEMPTS)
		e.status = NULL;
	rc = delivery_record(ctx->db,
	    &(struct delivery_outcome){.id = s->delivery_id,
		.res = res,
		.then = delivery_end_step,
		.arg = &e});
	if (rc == PB_ERR_CONFLICT) {
		/* Another worker took the job over and recorded first: look
		 * again, in case the step is still open. */
		log_warn(job->id, "webhook.recorded_already", "delivery=%s",
		    s->delivery_id);
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
	} else if (rc != PB_OK) {
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
		snprintf(out->error, sizeof(out->error), "record: %s",
		    pb_rc_name(rc));
	} else if (e.status == NULL) {
		out->status = JOB_RETRY;
		out->retry_at = next_attempt_at(res, s->made);
		snprintf(out->error, sizeof(out->error), "attempt %d: %s",
		    s->made + 1, res->error);
	}
}

void
webhook_step_job(struct job_ctx *ctx, const struct job *job,
    struct job_outcome *out)
{
	struct step_attempt s = {0};
	int rc = load_step(ctx->db, job->ref_id, &s);

	if (rc == PB_OK && s.open && ctx->local && s.delivery_id[0] == '\0')
		rc = db_write(ctx->db, begin_in_txn, &s);
	if (rc != PB_OK && rc != PB_ERR_NOT_FOUND) {
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
		snprintf(out->error, sizeof(out->error), "load: %s",
		    pb_rc_name(rc));
	} else if (rc == PB_OK && s.open && ctx->local == NULL) {
		/* No HTTP client on this worker: try again a little later. */
		out->status = JOB_RETRY;
		out->retry_at = clock_now_ms() + 1000;
	} else if (rc == PB_OK && s.open) {
		attempt_or_skip(ctx, &s);
		settle(ctx, job, &s, out);
		webhook_attempt_log(job->id, &s.a);
	}
	webhook_attempt_release(&s.a);
}
