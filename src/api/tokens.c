/* /api/v1/tokens: the caller's API tokens. */
#include <string.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"

#define TOKEN_NAME_MAX 100

void
api_tokens_list(struct http_req *req, struct http_resp *resp)
{
	cJSON *out;
	int rc = token_list_json(api_db(req), api_who(req), &out);

	api_reply(resp, rc, 200, out);
}

void
api_tokens_create(struct http_req *req, struct http_resp *resp)
{
	static const char *const names[] = {"name", NULL};
	cJSON *body = api_json_fields(req, resp, names), *out, *fields;
	const char *name;
	char id[ID_SIZE], *token;
	int rc;

	if (body == NULL)
		return;
	name = json_str(body, "name");
	if (name == NULL || *name == '\0' ||
	    utf8_chars(name, strlen(name)) > TOKEN_NAME_MAX) {
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields, "name",
		    "must be 1 to 100 characters");
		api_invalid(resp, fields);
		cJSON_Delete(body);
		return;
	}
	rc = token_issue(api_db(req), api_who(req), api_who(req), name, &token,
	    id);
	if (rc != PB_OK) {
		api_fail(resp, rc);
	} else {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "id", id);
		cJSON_AddStringToObject(out, "name", name);
		cJSON_AddStringToObject(out, "token", token);
		json_add_time(out, "created_at", clock_now_ms());
		http_resp_json(resp, 201, out);
		secret_free(token);
	}
	cJSON_Delete(body);
}

void
api_tokens_revoke(struct http_req *req, struct http_resp *resp)
{
	int rc;

	if (!id_valid(req->params[0], "tok_")) {
		api_not_found(resp);
		return;
	}
	rc = token_revoke(api_db(req), api_who(req), req->params[0]);
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		resp->status = 204;
}
