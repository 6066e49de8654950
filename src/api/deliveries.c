/* /api/v1/deliveries: one delivery, and redelivering it. */
#include <string.h>

#include "api/api.h"
#include "core/rc.h"
#include "webhooks/webhook.h"

void
api_delivery_get(struct http_req *req, struct http_resp *resp)
{
	cJSON *out;
	int rc;

	if (!id_valid(req->params[0], "dlv_")) {
		api_not_found(resp);
		return;
	}
	rc = delivery_get_json(api_db(req), api_who(req)->workspace_id,
	    req->params[0], &out);
	api_reply(resp, rc, 200, out);
}

/* The 409 answers of webhook_send_test() and the redeliveries. */
static const struct {
	const char *code, *message;
} refusals[] = {
    {"endpoint_disabled",
	"The endpoint is disabled; enable it to send to it again."},
    {"endpoint_deleted",
	"The endpoint or workflow step of this delivery was deleted."},
    {"step_in_progress",
	"The workflow step is still being attempted; "
	"redeliver once it has ended."},
};

void
api_refused(struct http_resp *resp, int rc, const char *why)
{
	for (size_t i = 0; rc == PB_ERR_CONFLICT && why &&
	     i < sizeof(refusals) / sizeof(refusals[0]);
	     i++) {
		if (strcmp(why, refusals[i].code) == 0) {
			http_resp_error(resp, 409, why, refusals[i].message,
			    NULL);
			return;
		}
	}
	api_fail(resp, rc);
}

void
api_delivery_redeliver(struct http_req *req, struct http_resp *resp)
{
	const char *why = NULL;
	char id[ID_SIZE];
	cJSON *out;
	int rc;

	if (!id_valid(req->params[0], "dlv_")) {
		api_not_found(resp);
		return;
	}
	if (!api_no_body(req, resp))
		return;
	rc = delivery_redeliver(api_db(req), api_who(req), req->params[0], id,
	    &why);
	if (rc != PB_OK) {
		api_refused(resp, rc, why);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "delivery_id", id);
	cJSON_AddItemToObject(out, "delivery_ids",
	    cJSON_CreateStringArray((const char *const[]){id}, 1));
	http_resp_json(resp, 202, out);
}
