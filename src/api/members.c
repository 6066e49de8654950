/* /api/v1/members: who is in the workspace, with which role. */
#include <stdlib.h>
#include <string.h>

#include "accounts/member.h"
#include "api/api.h"
#include "core/config.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"

static void
fail_change(struct http_resp *resp, int rc, const char *why,
    const char *conflict_code)
{
	cJSON *fields;

	switch (rc) {
	case PB_ERR_DENIED:
		http_resp_error(resp, 403, "forbidden", why, NULL);
		break;
	case PB_ERR_CONFLICT:
		http_resp_error(resp, 409, conflict_code, why, NULL);
		break;
	case PB_ERR_INVALID:
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields,
		    strncmp(why, "name", 4) == 0 ? "name" : "email", why);
		api_invalid(resp, fields);
		break;
	default:
		api_fail(resp, rc);
	}
}

/* The role member of body, or false with a 422 answer. */
static bool
read_role(struct http_resp *resp, const cJSON *body, enum role *role)
{
	const char *s = json_str(body, "role");
	cJSON *fields;

	if (s && role_parse(s, role) == PB_OK)
		return true;
	fields = cJSON_CreateObject();
	cJSON_AddStringToObject(fields, "role",
	    "must be owner, admin or member");
	api_invalid(resp, fields);
	return false;
}

static void
answer_member(struct http_req *req, struct http_resp *resp, int status,
    const char *user_id, char *password)
{
	cJSON *out;
	int rc = member_get_json(api_db(req), api_who(req)->workspace_id,
	    user_id, &out);

	if (rc != PB_OK) {
		api_fail(resp, rc);
		return;
	}
	if (password)
		cJSON_AddStringToObject(out, "password", password);
	http_resp_json(resp, status, out);
}

void
api_members_list(struct http_req *req, struct http_resp *resp)
{
	cJSON *out;
	int rc =
	    member_list_json(api_db(req), api_who(req)->workspace_id, &out);

	api_reply(resp, rc, 200, out);
}

void
api_members_add(struct http_req *req, struct http_resp *resp)
{
	bool fast = config_get()->password_cost == CONFIG_COST_INTERACTIVE;
	static const char *const names[] = {"email", "role", "name", NULL};
	cJSON *body = api_json_fields(req, resp, names);
	struct member_added added;
	const char *why = "";
	enum role role;
	int rc;

	if (body == NULL)
		return;
	if (read_role(resp, body, &role)) {
		rc = member_add(api_db(req), api_who(req),
		    json_str(body, "email") ? json_str(body, "email") : "",
		    json_str(body, "name"), NULL, role, fast, &added, &why);
		if (rc != PB_OK)
			fail_change(resp, rc, why, "already_member");
		else
			answer_member(req, resp, 201, added.user_id,
			    added.password);
		secret_free(added.password);
	}
	cJSON_Delete(body);
}

static const char *
path_user(const struct http_req *req)
{
	return id_valid(req->params[0], "usr_") ? req->params[0] : NULL;
}

void
api_members_update(struct http_req *req, struct http_resp *resp)
{
	static const char *const names[] = {"role", NULL};
	const char *why = "";
	enum role role;
	cJSON *body;
	int rc;

	if (path_user(req) == NULL) {
		api_not_found(resp);
		return;
	}
	if ((body = api_json_fields(req, resp, names)) == NULL)
		return;
	if (read_role(resp, body, &role)) {
		rc = member_set_role(api_db(req), api_who(req), path_user(req),
		    role, &why);
		if (rc != PB_OK)
			fail_change(resp, rc, why, "last_owner");
		else
			answer_member(req, resp, 200, path_user(req), NULL);
	}
	cJSON_Delete(body);
}

void
api_members_remove(struct http_req *req, struct http_resp *resp)
{
	const char *why = "";
	int rc;

	if (path_user(req) == NULL) {
		api_not_found(resp);
		return;
	}
	rc = member_remove(api_db(req), api_who(req), path_user(req), &why);
	if (rc != PB_OK)
		fail_change(resp, rc, why, "last_owner");
	else
		resp->status = 204;
}
