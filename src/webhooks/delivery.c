/*
 * Deliveries: the pending row, the recorded outcome, the delivery log's
 * JSON and redelivery (see delivery.h and webhook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/job.h"
#include "net/net.h"
#include "webhooks/delivery.h"
#include "webhooks/webhook.h"
#include "workflows/run.h"

/* Redeliveries one "redeliver every failed delivery" makes at most. */
#define REDELIVER_MAX 500

#define GONE_REASON                                                            \
	"The endpoint answered 410 Gone, so deliveries to it "                 \
	"stopped. Enable it again once it accepts them."

static const char SQL_INSERT[] =
    "INSERT INTO deliveries (id, workspace_id, message_id, event_id,"
    " endpoint_id, run_id, step_id, redelivery_of, url, status, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10)";
static const char SQL_RECORD[] =
    "UPDATE deliveries SET status = $2, status_code = $3, error = $4,"
    " duration_ms = $5, url = $6, request_headers = $7,"
    " response_headers = $8, response_body = $9, attempted_at = $10"
    " WHERE id = $1 AND status = 'pending'";
#define DELIVERY_COLUMNS                                                       \
	"d.id, d.message_id, d.event_id, d.endpoint_id, d.run_id,"             \
	" d.redelivery_of, d.status, d.status_code, d.error, d.duration_ms,"   \
	" d.url, d.request_headers, d.response_headers, d.response_body,"      \
	" d.created_at, d.attempted_at, v.payload"
static const char SQL_GET[] = "SELECT " DELIVERY_COLUMNS " FROM deliveries d"
			      " JOIN events v ON v.id = d.event_id"
			      " WHERE d.id = $1 AND d.workspace_id = $2";
static const char SQL_LIST[] =
    "SELECT " DELIVERY_COLUMNS " FROM deliveries d"
    " JOIN events v ON v.id = d.event_id"
    " WHERE d.endpoint_id = $1 AND d.workspace_id = $2"
    " AND ($3 = '' OR d.id < $3) ORDER BY d.id DESC LIMIT $4";
static const char SQL_ENDPOINT_ENABLED[] =
    "SELECT enabled FROM webhook_endpoints WHERE id = $1"
    " AND workspace_id = $2";
/* The latest delivery of each message of an endpoint, when it failed. */
static const char SQL_FAILED_SINCE[] =
    "SELECT d.id FROM deliveries d"
    " WHERE d.endpoint_id = $1 AND d.workspace_id = $2"
    " AND d.created_at >= $3 AND d.status = 'failed'"
    " AND NOT EXISTS (SELECT 1 FROM deliveries n"
    "  WHERE n.message_id = d.message_id AND n.id > d.id)"
    " ORDER BY d.id LIMIT $4";
static const char SQL_ORIGINAL[] =
    "SELECT d.event_id, d.message_id, d.endpoint_id, d.url, d.run_id,"
    " d.step_id, s.id, rs.status, e.enabled FROM deliveries d"
    " LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id"
    " LEFT JOIN run_steps rs ON rs.id = d.step_id"
    " LEFT JOIN workflow_steps s ON s.id = rs.workflow_step_id"
    " WHERE d.id = $1 AND d.workspace_id = $2";

int
delivery_insert(struct db *db, const struct delivery_row *row, char id[ID_SIZE])
{
	id_new("dlv_", id);
	return db_run(db, SQL_INSERT, "sssssssssi", id, row->workspace_id,
	    row->message_id, row->event_id, row->endpoint_id, row->run_id,
	    row->step_id, row->redelivery_of, row->url, clock_now_ms());
}

int
delivery_enqueue(struct db *db, const char *id, const char *workspace_id,
    const char *endpoint_id)
{
	return job_enqueue(db,
	    &(struct job_spec){.type = WEBHOOK_JOB,
		.ref_id = id,
		.workspace_id = workspace_id,
		.lane = endpoint_id,
		.max_attempts = WEBHOOK_JOB_RUNS});
}

char *
delivery_headers_json(char *const *headers)
{
	cJSON *obj = cJSON_CreateObject();
	char *s;

	for (; *headers; headers++) {
		const char *colon = strchr(*headers, ':');
		char *name;

		if (colon == NULL)
			continue;
		name = xstrndup(*headers, (size_t)(colon - *headers));
		colon++;
		while (*colon == ' ')
			colon++;
		cJSON_AddStringToObject(obj, name, colon);
		free(name);
	}
	s = json_print(obj);
	cJSON_Delete(obj);
	return s;
}

