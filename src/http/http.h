/*
 * HTTP requests and responses as the rest of the service sees them, with
 * no trace of libmicrohttpd.  The server (server.c) reads a request, finds
 * its route, buffers its body up to the route's limit, calls the
 * application's before hook (authentication, the permission check) and
 * then the route's handler, which fills in the response.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/id.h"

#define HTTP_PARAMS_MAX 4
#define HTTP_RESP_HEADERS_MAX 16
/* Bodies of JSON requests; GET, HEAD, DELETE and OPTIONS take none. */
#define HTTP_BODY_DEFAULT_MAX (64 * 1024)

struct http_req;
struct http_resp;

typedef void (*http_handler)(struct http_req *req, struct http_resp *resp);

/* Route flags. */
#define HTTP_CORS 0x1 /* public, cross-origin: preflight and CORS headers */
#define HTTP_KEY_IN_PATH 0x2 /* the path holds a key: log the pattern */

struct http_route {
	const char *method;
	const char *pattern; /* "/api/v1/webhooks/{id}" */
	int permission; /* meaning given by the application */
	http_handler handler;
	size_t max_body; /* 0 for HTTP_BODY_DEFAULT_MAX */
	int flags;
	const char *arg; /* for the handler: the file a page route serves */
};

struct http_req {
	char id[ID_SIZE];
	const char *method;
	const char *path;
	const struct http_route *route;
	char *params[HTTP_PARAMS_MAX]; /* the {name} segments, in order */
	int nparams;
	struct buf body;
	void *conn; /* the server's connection, for header lookups */
	void *app_ctx; /* the application's per-request state */
};

struct http_header {
	char *name;
	char *value;
};

struct http_resp {
	int status;
	const char *content_type;
	char *body; /* owned; freed with the response */
	size_t len;
	struct http_header headers[HTTP_RESP_HEADERS_MAX];
	int nheaders;
};

/* The application behind a server. */
struct http_app {
	const struct http_route *routes;
	size_t nroutes;
	/*
	 * Runs once the headers are in, before any of the body is read (so
	 * that no stranger can make the server hold bodies): who is asking
	 * and whether the route allows it.  Returns false when it has filled
	 * in the response (401, 403, 503).
	 */
	bool (*admit)(struct http_req *req, struct http_resp *resp);
	/*
	 * Runs before the handler, once the body is in; returns false when
	 * it has filled in the response itself and the handler must not run.
	 */
	bool (*before)(struct http_req *req, struct http_resp *resp);
	/* Runs once the response is sent or the request abandoned. */
	void (*after)(struct http_req *req);
};

/* Header value of the request, or NULL (names are case-insensitive). */
const char *http_req_header(const struct http_req *req, const char *name);
/* A cookie of the request, or NULL. */
const char *http_req_cookie(const struct http_req *req, const char *name);
/* Query-string argument, or NULL; decoded by http_unescape(). */
const char *http_req_query(const struct http_req *req, const char *name);
/* The client's address as text. */
void http_req_peer(const struct http_req *req, char *out, size_t size);
/*
 * Whether the request's Content-Type is type (parameters such as charset
 * ignored, case-insensitive).
 */
bool http_req_is_type(const struct http_req *req, const char *type);

/* A form body's pairs, decoded (application/x-www-form-urlencoded). */
struct http_form_pair {
	char *key;
	char *value;
	size_t value_len;
};
struct http_form {
	struct http_form_pair *pairs;
	size_t n;
};
/*
 * Parses body as a form: PB_ERR_TOO_LARGE past max_pairs, PB_ERR_INVALID
 * for a NUL inside a key.  Values may hold NULs; value_len tells.
 */
int http_form_parse(const char *body, size_t len, size_t max_pairs,
    struct http_form *form);
void http_form_release(struct http_form *form);

/* Adds a header to the response (both strings are copied). */
void
http_resp_header(struct http_resp *resp, const char *name, const char *value);
/* Sets a JSON body; takes ownership of json and frees it. */
void http_resp_json(struct http_resp *resp, int status, cJSON *json);
/* Sets a body the response copies. */
void http_resp_text(struct http_resp *resp, int status, const char *type,
    const char *body, size_t len);
/*
 * The error body {"error": {"code", "message", "fields"}}; fields may be
 * NULL and is owned by the response otherwise.
 */
void http_resp_error(struct http_resp *resp, int status, const char *code,
    const char *message, cJSON *fields);
/* Releases what the response holds. */
void http_resp_release(struct http_resp *resp);

/*
 * Decodes the %HH escapes of the C string s in place and returns its new
 * length.  %00 alone is left as it is: the path and query arguments are
 * read as C strings, so a NUL would cut them short ("/webhooks/ID%00junk"
 * would find webhook ID).
 */
size_t http_unescape(char *s);

/* Finds the route for method and path, filling req's params. */
const struct http_route *
http_route_match(const struct http_route *routes, size_t n, const char *method,
    const char *path, struct http_req *req, bool *path_known);
/* The methods routed at path, as an Allow header lists them: "GET, POST". */
void http_route_methods(const struct http_route *routes, size_t n,
    const char *path, struct http_req *req, char *out, size_t outlen);
/*
 * path as a log line may show it when no route matched: each segment in
 * the place of a {name} of a HTTP_KEY_IN_PATH route, reached through that
 * route's literal segments, is written {name}.  Literal segments compare
 * without case and empty segments are skipped, so that near misses such
 * as "//Widget/v1/KEY" hide the key too.  Cut to fit outlen.
 */
void http_route_redact(const struct http_route *routes, size_t n,
    const char *path, char *out, size_t outlen);

struct http_server;

/* Starts serving app on listen ("HOST:PORT"); err says why it could not. */
int
http_server_start(const char *listen, int threads, const struct http_app *app,
    struct http_server **out, char *err, size_t errlen);
/* The port actually bound (when listen asked for port 0). */
int http_server_port(const struct http_server *srv);
/*
 * Stops accepting, waits until deadline_ms (of clock_mono_ms()) for the
 * requests in flight, then stops and frees the server.
 */
void http_server_stop(struct http_server *srv, int64_t deadline_ms);

#endif
