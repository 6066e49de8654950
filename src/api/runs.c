/* /api/v1/workflow-runs: the run log. */
#include <string.h>

#include "api/api.h"
#include "core/rc.h"
#include "workflows/run.h"

void
api_run_get(struct http_req *req, struct http_resp *resp)
{
	cJSON *out;
	int rc;

	if (!id_valid(req->params[0], "run_")) {
		api_not_found(resp);
		return;
	}
	rc = run_get_json(api_db(req), api_who(req)->workspace_id,
	    req->params[0], &out);
	api_reply(resp, rc, 200, out);
}

/* A filter of the query, checked: NULL when absent, false when bad. */
static bool
filter(struct http_req *req, struct http_resp *resp, const char *name,
    bool (*ok)(const char *), const char **out)
{
	*out = http_req_query(req, name);
	if (*out == NULL || ok(*out))
		return true;
	http_resp_error(resp, 400, "malformed",
	    "A filter of the run log is not one it knows.", NULL);
	return false;
}

static bool
workflow_id_ok(const char *s)
{
	return id_valid(s, "wf_");
}

static bool
event_id_ok(const char *s)
{
	return id_valid(s, "evt_");
}

static bool
status_ok(const char *s)
{
	return strcmp(s, "running") == 0 || strcmp(s, "succeeded") == 0 ||
	    strcmp(s, "failed") == 0;
}

void
api_runs_list(struct http_req *req, struct http_resp *resp)
{
	struct run_filter f;
	cJSON *out;
	int rc;

	if (!api_page(req, resp, "run_", &f.cursor, &f.limit) ||
	    !filter(req, resp, "workflow_id", workflow_id_ok, &f.workflow_id) ||
	    !filter(req, resp, "status", status_ok, &f.status) ||
	    !filter(req, resp, "event_id", event_id_ok, &f.event_id))
		return;
	rc = run_list_json(api_db(req), api_who(req)->workspace_id, &f, &out);
	api_reply(resp, rc, 200, out);
}