/* Response header lines as a JSON object; repeated names joined by ", ". */
static char *
response_headers_json(const char *raw, size_t len)
{
	char *text = utf8_sanitize(raw, len, len), *line, *save = NULL;
	cJSON *obj = cJSON_CreateObject(), *old;
	char *s;

	for (line = strtok_r(text, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':'), *value;

		if (colon == NULL)
			continue;
		*colon = '\0';
		for (value = colon + 1; *value == ' '; value++)
			;
		old = cJSON_GetObjectItemCaseSensitive(obj, line);
		if (old) {
			char *joined =
			    xasprintf("%s, %s", old->valuestring, value);

			cJSON_ReplaceItemInObjectCaseSensitive(obj, line,
			    cJSON_CreateString(joined));
			free(joined);
		} else {
			cJSON_AddStringToObject(obj, line, value);
		}
	}
	s = json_print(obj);
	cJSON_Delete(obj);
	free(text);
	return s;
}

static const char *
status_error(long code)
{
	if (code >= 200 && code < 300)
		return NULL;
	if (code >= 300 && code < 400)
		return "http_3xx";
	if (code >= 500)
		return "http_5xx";
	return "http_4xx";
}

void
delivery_result_take(struct delivery_result *res,
    const struct net_response *resp)
{
	res->duration_ms = resp->duration_ms;
	res->status_code = resp->status;
	res->retry_after_s = resp->retry_after_s;
	if (resp->status == 0) {
		res->status = "failed";
		res->error = net_error_name(resp->error);
		return;
	}
	res->error = status_error(resp->status);
	res->status = res->error ? "failed" : "succeeded";
	res->response_headers = response_headers_json(
	    resp->headers.data ? resp->headers.data : "", resp->headers.len);
	res->response_body =
	    utf8_sanitize(resp->body.data ? resp->body.data : "",
		resp->body.len, WEBHOOK_RESPONSE_MAX);
}

static int
update_row(struct db *db, const char *id, const struct delivery_result *res)
{
	struct db_stmt *st = db_prepare(db, SQL_RECORD);
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, res->status);
	if (res->status_code)
		db_bind_i64(st, 3, res->status_code);
	else
		db_bind_null(st, 3);
	db_bind_text(st, 4, res->error);
	db_bind_i64(st, 5, res->duration_ms);
	db_bind_text(st, 6, res->url);
	db_bind_text(st, 7, res->request_headers);
	db_bind_text(st, 8, res->response_headers);
	db_bind_text(st, 9, res->response_body);
	if (res->attempted_at)
		db_bind_i64(st, 10, res->attempted_at);
	else
		db_bind_null(st, 10);
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_DONE && db_changes(db) == 0)
		return PB_ERR_CONFLICT; /* recorded already */
	return rc == DB_DONE ? PB_OK : rc;
}

static int
record_in_txn(struct db *db, void *arg)
{
	const struct delivery_outcome *o = arg;
	int rc = update_row(db, o->id, o->res);

	if (rc == PB_OK && o->step_id && *o->step_id)
		rc = run_step_set_status(db, o->step_id, o->res->status);
	if (rc == PB_OK && o->endpoint_id && o->res->status_code == 410)
		rc = webhook_disable(db, o->endpoint_id, GONE_REASON);
	if (rc == PB_OK && o->then)
		rc = o->then(db, o->arg);
	return rc;
}

int
delivery_end_step(struct db *db, void *arg)
{
	const struct step_ending *e = arg;

	return e->status ? run_step_end(db, e->step_id, e->status) : PB_OK;
}

int
delivery_record(struct db *db, const struct delivery_outcome *o)
{
	return db_write(db, record_in_txn, (void *)o);
}

void
delivery_result_release(struct delivery_result *res)
{
	free(res->request_headers);
	free(res->response_headers);
	free(res->response_body);
	res->request_headers = res->response_headers = NULL;
	res->response_body = NULL;
}

/* The parsed JSON of a stored JSON text column, or null. */
static cJSON *
stored_json(const char *text)
{
	cJSON *item = NULL;

	if (text && json_parse(text, strlen(text), &item) == PB_OK)
		return item;
	return cJSON_CreateNull();
}

static cJSON *
request_json(struct db_stmt *st)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "url", db_col_text(st, 10));
	cJSON_AddItemToObject(req, "headers", stored_json(db_col_text(st, 11)));
	cJSON_AddStringToObject(req, "body", db_col_text(st, 16));
	return req;
}

static cJSON *
response_json(struct db_stmt *st)
{
	cJSON *resp;

	if (db_col_null(st, 12))
		return cJSON_CreateNull();
	resp = cJSON_CreateObject();
	cJSON_AddItemToObject(resp, "headers",
	    stored_json(db_col_text(st, 12)));
	json_add_str(resp, "body", db_col_text(st, 13));
	return resp;
}

