/*
 * Every route of the service, with its method, path and the permission it
 * requires, and the one check that enforces it: the before hook finds who
 * the request acts as and refuses it (401, 403) before any handler runs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/alloc.h"
#include "core/metrics.h"
#include "core/rc.h"
#include "db/db.h"
#include "leads/lead.h"

/* What a request carries through the API layer. */
struct api_ctx {
	struct db *db;
	struct principal who;
};

static struct db_pool *api_pool;

#define WIDGET_MAX (LEAD_BODY_MAX)

#define ROUTE(method, pattern, permission, handler)                            \
	{                                                                      \
		method, pattern, permission, handler, 0, 0, NULL               \
	}
#define PAGE(pattern, file)                                                    \
	{                                                                      \
		"GET", pattern, PERM_PUBLIC, api_web_page, 0, 0, file          \
	}
#define REDIRECT(pattern, to)                                                  \
	{                                                                      \
		"GET", pattern, PERM_PUBLIC, api_web_redirect, 0, 0, to        \
	}

static const struct http_route routes[] = {
    ROUTE("GET", "/healthz", PERM_PUBLIC, api_health),
    ROUTE("GET", "/readyz", PERM_PUBLIC, api_ready),
    ROUTE("GET", "/metrics", PERM_PUBLIC, api_metrics),
    {"POST", "/widget/v1/{widget_key}/leads", PERM_PUBLIC, api_widget_lead,
	WIDGET_MAX, HTTP_CORS, NULL},
    ROUTE("GET", "/api/v1/leads", PERM_VIEW, api_leads_list),
    ROUTE("GET", "/api/v1/webhooks", PERM_VIEW, api_webhooks_list),
    ROUTE("POST", "/api/v1/webhooks", PERM_MANAGE, api_webhooks_create),
    ROUTE("GET", "/api/v1/webhooks/{id}", PERM_VIEW, api_webhooks_get),
    ROUTE("PATCH", "/api/v1/webhooks/{id}", PERM_MANAGE, api_webhooks_update),
    ROUTE("DELETE", "/api/v1/webhooks/{id}", PERM_MANAGE, api_webhooks_delete),
    ROUTE("GET", "/api/v1/webhooks/{id}/deliveries", PERM_VIEW,
	api_webhook_deliveries),
    ROUTE("GET", "/api/v1/deliveries/{id}", PERM_VIEW, api_delivery_get),
    ROUTE("POST", "/api/v1/deliveries/{id}/redeliver", PERM_MANAGE,
	api_delivery_redeliver),
    ROUTE("GET", "/api/v1/workflow-runs/{id}", PERM_VIEW, api_run_get),
    /* The web app: pages, their assets, the widget's script. */
    REDIRECT("/", "/app/integrations"),
    REDIRECT("/app", "/app/integrations"),
    PAGE("/login", "login.html"),
    PAGE("/app/integrations", "integrations.html"),
    PAGE("/app/integrations/webhooks", "webhooks.html"),
    PAGE("/demo/{widget_key}", "demo.html"),
    PAGE("/widget/v1/widget.js", "widget.js"),
    ROUTE("GET", "/assets/{file}", PERM_PUBLIC, api_web_asset),
};

struct db *
api_db(const struct http_req *req)
{
	return ((struct api_ctx *)req->app_ctx)->db;
}

const struct principal *
api_who(const struct http_req *req)
{
	return &((struct api_ctx *)req->app_ctx)->who;
}

bool
api_can_manage(const struct http_req *req)
{
	return role_allows(api_who(req)->role, PERM_MANAGE);
}

/* Finds who the request acts as; false with 401 in resp otherwise. */
static bool
authenticate(struct http_req *req, struct http_resp *resp, struct db *db,
    struct principal *who)
{
	const char *auth = http_req_header(req, "Authorization");
	int rc;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
		http_resp_header(resp, "WWW-Authenticate", "Bearer");
		http_resp_error(resp, 401, "unauthenticated",
		    "Sign in, or send an API token as "
		    "\"Authorization: Bearer <token>\".",
		    NULL);
		return false;
	}
	rc = token_authenticate(db, auth + 7, who);
	if (rc == PB_OK)
		return true;
	if (rc != PB_ERR_NOT_FOUND) {
		api_fail(resp, rc);
		return false;
	}
	http_resp_header(resp, "WWW-Authenticate", "Bearer");
	http_resp_error(resp, 401, "unauthenticated",
	    "This API token is not valid (unknown or revoked).", NULL);
	return false;
}

/*
 * The one permission check: the route's required permission against the
 * caller's role, before the body is read and before any handler runs.
 */
static bool
admit(struct http_req *req, struct http_resp *resp)
{
	enum permission need = (enum permission)req->route->permission;
	struct api_ctx *ctx = xcalloc(1, sizeof(*ctx));
	struct db *db;
	bool ok;

	req->app_ctx = ctx;
	if (need == PERM_PUBLIC)
		return true;
	if ((db = db_acquire(api_pool)) == NULL) {
		api_fail(resp, PB_ERR_DB);
		return false;
	}
	ok = authenticate(req, resp, db, &ctx->who);
	db_release(db);
	if (ok && !role_allows(ctx->who.role, need)) {
		http_resp_error(resp, 403, "forbidden",
		    "Only Owners and Admins manage integrations.", NULL);
		ok = false;
	}
	return ok;
}

/* The handler's connection, taken once the body is in. */
static bool
before(struct http_req *req, struct http_resp *resp)
{
	struct api_ctx *ctx = req->app_ctx;

	if ((ctx->db = db_acquire(api_pool)) == NULL) {
		api_fail(resp, PB_ERR_DB);
		return false;
	}
	return true;
}

static void
after(struct http_req *req)
{
	struct api_ctx *ctx = req->app_ctx;

	if (ctx == NULL)
		return;
	db_release(ctx->db);
	free(ctx);
	req->app_ctx = NULL;
}

static const struct http_app app = {
    .routes = routes,
    .nroutes = sizeof(routes) / sizeof(routes[0]),
    .admit = admit,
    .before = before,
    .after = after,
};

const struct http_app *
api_app(struct db_pool *pool)
{
	api_pool = pool;
	metrics_describe("pitchbar_http_requests_total", METRIC_COUNTER,
	    "HTTP requests by route, method and status code.");
	metrics_describe("pitchbar_http_request_duration_seconds",
	    METRIC_HISTOGRAM, "HTTP request latency by route.");
	return &app;
}
