/* /api/v1/workflows: workflows and their steps. */
#include <string.h>

#include "api/api.h"
#include "core/rc.h"
#include "workflows/workflow.h"

static const char *
path_id(const struct http_req *req)
{
	return id_valid(req->params[0], "wf_") ? req->params[0] : NULL;
}

void
api_workflows_list(struct http_req *req, struct http_resp *resp)
{
	const char *cursor;
	cJSON *out;
	int limit, rc;

	if (!api_page(req, resp, "wf_", &cursor, &limit))
		return;
	rc = workflow_list_json(api_db(req), api_who(req)->workspace_id, cursor,
	    limit, api_can_manage(req), &out);
	api_reply(resp, rc, 200, out);
}

/* Answers with the workflow id as it now stands. */
static void
answer_workflow(struct http_req *req, struct http_resp *resp, int status,
    const char *id)
{
	cJSON *out;
	int rc;

	rc = workflow_get_json(api_db(req), api_who(req)->workspace_id, id,
	    api_can_manage(req), &out);
	api_reply(resp, rc, status, out);
}

static void
answer_invalid(struct http_resp *resp, const char *field, const char *why)
{
	cJSON *fields = cJSON_CreateObject();

	cJSON_AddStringToObject(fields, field, why);
	api_invalid(resp, fields);
}

/* Reads a create or update body; false with resp answered. */
static bool
read_input(struct http_req *req, struct http_resp *resp, bool create,
    cJSON **body, struct workflow_input *in)
{
	cJSON *fields;

	if ((*body = api_json_body(req, resp)) == NULL)
		return false;
	if (workflow_input_parse(*body, create, in, &fields) != PB_OK) {
		api_invalid(resp, fields);
		workflow_input_release(in);
		return false;
	}
	cJSON_Delete(fields);
	return true;
}

void
api_workflows_create(struct http_req *req, struct http_resp *resp)
{
	struct workflow_input in;
	char id[ID_SIZE];
	cJSON *body;
	int rc;

	if (read_input(req, resp, true, &body, &in)) {
		rc = workflow_create(api_db(req), api_who(req), &in, id);
		if (rc != PB_OK)
			api_fail(resp, rc);
		else
			answer_workflow(req, resp, 201, id);
		workflow_input_release(&in);
	}
	cJSON_Delete(body);
}

void
api_workflows_get(struct http_req *req, struct http_resp *resp)
{
	if (path_id(req) == NULL)
		api_not_found(resp);
	else
		answer_workflow(req, resp, 200, path_id(req));
}

void
api_workflows_update(struct http_req *req, struct http_resp *resp)
{
	struct workflow_input in;
	const char *why = NULL;
	cJSON *body = NULL;
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if (read_input(req, resp, false, &body, &in)) {
		rc = workflow_update(api_db(req), api_who(req), path_id(req),
		    &in, &why);
		if (rc == PB_ERR_INVALID)
			answer_invalid(resp, "steps", why);
		else if (rc != PB_OK)
			api_fail(resp, rc);
		else
			answer_workflow(req, resp, 200, path_id(req));
		workflow_input_release(&in);
	}
	cJSON_Delete(body);
}

void
api_workflows_delete(struct http_req *req, struct http_resp *resp)
{
	int rc;

	if (path_id(req) == NULL) {
		api_not_found(resp);
		return;
	}
	rc = workflow_delete(api_db(req), api_who(req), path_id(req));
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		resp->status = 204;
}