/* A row of SQL_GET or SQL_LIST as the API shows a delivery. */
static cJSON *
delivery_json(struct db_stmt *st, void *arg)
{
	cJSON *d = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(d, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(d, "message_id", db_col_text(st, 1));
	cJSON_AddStringToObject(d, "event_id", db_col_text(st, 2));
	json_add_str(d, "endpoint_id", db_col_text(st, 3));
	json_add_str(d, "run_id", db_col_text(st, 4));
	json_add_str(d, "redelivery_of", db_col_text(st, 5));
	cJSON_AddStringToObject(d, "status", db_col_text(st, 6));
	db_add_col_i64(d, "status_code", st, 7);
	json_add_str(d, "error", db_col_text(st, 8));
	if (db_col_null(st, 15)) /* not attempted yet: no duration */
		cJSON_AddNullToObject(d, "duration_ms");
	else
		cJSON_AddNumberToObject(d, "duration_ms",
		    (double)db_col_i64(st, 9));
	cJSON_AddItemToObject(d, "request", request_json(st));
	cJSON_AddItemToObject(d, "response", response_json(st));
	json_add_time(d, "created_at", db_col_i64(st, 14));
	json_add_time(d, "attempted_at",
	    db_col_null(st, 15) ? -1 : db_col_i64(st, 15));
	return d;
}

int
delivery_get_json(struct db *db, const char *workspace_id, const char *id,
    cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_GET, "ss", id, workspace_id);
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*out = delivery_json(st, NULL);
	db_reset(st);
	return PB_OK;
}

/* PB_ERR_NOT_FOUND when the workspace has no such endpoint. */
static int
endpoint_enabled(struct db *db, const char *workspace_id, const char *id,
    bool *enabled)
{
	struct db_stmt *st =
	    db_query(db, SQL_ENDPOINT_ENABLED, "ss", id, workspace_id);
	int rc = db_first(st);

	if (rc == PB_OK) {
		*enabled = db_col_i64(st, 0) != 0;
		db_reset(st);
	}
	return rc;
}

int
delivery_list_json(struct db *db, const char *workspace_id,
    const char *endpoint_id, const struct webhook_page *page, cJSON **out)
{
	struct db_stmt *st;
	bool enabled;
	int rc;

	*out = NULL;
	if ((rc = endpoint_enabled(db, workspace_id, endpoint_id, &enabled)) !=
	    PB_OK)
		return rc;
	st = db_query(db, SQL_LIST, "sssi", endpoint_id, workspace_id,
	    page->cursor ? page->cursor : "", (int64_t)page->limit + 1);
	if (st == NULL)
		return PB_ERR_DB;
	return db_page_json(st, page->limit, delivery_json, NULL, out);
}

/* What a redelivery copies from the delivery it repeats. */
struct original {
	char event_id[ID_SIZE], message_id[ID_SIZE], endpoint_id[ID_SIZE];
	char run_id[ID_SIZE], step_id[ID_SIZE];
	char workflow_step_id[ID_SIZE]; /* a workflow step's delivery */
	bool step_open; /* that step is still being attempted */
	bool endpoint_disabled;
	char *url;
};

static int
load_original(struct db *db, const char *workspace_id, const char *id,
    struct original *o)
{
	struct db_stmt *st = db_query(db, SQL_ORIGINAL, "ss", id, workspace_id);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, o->event_id, ID_SIZE);
	db_col_copy(st, 1, o->message_id, ID_SIZE);
	db_col_copy(st, 2, o->endpoint_id, ID_SIZE);
	o->url = db_col_dup(st, 3);
	db_col_copy(st, 4, o->run_id, ID_SIZE);
	db_col_copy(st, 5, o->step_id, ID_SIZE);
	db_col_copy(st, 6, o->workflow_step_id, ID_SIZE);
	o->step_open = o->workflow_step_id[0] &&
	    (strcmp(db_col_text(st, 7), "pending") == 0 ||
		strcmp(db_col_text(st, 7), "running") == 0);
	o->endpoint_disabled = o->endpoint_id[0] && db_col_i64(st, 8) == 0;
	db_reset(st);
	return PB_OK;
}

/*
 * Makes a new pending delivery of the message of delivery id, to the same
 * endpoint or workflow step, with a job to send it once; in the caller's
 * transaction.
 */
static const char *
refusal(const struct original *o)
{
	if (o->endpoint_id[0] == '\0' && o->workflow_step_id[0] == '\0')
		return "endpoint_deleted";
	if (o->endpoint_disabled)
		return "endpoint_disabled";
	if (o->step_open)
		return "step_in_progress"; /* its own retries are not over */
	return NULL;
}

