/* Helpers every handler shares: bodies, pages, errors (see api.h). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/json.h"
#include "core/num.h"
#include "core/rc.h"

/*
 * Past this many members in one object a body is refused before its keys
 * are compared (which takes time growing with the square of that).
 */
#define OBJECT_MEMBERS_MAX 200

static bool
named_before(const cJSON *obj, const cJSON *member)
{
	for (const cJSON *p = obj->child; p != member; p = p->next)
		if (strcmp(p->string, member->string) == 0)
			return true;
	return false;
}

/* Whether item, or an object or array within it, is wider than allowed. */
static bool
too_wide(const cJSON *item)
{
	const cJSON *m;

	if (cJSON_GetArraySize(item) > OBJECT_MEMBERS_MAX)
		return true;
	cJSON_ArrayForEach(m, item)
	{
		if (too_wide(m))
			return true;
	}
	return false;
}

/* Whether item, or an object or array within it, repeats a key. */
static bool
repeats_key(const cJSON *item)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, item)
	{
		if (cJSON_IsObject(item) && named_before(item, m))
			return true;
		if (repeats_key(m))
			return true;
	}
	return false;
}

/*
 * A key given twice in one object is refused: which of the two was meant
 * cannot be known, and parsers differ on which they keep.  Answers 422
 * naming the body's member that repeats or holds the repetition.
 */
static bool
refuse_repeated_keys(const cJSON *body, struct http_resp *resp)
{
	const cJSON *m;
	const char *why = NULL;
	cJSON *fields;

	cJSON_ArrayForEach(m, body)
	{
		if (named_before(body, m))
			why = "is given more than once";
		else if (repeats_key(m))
			why = "each key may be given once";
		else
			continue;
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields, m->string, why);
		api_invalid(resp, fields);
		return true;
	}
	return false;
}

static cJSON *
refuse_body(struct http_resp *resp, cJSON *body, const char *message)
{
	cJSON_Delete(body);
	http_resp_error(resp, 400, "malformed", message, NULL);
	return NULL;
}

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
		&body) != PB_OK)
		return refuse_body(resp, NULL,
		    "The body must be JSON in UTF-8, without NUL characters "
		    "(\\u0000).");
	if (!cJSON_IsObject(body))
		return refuse_body(resp, body,
		    "The body must be a JSON object.");
	if (too_wide(body))
		return refuse_body(resp, body,
		    "An object or array of the body holds more than 200 "
		    "members.");
	if (refuse_repeated_keys(body, resp)) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

cJSON *
api_json_fields(struct http_req *req, struct http_resp *resp,
    const char *const *names)
{
	cJSON *body = api_json_body(req, resp), *fields = NULL;
	const cJSON *m;
	size_t i;

	cJSON_ArrayForEach(m, body)
	{
		for (i = 0; names[i] && strcmp(names[i], m->string) != 0; i++)
			continue;
		if (names[i])
			continue;
		if (fields == NULL)
			fields = cJSON_CreateObject();
		json_field_error(fields, m->string,
		    "is not a field that can be set");
	}
	if (fields) {
		api_invalid(resp, fields);
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

bool
api_no_body(struct http_req *req, struct http_resp *resp)
{
	static const char *const none[] = {NULL};
	cJSON *body;
	bool ok;

	if (req->body.len == 0)
		return true;
	body = api_json_fields(req, resp, none);
	ok = body != NULL;
	cJSON_Delete(body);
	return ok;
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
