/*
 * POST /widget/v1/{widget_key}/leads: the public lead form endpoint.
 * Takes JSON or a urlencoded form (custom fields as fields[name]=value),
 * answers 201 for a new lead and 200 for a known e-mail.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "leads/lead.h"

static cJSON *
single_field_error(const char *field, const char *message)
{
	cJSON *fields = cJSON_CreateObject();

	cJSON_AddStringToObject(fields, field, message);
	return fields;
}

/*
 * Adds one decoded pair to the JSON object a JSON body would have been:
 * fields[name]=value goes into "fields".  A plain "fields" key has no
 * meaning in a form: PB_ERR_CONFLICT.
 */
static int
add_pair(cJSON *obj, const struct http_form_pair *p)
{
	size_t klen = strlen(p->key);
	char *name = p->key;
	cJSON *target = obj;

	if (!utf8_valid(p->key, klen) || !utf8_valid(p->value, p->value_len) ||
	    strlen(p->value) != p->value_len)
		return PB_ERR_INVALID;
	if (strcmp(name, "fields") == 0)
		return PB_ERR_CONFLICT;
	if (klen > 8 && strncmp(name, "fields[", 7) == 0 &&
	    name[klen - 1] == ']') {
		target = cJSON_GetObjectItemCaseSensitive(obj, "fields");
		if (target == NULL)
			target = cJSON_AddObjectToObject(obj, "fields");
		name[klen - 1] = '\0';
		name += 7;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(target, name);
	cJSON_AddStringToObject(target, name, p->value);
	return PB_OK;
}

static cJSON *
form_body(struct http_req *req, struct http_resp *resp)
{
	cJSON *body = cJSON_CreateObject();
	struct http_form form;
	int rc;

	rc = http_form_parse(req->body.data ? req->body.data : "",
	    req->body.len, LEAD_FIELDS_MAX + 16, &form);
	for (size_t i = 0; rc == PB_OK && i < form.n; i++)
		rc = add_pair(body, &form.pairs[i]);
	http_form_release(&form);
	if (rc == PB_OK)
		return body;
	cJSON_Delete(body);
	if (rc == PB_ERR_TOO_LARGE)
		http_resp_error(resp, 422, "invalid_fields",
		    "The form holds too many fields.", NULL);
	else if (rc == PB_ERR_CONFLICT)
		api_invalid(resp,
		    single_field_error("fields",
			"send custom fields as fields[name]=value"));
	else
		http_resp_error(resp, 400, "malformed",
		    "The form must be UTF-8 text without NUL characters (%00).",
		    NULL);
	return NULL;
}

static cJSON *
widget_body(struct http_req *req, struct http_resp *resp)
{
	if (http_req_is_type(req, "application/x-www-form-urlencoded"))
		return form_body(req, resp);
	if (http_req_is_type(req, "application/json"))
		return api_json_body(req, resp);
	http_resp_error(resp, 415, "unsupported_media_type",
	    "Send the lead as application/json or as "
	    "application/x-www-form-urlencoded.",
	    NULL);
	return NULL;
}

/* The request's fingerprint, for matching a repeated Idempotency-Key. */
static void
request_hash(const struct http_req *req, char out[SECRET_DIGEST_SIZE])
{
	const char *kind =
	    http_req_is_type(req, "application/json") ? "j" : "f";
	size_t klen = strlen(kind), n = klen + req->body.len;
	char *all = xmalloc(n + 1);

	memcpy(all, kind, klen);
	if (req->body.len)
		memcpy(all + klen, req->body.data, req->body.len);
	secret_digest(all, n, out);
	free(all);
}

static void
answer(struct http_resp *resp, struct lead_answer *ans)
{
	if (ans->retry_later)
		http_resp_header(resp, "Retry-After", "1");
	resp->status = ans->status;
	resp->content_type = "application/json";
	resp->body = ans->body;
	resp->len = strlen(ans->body);
	ans->body = NULL;
}

static void
capture(struct http_req *req, struct http_resp *resp,
    const struct lead_agent *agent, const struct lead_input *in)
{
	const char *key = http_req_header(req, "Idempotency-Key");
	char hash[SECRET_DIGEST_SIZE];
	struct lead_answer ans;
	int rc;

	if (key && !lead_idem_key_valid(key)) {
		http_resp_error(resp, 400, "malformed",
		    "Idempotency-Key must be 1 to 255 visible ASCII "
		    "characters.",
		    NULL);
		return;
	}
	if (key)
		request_hash(req, hash);
	rc = lead_capture(api_db(req), agent, in, key, key ? hash : NULL, &ans);
	if (rc != PB_OK) {
		api_fail(resp, rc);
		return;
	}
	answer(resp, &ans);
}

/* The agent of the path's widget key; false with a 404 when none. */
static bool
find_agent(struct http_req *req, struct http_resp *resp,
    struct lead_agent *agent)
{
	int rc = lead_find_agent(api_db(req), req->params[0], agent);

	if (rc == PB_ERR_NOT_FOUND)
		http_resp_error(resp, 404, "not_found",
		    "No agent has this widget key.", NULL);
	else if (rc != PB_OK)
		api_fail(resp, rc);
	return rc == PB_OK;
}

void
api_widget_demo(struct http_req *req, struct http_resp *resp)
{
	struct lead_agent agent;

	if (find_agent(req, resp, &agent))
		api_web_page(req, resp);
}

void
api_widget_lead(struct http_req *req, struct http_resp *resp)
{
	struct lead_agent agent;
	struct lead_input in;
	cJSON *body, *fields;

	if (!find_agent(req, resp, &agent))
		return;
	if ((body = widget_body(req, resp)) == NULL)
		return;
	if (lead_input_parse(body, &in, &fields) != PB_OK) {
		api_invalid(resp, fields);
		fields = NULL;
	} else {
		capture(req, resp, &agent, &in);
	}
	cJSON_Delete(fields);
	lead_input_release(&in);
	cJSON_Delete(body);
}
