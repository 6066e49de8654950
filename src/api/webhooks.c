/* /api/v1/webhooks: endpoints and their delivery logs. */
#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "webhooks/webhook.h"

static const char *
path_id(const struct http_req *req)
{
	return id_valid(req->params[0], "whk_") ? req->params[0] : NULL;
}

void
api_webhooks_list(struct http_req *req, struct http_resp *resp)
{
	struct webhook_page page;
	cJSON *out;
	int rc;

	if (!api_page(req, resp, "whk_", &page.cursor, &page.limit))
		return;
	rc = webhook_list_json(api_db(req), api_who(req)->workspace_id, &page,
	    api_can_manage(req), &out);
	api_reply(resp, rc, 200, out);
}

/* Answers with the endpoint id as it now stands. */
static void
answer_endpoint(struct http_req *req, struct http_resp *resp, int status,
    const char *id)
{
	cJSON *out;
	int rc;

	rc = webhook_get_json(api_db(req), api_who(req)->workspace_id, id,
	    api_can_manage(req), &out);
	api_reply(resp, rc, status, out);
}

/* Reads a create or update body; NULL-free false with resp answered. */
static bool
read_input(struct http_req *req, struct http_resp *resp, bool create,
    cJSON **body, struct webhook_input *in)
{
	cJSON *fields;

	if ((*body = api_json_body(req, resp)) == NULL)
		return false;
	if (webhook_input_parse(*body, create, in, &fields) != PB_OK) {
		api_invalid(resp, fields);
		return false;
	}
	cJSON_Delete(fields);
	return true;
}

void
api_webhooks_create(struct http_req *req, struct http_resp *resp)
{
	struct webhook_input in;
	char id[ID_SIZE];
	cJSON *body;
	int rc;

	if (read_input(req, resp, true, &body, &in)) {
		rc = webhook_create(api_db(req), api_who(req), &in, id);
		if (rc != PB_OK)
			api_fail(resp, rc);
		else
			answer_endpoint(req, resp, 201, id);
	}
	cJSON_Delete(body);
}

void
api_webhooks_get(struct http_req *req, struct http_resp *resp)
{
	if (path_id(req) == NULL)
		api_not_found(resp);
	else
		answer_endpoint(req, resp, 200, path_id(req));
}

void
api_webhooks_update(struct http_req *req, struct http_resp *resp)
{
	struct webhook_input in;
	cJSON *body = NULL;
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (read_input(req, resp, false, &body, &in)) {
		rc = webhook_update(api_db(req), api_who(req), path_id(req),
		    &in);
		if (rc != PB_OK)
			api_fail(resp, rc);
		else
			answer_endpoint(req, resp, 200, path_id(req));
	}
	cJSON_Delete(body);
}

void
api_webhooks_delete(struct http_req *req, struct http_resp *resp)
{
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	rc = webhook_delete(api_db(req), api_who(req), path_id(req));
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		resp->status = 204;
}

void
api_webhook_deliveries(struct http_req *req, struct http_resp *resp)
{
	struct webhook_page page;
	cJSON *out;
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (!api_page(req, resp, "dlv_", &page.cursor, &page.limit))
		return;
	rc = delivery_list_json(api_db(req), api_who(req)->workspace_id,
	    path_id(req), &page, &out);
	api_reply(resp, rc, 200, out);
}

void
api_webhook_rotate(struct http_req *req, struct http_resp *resp)
{
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (!api_no_body(req, resp))
		return;
	rc = webhook_rotate_secret(api_db(req), api_who(req), path_id(req));
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		answer_endpoint(req, resp, 200, path_id(req));
}

void
api_webhook_test(struct http_req *req, struct http_resp *resp)
{
	const char *why = NULL;
	char id[ID_SIZE];
	cJSON *out;
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (!api_no_body(req, resp))
		return;
	rc = webhook_send_test(api_db(req), api_who(req), path_id(req), id,
	    &why);
	if (rc != PB_OK) {
		api_refused(resp, rc, why);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "delivery_id", id);
	http_resp_json(resp, 202, out);
}

/* Reads {"since"}: a time no further back than the redelivery window. */
static bool
read_since(struct http_req *req, struct http_resp *resp, int64_t *since)
{
	static const char *const names[] = {"since", NULL};
	cJSON *body = api_json_fields(req, resp, names);
	const char *s = body ? json_str(body, "since") : NULL;
	int64_t now = clock_now_ms();
	bool ok;

	if (body == NULL)
		return false;
	ok = s && clock_parse(s, since) == PB_OK &&
	    *since >= now - WEBHOOK_REDELIVER_WINDOW_MS && *since <= now;
	cJSON_Delete(body);
	if (!ok) {
		cJSON *fields = cJSON_CreateObject();

		cJSON_AddStringToObject(fields, "since",
		    "must be an RFC 3339 time within the last 14 days");
		api_invalid(resp, fields);
	}
	return ok;
}

void
api_webhook_redeliver_failed(struct http_req *req, struct http_resp *resp)
{
	const char *why = NULL;
	int64_t since;
	cJSON *ids, *out;
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (!read_since(req, resp, &since))
		return;
	rc = delivery_redeliver_failed(api_db(req), api_who(req), path_id(req),
	    since, &ids, &why);
	if (rc != PB_OK) {
		api_refused(resp, rc, why);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "delivery_ids", ids);
	http_resp_json(resp, 202, out);
}
