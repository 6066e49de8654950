/*
 * /api/v1/leads: what the widget captured, newest first; /api/v1/agents:
 * the agents whose widgets capture them.
 */
#include "api/api.h"
#include "core/rc.h"
#include "leads/lead.h"

void
api_leads_list(struct http_req *req, struct http_resp *resp)
{
	const char *cursor;
	cJSON *out;
	int limit, rc;

	if (!api_page(req, resp, "lead_", &cursor, &limit))
		return;
	rc = lead_list_json(api_db(req), api_who(req)->workspace_id, cursor,
	    limit, &out);
	api_reply(resp, rc, 200, out);
}

void
api_agents_list(struct http_req *req, struct http_resp *resp)
{
	cJSON *out;
	int rc =
	    lead_agents_json(api_db(req), api_who(req)->workspace_id, &out);

	api_reply(resp, rc, 200, out);
}
