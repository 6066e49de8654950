/* Response helpers: JSON bodies, the error shape, headers (see http.h). */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "http/http.h"

void
http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	struct http_header *h;

	if (resp->nheaders == HTTP_RESP_HEADERS_MAX) {
		log_error(NULL, "http.too_many_headers", "name=%s", name);
		return;
	}
	h = &resp->headers[resp->nheaders++];
	h->name = xstrdup(name);
	h->value = xstrdup(value);
}

static void
set_body(struct http_resp *resp, int status, const char *type, char *body,
    size_t len)
{
	free(resp->body);
	resp->status = status;
	resp->content_type = type;
	resp->body = body;
	resp->len = len;
}

void
http_resp_json(struct http_resp *resp, int status, cJSON *json)
{
	char *s = json_print(json);

	cJSON_Delete(json);
	set_body(resp, status, "application/json", s, strlen(s));
}

void
http_resp_text(struct http_resp *resp, int status, const char *type,
    const char *body, size_t len)
{
	set_body(resp, status, type, xstrndup(body, len), len);
}

void
http_resp_error(struct http_resp *resp, int status, const char *code,
    const char *message, cJSON *fields)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");

	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", message);
	if (fields)
		cJSON_AddItemToObject(err, "fields", fields);
	http_resp_json(resp, status, root);
}

void
http_resp_release(struct http_resp *resp)
{
	for (int i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}
