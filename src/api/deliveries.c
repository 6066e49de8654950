/* /api/v1/deliveries: one delivery, and redelivering it. */
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

void
api_delivery_redeliver(struct http_req *req, struct http_resp *resp)
{
	char id[ID_SIZE];
	cJSON *out;
	int rc;

	if (!id_valid(req->params[0], "dlv_")) {
		api_not_found(resp);
		return;
	}
	rc = delivery_redeliver(api_db(req), api_who(req), req->params[0], id);
	if (rc == PB_ERR_CONFLICT) {
		http_resp_error(resp, 409, "endpoint_deleted",
		    "The endpoint or workflow step of this delivery was "
		    "deleted.",
		    NULL);
		return;
	}
	if (rc == PB_ERR_DENIED) {
		http_resp_error(resp, 409, "step_in_progress",
		    "The workflow step is still being attempted; redeliver "
		    "once "
		    "it has ended.",
		    NULL);
		return;
	}
	if (rc != PB_OK) {
		api_fail(resp, rc);
		return;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "delivery_id", id);
	cJSON_AddItemToObject(out, "delivery_ids",
	    cJSON_CreateStringArray((const char *const[]){id}, 1));
	http_resp_json(resp, 202, out);
}
