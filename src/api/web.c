/*
 * The web app: static files built into the binary from web/, served with
 * a Content-Security-Policy that allows no inline script.  Pages hold no
 * data; their scripts read it from the JSON API with the session cookie.
 */
#include <string.h>

#include "api/api.h"
#include "core/embed.h"

#define PAGE_POLICY                                                            \
	"default-src 'self'; script-src 'self'; style-src 'self'; "            \
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; "        \
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

struct file_type {
	const char *suffix;
	const char *content_type;
};

static const struct file_type file_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".svg", "image/svg+xml"},
};

static const struct embed_file *
find_file(const char *name)
{
	for (const struct embed_file *f = web_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static const char *
type_of(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(file_types) / sizeof(file_types[0]);
	     i++) {
		size_t s = strlen(file_types[i].suffix);

		if (n > s && strcmp(name + n - s, file_types[i].suffix) == 0)
			return file_types[i].content_type;
	}
	return NULL;
}

static void
serve_file(struct http_resp *resp, const char *name)
{
	const struct embed_file *f = find_file(name);
	const char *type = f ? type_of(name) : NULL;

	if (type == NULL) {
		api_not_found(resp);
		return;
	}
	http_resp_text(resp, 200, type, (const char *)f->data, f->len);
	http_resp_header(resp, "Cache-Control", "no-cache");
	if (strncmp(type, "text/html", 9) == 0) {
		http_resp_header(resp, "Content-Security-Policy", PAGE_POLICY);
		http_resp_header(resp, "X-Frame-Options", "DENY");
		http_resp_header(resp, "Referrer-Policy", "same-origin");
	}
}

void
api_web_page(struct http_req *req, struct http_resp *resp)
{
	serve_file(resp, req->route->arg);
}

void
api_web_asset(struct http_req *req, struct http_resp *resp)
{
	const char *name = req->params[0];

	/* Pages have routes of their own; assets are scripts, styles. */
	if (strchr(name, '/') || type_of(name) == NULL ||
	    strcmp(type_of(name), file_types[0].content_type) == 0) {
		api_not_found(resp);
		return;
	}
	serve_file(resp, name);
}

void
api_web_redirect(struct http_req *req, struct http_resp *resp)
{
	resp->status = 302;
	http_resp_header(resp, "Location", req->route->arg);
}
