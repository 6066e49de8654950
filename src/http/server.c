/*
 * The HTTP server: libmicrohttpd with a pool of threads, each request
 * routed, its body buffered up to the route's limit, passed through the
 * application's before hook and handled; one log line and the request
 * metrics when it completes (see http.h).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/num.h"
#include "core/rc.h"
#include "http/http.h"

#define CONNECTION_TIMEOUT_S 30
#define CONNECTION_LIMIT 4096
/*
 * A body past its limit is read and thrown away, so that the client gets
 * its 413 once the body ends; one that goes on past this many bytes is cut
 * off instead.  Reading costs no memory, so the bound is generous: a
 * client that mistakenly sends a file of a few megabytes is told why.
 */
#define DISCARD_MAX (16 * 1024 * 1024)

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_app *app;
	atomic_int in_flight;
	int port;
};

struct request_ctx {
	struct http_req req;
	struct http_resp resp;
	struct http_server *srv;
	int64_t started_us;
	size_t max_body;
	size_t discarded;
	bool counted;
};

/*
 * XXX: libmicrohttpd 0.9.75 ends a header value, and the request line, at
 * a raw NUL byte and reports only what comes before it, sizes included, so
 * "Bearer TOKEN\0junk" reads as the token.  A libmicrohttpd that refuses
 * such requests, or a proxy in front that does, would fix it.
 */
const char *
http_req_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
http_req_cookie(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *
http_req_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

void
http_req_peer(const struct http_req *req, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)size);
}

