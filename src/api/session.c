/* /api/v1/session: signing in and out, and moving between workspaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/session.h"
#include "api/api.h"
#include "core/alloc.h"
#include "core/config.h"
#include "core/json.h"
#include "core/rc.h"

#define PASSWORD_MAX 1024

static void
set_cookie(struct http_resp *resp, const char *token)
{
	bool https = strncmp(config_get()->base_url, "https:", 6) == 0;
	char *cookie = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Lax; "
				 "Max-Age=%lld%s",
	    SESSION_COOKIE, token ? token : "",
	    token ? SESSION_MAX_MS / 1000 : 0LL, https ? "; Secure" : "");

	http_resp_header(resp, "Set-Cookie", cookie);
	secret_free(cookie);
}

/* Answers with the session of who; csrf from the cookie's token. */
static void
answer_session(struct http_req *req, struct http_resp *resp, int status,
    const struct principal *who, const char *token)
{
	char csrf[SECRET_DIGEST_SIZE];
	cJSON *out;
	int rc;

	if (token)
		session_csrf(token, csrf);
	rc = session_json(api_db(req), who, token ? csrf : NULL, &out);
	api_reply(resp, rc, status, out);
}

static void
refuse_sign_in(struct http_resp *resp, int rc, int64_t retry_after)
{
	char wait[24];

	if (rc == PB_ERR_BUSY) {
		snprintf(wait, sizeof(wait), "%lld", (long long)retry_after);
		http_resp_header(resp, "Retry-After", wait);
		http_resp_error(resp, 429, "too_many_attempts",
		    "Too many failed sign-ins; wait a while and try again.",
		    NULL);
	} else if (rc == PB_ERR_NOT_FOUND) {
		http_resp_error(resp, 401, "invalid_credentials",
		    "The e-mail or the password is wrong.", NULL);
	} else {
		api_fail(resp, rc);
	}
}

void
api_session_create(struct http_req *req, struct http_resp *resp)
{
	const char *email, *password, *old;
	struct principal who, old_who;
	char peer[64], *token = NULL;
	int64_t retry_after;
	static const char *const names[] = {"email", "password", NULL};
	cJSON *body;
	int rc;

	if ((body = api_json_fields(req, resp, names)) == NULL)
		return;
	email = json_str(body, "email");
	password = json_str(body, "password");
	if (email == NULL || password == NULL ||
	    strlen(password) > PASSWORD_MAX) {
		http_resp_error(resp, 400, "malformed",
		    "Send {\"email\", \"password\"}.", NULL);
		cJSON_Delete(body);
		return;
	}
	/* A session sent along is never kept: sign-in makes a new one. */
	old = http_req_cookie(req, SESSION_COOKIE);
	if (old && session_authenticate(api_db(req), old, &old_who) == PB_OK)
		session_end(api_db(req), &old_who);
	http_req_peer(req, peer, sizeof(peer));
	rc = session_sign_in(api_db(req), email, password, peer, &token, &who,
	    &retry_after);
	cJSON_Delete(body);
	if (rc != PB_OK) {
		refuse_sign_in(resp, rc, retry_after);
		return;
	}
	set_cookie(resp, token);
	answer_session(req, resp, 200, &who, token);
	secret_free(token);
}

void
api_session_get(struct http_req *req, struct http_resp *resp)
{
	answer_session(req, resp, 200, api_who(req), api_session_token(req));
}

/* The routes below act on the session itself: a token has none. */
static bool
need_session(struct http_req *req, struct http_resp *resp)
{
	if (api_session_token(req))
		return true;
	http_resp_error(resp, 400, "no_session",
	    "An API token acts in one workspace and has no session.", NULL);
	return false;
}

void
api_session_switch(struct http_req *req, struct http_resp *resp)
{
	static const char *const names[] = {"workspace_id", NULL};
	struct principal who = *api_who(req);
	const char *workspace;
	cJSON *body;
	int rc;

	if (!need_session(req, resp) ||
	    (body = api_json_fields(req, resp, names)) == NULL)
		return;
	workspace = json_str(body, "workspace_id");
	rc = workspace && id_valid(workspace, "ws_")
	    ? session_switch(api_db(req), &who, workspace)
	    : PB_ERR_NOT_FOUND;
	cJSON_Delete(body);
	if (rc != PB_OK)
		api_fail(resp, rc);
	else
		answer_session(req, resp, 200, &who, api_session_token(req));
}

void
api_session_delete(struct http_req *req, struct http_resp *resp)
{
	int rc;

	if (!need_session(req, resp))
		return;
	if ((rc = session_end(api_db(req), api_who(req))) != PB_OK) {
		api_fail(resp, rc);
		return;
	}
	set_cookie(resp, NULL);
	resp->status = 204;
}
