/*
 * The JSON API: one file per resource, each handler gluing a domain module
 * to its route.  Every route, with its method, path and permission, is in
 * the table of routes.c; the permission check runs there, once, before any
 * handler.  Handlers reach the request's database connection and
 * principal through api_db() and api_who().
 */
#ifndef API_API_H
#define API_API_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "accounts/account.h"
#include "http/http.h"

struct db;
struct db_pool;

#define API_LIMIT_DEFAULT 50
#define API_LIMIT_MAX 200

/* The table of every route, for `pitchbar routes`. */
const struct http_route *api_routes(size_t *n);
/* The application the HTTP server serves; pool must outlive it. */
const struct http_app *api_app(struct db_pool *pool);

struct db *api_db(const struct http_req *req);
const struct principal *api_who(const struct http_req *req);
/* The session cookie's token when a session acts, else NULL. */
const char *api_session_token(const struct http_req *req);
/* Whether the caller may manage integrations (and see secrets). */
bool api_can_manage(const struct http_req *req);

/*
 * The request's JSON object body, or NULL with an answer in resp: 415, 400
 * for a body that is no JSON object (or too wide to check), 422 for a key
 * repeated in an object.  The caller deletes it.
 */
cJSON *api_json_body(struct http_req *req, struct http_resp *resp);
/*
 * api_json_body() for a body that may hold only the members named (a list
 * ending with NULL); any other answers 422, so that a typo is not ignored.
 */
cJSON *api_json_fields(struct http_req *req, struct http_resp *resp,
    const char *const *names);
/* True for a request with no body, or "{}"; else false with an answer. */
bool api_no_body(struct http_req *req, struct http_resp *resp);
/*
 * Reads ?limit= and ?cursor= (an id with the given prefix); false with a
 * 400 answer in resp when either is malformed.
 */
bool api_page(struct http_req *req, struct http_resp *resp, const char *prefix,
    const char **cursor, int *limit);
/* Answers rc as an error: 404, 409, 503 or 500. */
void api_fail(struct http_resp *resp, int rc);
/* Answers out with status when rc is PB_OK (out is then the answer's),
 * else rc as api_fail() does. */
void api_reply(struct http_resp *resp, int rc, int status, cJSON *out);
/* 422 invalid_fields with one message per field in fields (taken over). */
void api_invalid(struct http_resp *resp, cJSON *fields);
/* 404 for a path id that is malformed or not in the caller's workspace. */
void api_not_found(struct http_resp *resp);
/*
 * Answers a refused test or redelivery: 409 with the code in why when rc
 * is PB_ERR_CONFLICT, else rc as api_fail() does.
 */
void api_refused(struct http_resp *resp, int rc, const char *why);

/* Handlers, by resource. */
void api_health(struct http_req *req, struct http_resp *resp);
void api_ready(struct http_req *req, struct http_resp *resp);
void api_metrics(struct http_req *req, struct http_resp *resp);
void api_widget_lead(struct http_req *req, struct http_resp *resp);
void api_leads_list(struct http_req *req, struct http_resp *resp);
void api_webhooks_list(struct http_req *req, struct http_resp *resp);
void api_webhooks_create(struct http_req *req, struct http_resp *resp);
void api_webhooks_get(struct http_req *req, struct http_resp *resp);
void api_webhooks_update(struct http_req *req, struct http_resp *resp);
void api_webhooks_delete(struct http_req *req, struct http_resp *resp);
void api_webhook_deliveries(struct http_req *req, struct http_resp *resp);
void api_webhook_rotate(struct http_req *req, struct http_resp *resp);
void api_webhook_test(struct http_req *req, struct http_resp *resp);
void api_webhook_redeliver_failed(struct http_req *req, struct http_resp *resp);
void api_delivery_get(struct http_req *req, struct http_resp *resp);
void api_delivery_redeliver(struct http_req *req, struct http_resp *resp);
void api_run_get(struct http_req *req, struct http_resp *resp);
void api_runs_list(struct http_req *req, struct http_resp *resp);
void api_workflows_list(struct http_req *req, struct http_resp *resp);
void api_workflows_create(struct http_req *req, struct http_resp *resp);
void api_workflows_get(struct http_req *req, struct http_resp *resp);
void api_workflows_update(struct http_req *req, struct http_resp *resp);
void api_workflows_delete(struct http_req *req, struct http_resp *resp);
void api_integrations_list(struct http_req *req, struct http_resp *resp);
void api_members_list(struct http_req *req, struct http_resp *resp);
void api_members_add(struct http_req *req, struct http_resp *resp);
void api_members_update(struct http_req *req, struct http_resp *resp);
void api_members_remove(struct http_req *req, struct http_resp *resp);
void api_agents_list(struct http_req *req, struct http_resp *resp);
void api_tokens_list(struct http_req *req, struct http_resp *resp);
void api_tokens_create(struct http_req *req, struct http_resp *resp);
void api_tokens_revoke(struct http_req *req, struct http_resp *resp);
void api_audit_list(struct http_req *req, struct http_resp *resp);
void api_session_create(struct http_req *req, struct http_resp *resp);
void api_session_get(struct http_req *req, struct http_resp *resp);
void api_session_switch(struct http_req *req, struct http_resp *resp);
void api_session_delete(struct http_req *req, struct http_resp *resp);
void api_web_page(struct http_req *req, struct http_resp *resp);
void api_widget_demo(struct http_req *req, struct http_resp *resp);
void api_web_asset(struct http_req *req, struct http_resp *resp);
void api_web_redirect(struct http_req *req, struct http_resp *resp);

#endif