static int
redeliver_one(struct db *db, const struct principal *who, const char *id,
    char new_id[ID_SIZE], const char **why)
{
	const char *ws = who->workspace_id;
	struct original o = {0};
	struct delivery_row row;
	int rc = load_original(db, ws, id, &o);
	const char *target =
	    o.endpoint_id[0] ? o.endpoint_id : o.workflow_step_id;

	if (rc == PB_OK && (*why = refusal(&o)) != NULL)
		rc = PB_ERR_CONFLICT;
	row = (struct delivery_row){.workspace_id = ws,
	    .event_id = o.event_id,
	    .message_id = o.message_id,
	    .endpoint_id = o.endpoint_id[0] ? o.endpoint_id : NULL,
	    .url = o.url,
	    .run_id = o.run_id[0] ? o.run_id : NULL,
	    .step_id = o.step_id[0] ? o.step_id : NULL,
	    .redelivery_of = id};
	if (rc == PB_OK)
		rc = delivery_insert(db, &row, new_id);
	if (rc == PB_OK && row.step_id)
		rc = run_step_set_status(db, row.step_id, "pending");
	if (rc == PB_OK)
		rc = delivery_enqueue(db, new_id, ws, target);
	free(o.url);
	return rc;
}

/* A redelivery, as handed to db_write(). */
struct redelivery {
	const struct principal *who;
	const char *id, *endpoint_id;
	int64_t since_ms;
	char *new_id; /* one */
	cJSON *ids; /* many */
	const char **why;
};

static int
redeliver_in_txn(struct db *db, void *arg)
{
	struct redelivery *r = arg;
	int rc = redeliver_one(db, r->who, r->id, r->new_id, r->why);

	if (rc == PB_OK)
		rc = audit_record(db, r->who, "delivery.redelivered",
		    "delivery", r->id, NULL);
	return rc;
}

int
delivery_redeliver(struct db *db, const struct principal *who, const char *id,
    char new_id[ID_SIZE], const char **why)
{
	struct redelivery r = {.who = who,
	    .id = id,
	    .new_id = new_id,
	    .why = why};

	return db_write(db, redeliver_in_txn, &r);
}

/* The failed deliveries to redeliver, gathered before any is made. */
static int
failed_since(struct db *db, const struct redelivery *r, char (*ids)[ID_SIZE],
    int *n)
{
	struct db_stmt *st =
	    db_query(db, SQL_FAILED_SINCE, "ssii", r->endpoint_id,
		r->who->workspace_id, r->since_ms, (int64_t)REDELIVER_MAX);
	int rc;

	*n = 0;
	if (st == NULL)
		return PB_ERR_DB;
	while ((rc = db_step(st)) == DB_ROW && *n < REDELIVER_MAX)
		db_col_copy(st, 0, ids[(*n)++], ID_SIZE);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? PB_OK : rc;
}

static int
redeliver_failed_in_txn(struct db *db, void *arg)
{
	struct redelivery *r = arg;
	char(*ids)[ID_SIZE] = xcalloc(REDELIVER_MAX, ID_SIZE), new_id[ID_SIZE];
	bool enabled;
	int n,
	    rc = endpoint_enabled(db, r->who->workspace_id, r->endpoint_id,
		&enabled);

	if (rc == PB_OK && !enabled) {
		*r->why = "endpoint_disabled";
		rc = PB_ERR_CONFLICT;
	}
	if (rc == PB_OK)
		rc = failed_since(db, r, ids, &n);
	for (int i = 0; rc == PB_OK && i < n; i++) {
		rc = redeliver_one(db, r->who, ids[i], new_id, r->why);
		if (rc == PB_OK)
			cJSON_AddItemToArray(r->ids,
			    cJSON_CreateString(new_id));
	}
	if (rc == PB_OK)
		rc = audit_record(db, r->who, "webhook.failed_redelivered",
		    "webhook", r->endpoint_id, NULL);
	free(ids);
	return rc;
}

int
delivery_redeliver_failed(struct db *db, const struct principal *who,
    const char *endpoint_id, int64_t since_ms, cJSON **ids, const char **why)
{
	struct redelivery r = {.who = who,
	    .endpoint_id = endpoint_id,
	    .since_ms = since_ms,
	    .ids = cJSON_CreateArray(),
	    .why = why};
	int rc = db_write(db, redeliver_failed_in_txn, &r);

	if (rc != PB_OK) {
		cJSON_Delete(r.ids);
		r.ids = NULL;
	}
	*ids = r.ids;
	return rc;
}
