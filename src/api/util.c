/* Helpers every handler shares: bodies, pages, errors (see api.h). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/json.h"
#include "core/num.h"
#include "core/rc.h"

cJSON *
api_json_body(struct http_req *req, struct http_resp *resp)
{
	cJSON *body;

	if (!http_req_is_type(req, "application/json")) {
		http_resp_error(resp, 415, "unsupported_media_type",
		    "Send the body as application/json.", NULL);
		return NULL;
	}
	if (json_parse(req->body.data ? req->body.data : "", req->body.len,
		&body) != PB_OK) {
		http_resp_error(resp, 400, "malformed",
		    "The body is not valid JSON in UTF-8.", NULL);
		return NULL;
	}
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		http_resp_error(resp, 400, "malformed",
		    "The body must be a JSON object.", NULL);
		return NULL;
	}
	return body;
}

bool
api_page(struct http_req *req, struct http_resp *resp, const char *prefix,
    const char **cursor, int *limit)
{
	const char *l = http_req_query(req, "limit");
	int64_t n = API_LIMIT_DEFAULT;

	*cursor = http_req_query(req, "cursor");
	if (l && num_parse_i64(l, 1, API_LIMIT_MAX, &n) != PB_OK) {
		http_resp_error(resp, 400, "malformed",
		    "limit must be a whole number from 1 to 200.", NULL);
		return false;
	}
	if (*cursor && !id_valid(*cursor, prefix)) {
		http_resp_error(resp, 400, "malformed",
		    "cursor must be the next_cursor of a previous page.", NULL);
		return false;
	}
	*limit = (int)n;
	return true;
}

void
api_reply(struct http_resp *resp, int rc, int status, cJSON *out)
{
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		http_resp_json(resp, status, out);
}

void
api_invalid(struct http_resp *resp, cJSON *fields)
{
	http_resp_error(resp, 422, "invalid_fields",
	    "Some fields are missing or invalid.", fields);
}

void
api_fail(struct http_resp *resp, int rc)
{
	switch (rc) {
	case PB_ERR_NOT_FOUND:
		api_not_found(resp);
		break;
	case PB_ERR_CONFLICT:
		http_resp_error(resp, 409, "conflict",
		    "This conflicts with the current state; reload and retry.",
		    NULL);
		break;
	case PB_ERR_DB:
	case PB_ERR_BUSY:
		http_resp_header(resp, "Retry-After", "1");
		http_resp_error(resp, 503, "unavailable",
		    "The service is briefly unavailable; try again.", NULL);
		break;
	default:
		http_resp_error(resp, 500, "internal",
		    "Something went wrong on our side.", NULL);
		break;
	}
}

void
api_not_found(struct http_resp *resp)
{
	http_resp_error(resp, 404, "not_found", "No such object.", NULL);
}
