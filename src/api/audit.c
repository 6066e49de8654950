/* /api/v1/audit-log: who changed what, newest first. */
#include "accounts/audit.h"
#include "api/api.h"
#include "core/rc.h"

void
api_audit_list(struct http_req *req, struct http_resp *resp)
{
	const char *cursor;
	cJSON *out;
	int limit, rc;

	if (!api_page(req, resp, "aud_", &cursor, &limit))
		return;
	rc = audit_list_json(api_db(req), api_who(req)->workspace_id, cursor,
	    limit, &out);
	api_reply(resp, rc, 200, out);
}