bool
http_req_is_type(const struct http_req *req, const char *type)
{
	const char *ct = http_req_header(req, "Content-Type");
	size_t n = strlen(type);

	if (ct == NULL || strncasecmp(ct, type, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static void
add_common_headers(struct request_ctx *ctx)
{
	struct http_resp *resp = &ctx->resp;
	const struct http_route *r = ctx->req.route;

	http_resp_header(resp, "X-Request-Id", ctx->req.id);
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	if (r && (r->flags & HTTP_CORS))
		http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	if (strncmp(ctx->req.path, "/api/", 5) == 0)
		http_resp_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result
send_response(struct request_ctx *ctx, struct MHD_Connection *c)
{
	struct http_resp *resp = &ctx->resp;
	struct MHD_Response *r;
	enum MHD_Result ok;

	add_common_headers(ctx);
	r = MHD_create_response_from_buffer(resp->len,
	    resp->body ? resp->body : (char *)"",
	    resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	resp->body = NULL; /* the response frees it now */
	if (resp->content_type)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
		    resp->headers[i].value);
	ok = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ok;
}

/* The CORS preflight of a public route: which methods and headers. */
static void
answer_preflight(struct request_ctx *ctx)
{
	struct http_resp *resp = &ctx->resp;

	resp->status = 204;
	http_resp_header(resp, "Access-Control-Allow-Methods", "POST, OPTIONS");
	http_resp_header(resp, "Access-Control-Allow-Headers",
	    "Content-Type, Idempotency-Key");
	http_resp_header(resp, "Access-Control-Max-Age", "86400");
}

static const struct http_route *
find_cors_route(const struct http_app *app, const char *path,
    struct http_req *req)
{
	bool known;

	for (size_t i = 0; i < app->nroutes; i++) {
		const struct http_route *r = &app->routes[i];

		if ((r->flags & HTTP_CORS) &&
		    http_route_match(r, 1, r->method, path, req, &known))
			return r;
	}
	return NULL;
}

static bool
takes_no_body(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	    strcmp(method, "DELETE") == 0 || strcmp(method, "OPTIONS") == 0;
}

static void
answer_unrouted(struct request_ctx *ctx, bool known)
{
	const struct http_app *app = ctx->srv->app;
	struct http_req *req = &ctx->req;
	char methods[48], allow[64];
	bool cors;

	/* A public route's path answers cross-origin, whatever the method. */
	if ((cors = find_cors_route(app, req->path, req) != NULL))
		http_resp_header(&ctx->resp, "Access-Control-Allow-Origin",
		    "*");
	if (known) {
		http_route_methods(app->routes, app->nroutes, req->path, req,
		    methods, sizeof(methods));
		snprintf(allow, sizeof(allow), "%s%s", methods,
		    cors ? ", OPTIONS" : "");
		http_resp_header(&ctx->resp, "Allow", allow);
	}
	http_resp_error(&ctx->resp, known ? 405 : 404,
	    known ? "method_not_allowed" : "not_found",
	    known ? "This method is not allowed here."
		  : "There is nothing at this address.",
	    NULL);
}

/* Whether the announced Content-Length fits; a malformed one does not. */
static bool
length_fits(struct MHD_Connection *c, size_t max)
{
	const char *len =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	int64_t n;

	if (len == NULL)
		return true;
	return num_parse_i64(len, 0, INT64_MAX, &n) == PB_OK &&
	    (uint64_t)n <= max;
}

/*
 * Routes a new request and admits it.  Returns false when the answer is
 * already known (no such route, preflight, body announced too large,
 * refused by the application) and the body is not to be read.
 */
static bool
route_request(struct request_ctx *ctx, struct MHD_Connection *c)
{
	const struct http_app *app = ctx->srv->app;
	struct http_req *req = &ctx->req;
	bool known;

	if (strcmp(req->method, "OPTIONS") == 0 &&
	    (req->route = find_cors_route(app, req->path, req))) {
		answer_preflight(ctx);
		return false;
	}
	req->route = http_route_match(app->routes, app->nroutes, req->method,
	    req->path, req, &known);
	if (req->route == NULL) {
		answer_unrouted(ctx, known);
		return false;
	}
	ctx->max_body =
	    req->route->max_body ? req->route->max_body : HTTP_BODY_DEFAULT_MAX;
	if (takes_no_body(req->method))
		ctx->max_body = 0;
	if (!length_fits(c, ctx->max_body)) {
		http_resp_error(&ctx->resp, 413, "too_large",
		    "The request body is too large.", NULL);
		return false;
	}
	return app->admit == NULL || app->admit(req, &ctx->resp);
}

static struct request_ctx *
request_new(struct http_server *srv, struct MHD_Connection *c, const char *url,
    const char *method)
{
	struct request_ctx *ctx = xcalloc(1, sizeof(*ctx));

	ctx->srv = srv;
	ctx->started_us = clock_mono_us();
	id_new("req_", ctx->req.id);
	ctx->req.method = method;
	ctx->req.path = url;
	ctx->req.conn = c;
	buf_init(&ctx->req.body, 0);
	atomic_fetch_add(&srv->in_flight, 1);
	ctx->counted = true;
	return ctx;
}

static void
take_upload(struct request_ctx *ctx, const char *data, size_t n)
{
	struct buf *body = &ctx->req.body;

	body->max = ctx->max_body;
	if (ctx->discarded || buf_append(body, data, n) != PB_OK)
		ctx->discarded += n;
}

/*
 * Whether to drop the connection of a request whose body went on too far
 * past its limit.  Its 413 cannot go sooner than the body's end:
 * libmicrohttpd takes a response only before the first byte of a body or
 * after the last (MHD_queue_response fails in between).  Dropping makes
 * it log "Application reported internal error", so a line of our own
 * says why first.
 * XXX: a chunked body past its limit gets its 413 only after its last
 * chunk; an HTTP library that can answer mid-upload would fix it.
 */
static bool
body_cut_off(const struct request_ctx *ctx)
{
	if (ctx->discarded <= DISCARD_MAX)
		return false;
	log_warn(ctx->req.id, "http.body_cut_off", "limit=%zu read=%zu",
	    ctx->max_body, ctx->req.body.len + ctx->discarded);
	return true;
}

static void
handle(struct request_ctx *ctx)
{
	const struct http_app *app = ctx->srv->app;

	if (ctx->discarded) {
		http_resp_error(&ctx->resp, 413, "too_large",
		    "The request body is too large.", NULL);
		return;
	}
	if (app->before && !app->before(&ctx->req, &ctx->resp))
		return;
	ctx->req.route->handler(&ctx->req, &ctx->resp);
	if (ctx->resp.status == 0)
		http_resp_error(&ctx->resp, 500, "internal",
		    "Something went wrong on our side.", NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct request_ctx *ctx = *con_cls;

	(void)version;
	if (ctx == NULL) {
		ctx = request_new(cls, c, url, method);
		*con_cls = ctx;
		if (!route_request(ctx, c))
			return send_response(ctx, c);
		return MHD_YES;
	}
	if (*upload_size) {
		take_upload(ctx, upload, *upload_size);
		*upload_size = 0;
		return body_cut_off(ctx) ? MHD_NO : MHD_YES;
	}
	handle(ctx);
	return send_response(ctx, c);
}

/* The method as a metric label: one of a fixed few, never the client's. */
static const char *
method_label(const char *method)
{
	static const char *const known[] = {"GET", "POST", "PATCH", "PUT",
	    "DELETE", "OPTIONS", "HEAD"};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(method, known[i]) == 0)
			return known[i];
	return "other";
}

/* The path as the log shows it: never a key that it may hold. */
static const char *
shown_path(const struct request_ctx *ctx, char *out, size_t size)
{
	const struct http_app *app = ctx->srv->app;
	const struct http_route *r = ctx->req.route;

	if (r && (r->flags & HTTP_KEY_IN_PATH))
		return r->pattern;
	if (r)
		return ctx->req.path;
	/* A near miss of a keyed route (404, 405) may hold a key as well. */
	http_route_redact(app->routes, app->nroutes, ctx->req.path, out, size);
	return out;
}

static void
record(const struct request_ctx *ctx, int64_t us)
{
	const char *route = ctx->req.route ? ctx->req.route->pattern : "-";
	char labels[200], path[256], method[40], peer[64], shown[256];

	snprintf(labels, sizeof(labels),
	    "route=\"%s\",method=\"%s\",code=\"%d\"", route,
	    method_label(ctx->req.method), ctx->resp.status);
	metrics_add("pitchbar_http_requests_total", labels, 1);
	snprintf(labels, sizeof(labels), "route=\"%s\"", route);
	metrics_observe("pitchbar_http_request_duration_seconds", labels,
	    (double)us / 1e6);
	http_req_peer(&ctx->req, peer, sizeof(peer));
	log_info(ctx->req.id, "http.request",
	    "method=%s path=%s status=%d ms=%.2f peer=%s",
	    log_esc(method, sizeof(method), ctx->req.method),
	    log_esc(path, sizeof(path), shown_path(ctx, shown, sizeof(shown))),
	    ctx->resp.status, (double)us / 1000, peer);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode code)
{
	struct request_ctx *ctx = *con_cls;
	struct http_server *srv = cls;

	(void)c;
	if (ctx == NULL)
		return;
	if (code == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		record(ctx, clock_mono_us() - ctx->started_us);
	else
		log_info(ctx->req.id, "http.aborted", "code=%d", (int)code);
	if (srv->app->after)
		srv->app->after(&ctx->req);
	for (int i = 0; i < ctx->req.nparams; i++)
		free(ctx->req.params[i]);
	buf_release(&ctx->req.body);
	http_resp_release(&ctx->resp);
	if (ctx->counted)
		atomic_fetch_sub(&srv->in_flight, 1);
	free(ctx);
	*con_cls = NULL;
}

static size_t
on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return http_unescape(s);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512], esc[600];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warn(NULL, "http.server", "msg=%s", log_esc(esc, sizeof(esc), msg));
}

/* Resolves "HOST:PORT" or "[V6]:PORT" into a socket address. */
static int
parse_listen(const char *listen, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
	struct addrinfo hints = {0}, *res = NULL;
	const char *colon = strrchr(listen, ':');
	char host[256];
	size_t hlen;

	if (colon == NULL || colon == listen)
		goto bad;
	hlen = (size_t)(colon - listen);
	if (listen[0] == '[' && colon[-1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	hints.ai_flags = AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || res == NULL)
		goto bad;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return PB_OK;
bad:
	snprintf(err, errlen, "PITCHBAR_LISTEN: expects HOST:PORT, got %s",
	    listen);
	return PB_ERR_INVALID;
}

int
http_server_start(const char *listen, int threads, const struct http_app *app,
    struct http_server **out, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct http_server *srv;
	struct sockaddr_storage ss = {0};
	const union MHD_DaemonInfo *info;
	int rc;

	if ((rc = parse_listen(listen, &ss, err, errlen)) != PB_OK)
		return rc;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv = xcalloc(1, sizeof(*srv));
	srv->app = app;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)CONNECTION_LIMIT, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		snprintf(err, errlen,
		    "PITCHBAR_LISTEN: cannot listen on %s "
		    "(address in use?)",
		    listen);
		free(srv);
		return PB_ERR_IO;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	*out = srv;
	return PB_OK;
}

int
http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_server_stop(struct http_server *srv, int64_t deadline_ms)
{
	int fd;

	if (srv == NULL)
		return;
	fd = MHD_quiesce_daemon(srv->daemon);
	if (fd >= 0)
		close(fd);
	while (
	    atomic_load(&srv->in_flight) > 0 && clock_mono_ms() < deadline_ms)
		usleep(10000);
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
