/*
 * Every route of the service, with its method, path and the permission it
 * requires, and the one check that enforces it: the before hook finds who
 * the request acts as and refuses it (401, 403) before any handler runs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts/session.h"
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
	char *session_token; /* the cookie's, when a session acts */
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
	WIDGET_MAX, HTTP_CORS | HTTP_KEY_IN_PATH, NULL},
    ROUTE("POST", "/api/v1/session", PERM_PUBLIC, api_session_create),
    ROUTE("GET", "/api/v1/session", PERM_VIEW, api_session_get),
    ROUTE("PUT", "/api/v1/session", PERM_VIEW, api_session_switch),
    ROUTE("DELETE", "/api/v1/session", PERM_VIEW, api_session_delete),
    ROUTE("GET", "/api/v1/integrations", PERM_VIEW, api_integrations_list),
    ROUTE("GET", "/api/v1/members", PERM_VIEW, api_members_list),
    ROUTE("POST", "/api/v1/members", PERM_MANAGE, api_members_add),
    ROUTE("PATCH", "/api/v1/members/{user_id}", PERM_MANAGE,
	api_members_update),
    ROUTE("DELETE", "/api/v1/members/{user_id}", PERM_MANAGE,
	api_members_remove),
    ROUTE("GET", "/api/v1/agents", PERM_VIEW, api_agents_list),
    ROUTE("GET", "/api/v1/tokens", PERM_VIEW, api_tokens_list),
    ROUTE("POST", "/api/v1/tokens", PERM_VIEW, api_tokens_create),
    ROUTE("DELETE", "/api/v1/tokens/{id}", PERM_VIEW, api_tokens_revoke),
    ROUTE("GET", "/api/v1/audit-log", PERM_VIEW, api_audit_list),
    ROUTE("GET", "/api/v1/leads", PERM_VIEW, api_leads_list),
    ROUTE("GET", "/api/v1/webhooks", PERM_VIEW, api_webhooks_list),
    ROUTE("POST", "/api/v1/webhooks", PERM_MANAGE, api_webhooks_create),
    ROUTE("GET", "/api/v1/webhooks/{id}", PERM_VIEW, api_webhooks_get),
    ROUTE("PATCH", "/api/v1/webhooks/{id}", PERM_MANAGE, api_webhooks_update),
    ROUTE("DELETE", "/api/v1/webhooks/{id}", PERM_MANAGE, api_webhooks_delete),
    ROUTE("GET", "/api/v1/webhooks/{id}/deliveries", PERM_VIEW,
	api_webhook_deliveries),
    ROUTE("POST", "/api/v1/webhooks/{id}/rotate-secret", PERM_MANAGE,
	api_webhook_rotate),
    ROUTE("POST", "/api/v1/webhooks/{id}/test", PERM_MANAGE, api_webhook_test),
    ROUTE("POST", "/api/v1/webhooks/{id}/redeliver-failed", PERM_MANAGE,
	api_webhook_redeliver_failed),
    ROUTE("GET", "/api/v1/deliveries/{id}", PERM_VIEW, api_delivery_get),
    ROUTE("POST", "/api/v1/deliveries/{id}/redeliver", PERM_MANAGE,
	api_delivery_redeliver),
    ROUTE("GET", "/api/v1/workflows", PERM_VIEW, api_workflows_list),
    ROUTE("POST", "/api/v1/workflows", PERM_MANAGE, api_workflows_create),
    ROUTE("GET", "/api/v1/workflows/{id}", PERM_VIEW, api_workflows_get),
    ROUTE("PATCH", "/api/v1/workflows/{id}", PERM_MANAGE, api_workflows_update),
    ROUTE("DELETE", "/api/v1/workflows/{id}", PERM_MANAGE,
	api_workflows_delete),
    ROUTE("GET", "/api/v1/workflow-runs", PERM_VIEW, api_runs_list),
    ROUTE("GET", "/api/v1/workflow-runs/{id}", PERM_VIEW, api_run_get),
    /* The web app: pages, their assets, the widget's script. */
    REDIRECT("/", "/app/integrations"),
    REDIRECT("/app", "/app/integrations"),
    PAGE("/login", "login.html"),
    PAGE("/app/integrations", "integrations.html"),
    PAGE("/app/integrations/webhooks", "webhooks.html"),
    PAGE("/app/workflows", "workflows.html"),
    {"GET", "/demo/{widget_key}", PERM_PUBLIC, api_widget_demo, 0,
	HTTP_KEY_IN_PATH, "demo.html"},
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

const char *
api_session_token(const struct http_req *req)
{
	return ((struct api_ctx *)req->app_ctx)->session_token;
}

bool
api_can_manage(const struct http_req *req)
{
	return role_allows(api_who(req)->role, PERM_MANAGE);
}

static bool
unauthenticated(struct http_resp *resp, const char *message)
{
	http_resp_header(resp, "WWW-Authenticate", "Bearer");
	http_resp_error(resp, 401, "unauthenticated", message, NULL);
	return false;
}

static bool
changes_state(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	    strcmp(method, "OPTIONS") != 0;
}

/* A change made with the cookie must carry the session's CSRF token. */
static bool
csrf_ok(struct http_req *req, const char *session_token)
{
	const char *sent = http_req_header(req, "X-CSRF-Token");
	char want[SECRET_DIGEST_SIZE];

	if (!changes_state(req->method))
		return true;
	session_csrf(session_token, want);
	return sent && strlen(sent) == strlen(want) &&
	    secret_equal(sent, want, strlen(want));
}

static bool
by_session(struct http_req *req, struct http_resp *resp, struct db *db,
    struct api_ctx *ctx, const char *cookie)
{
	int rc = session_authenticate(db, cookie, &ctx->who);

	if (rc == PB_ERR_NOT_FOUND)
		return unauthenticated(resp,
		    "Your session has ended; sign in "
		    "again.");
	if (rc != PB_OK) {
		api_fail(resp, rc);
		return false;
	}
	if (!csrf_ok(req, cookie)) {
		http_resp_error(resp, 403, "csrf",
		    "This change lacks the "
		    "session's X-CSRF-Token; reload the page.",
		    NULL);
		return false;
	}
	ctx->session_token = xstrdup(cookie);
	return true;
}

/*
 * Finds who the request acts as: an API token, else the session cookie;
 * false with the answer (401, 403 for a missing CSRF token) in resp.
 */
static bool
authenticate(struct http_req *req, struct http_resp *resp, struct db *db,
    struct api_ctx *ctx)
{
	const char *auth = http_req_header(req, "Authorization");
	const char *cookie = http_req_cookie(req, SESSION_COOKIE);
	int rc;

	if (auth == NULL && cookie)
		return by_session(req, resp, db, ctx, cookie);
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return unauthenticated(resp,
		    "Sign in, or send an API token "
		    "as \"Authorization: Bearer <token>\".");
	rc = token_authenticate(db, auth + 7, &ctx->who);
	if (rc == PB_OK)
		return true;
	if (rc != PB_ERR_NOT_FOUND) {
		api_fail(resp, rc);
		return false;
	}
	return unauthenticated(resp,
	    "This API token is not valid (unknown or revoked).");
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
	ok = authenticate(req, resp, db, ctx);
	db_release(db);
	if (ok && !role_allows(ctx->who.role, need)) {
		http_resp_error(resp, 403, "forbidden",
		    "Only Owners and Admins make changes; Members only look.",
		    NULL);
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
	secret_free(ctx->session_token);
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

const struct http_route *
api_routes(size_t *n)
{
	*n = app.nroutes;
	return app.routes;
}

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
