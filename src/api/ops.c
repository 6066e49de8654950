/* Operations endpoints: liveness, readiness, Prometheus metrics. */
#include "api/api.h"
#include "core/buf.h"
#include "core/metrics.h"
#include "core/rc.h"
#include "db/db.h"

static const char SQL_PING[] = "SELECT 1";

void
api_health(struct http_req *req, struct http_resp *resp)
{
	(void)req;
	http_resp_text(resp, 200, "application/json", "{\"status\":\"ok\"}",
	    15);
}

void
api_ready(struct http_req *req, struct http_resp *resp)
{
	struct db_stmt *st = db_query(api_db(req), SQL_PING, "");

	if (db_first(st) != PB_OK) {
		api_fail(resp, PB_ERR_DB);
		return;
	}
	db_reset(st);
	http_resp_text(resp, 200, "application/json", "{\"status\":\"ready\"}",
	    18);
}

void
api_metrics(struct http_req *req, struct http_resp *resp)
{
	struct buf out;
	size_t len;
	char *text;

	(void)req;
	buf_init(&out, 16 * 1024 * 1024);
	metrics_render(&out);
	text = buf_detach(&out, &len);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	resp->body = text;
	resp->len = len;
}
