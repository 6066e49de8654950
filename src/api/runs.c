/* /api/v1/workflow-runs: the run log. */
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
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		http_resp_json(resp, 200, out);
}
