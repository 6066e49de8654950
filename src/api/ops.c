/* Operations endpoints: liveness, readiness, Prometheus metrics. */
#include <pthread.h>
#include <stdio.h>

#include "api/api.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rc.h"
#include "db/db.h"
#include "jobs/admin.h"
#include "jobs/job.h"

static const char SQL_PING[] = "SELECT 1";

#define JOBS_KEPT_MS 1000

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

static void
add_job_count(const char *type, const char *state, int64_t n, void *arg)
{
	char t[2 * JOB_TYPE_MAX], s[32], labels[sizeof(t) + sizeof(s) + 32];

	snprintf(labels, sizeof(labels), "type=\"%s\",state=\"%s\"",
	    metrics_label_esc(t, sizeof(t), type),
	    metrics_label_esc(s, sizeof(s), state));
	metrics_render_sample(arg, "pitchbar_jobs", labels, (double)n);
}

/*
 * The queue as it stands, counted in the database rather than kept in the
 * process: every process sees every node's jobs, and a count never
 * drifts.  /metrics is public, so a count is kept for a second: a flood
 * of scrapes costs one count a second.  When the database does not answer
 * the other metrics still go out.
 */
static void
render_job_counts(struct http_req *req, struct buf *out)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct buf kept = {.max = 1024 * 1024};
	static int64_t counted_at;
	int rc = PB_OK;

	pthread_mutex_lock(&lock);
	if (counted_at == 0 || clock_mono_ms() - counted_at >= JOBS_KEPT_MS) {
		buf_clear(&kept);
		metrics_render_head(&kept, "pitchbar_jobs", METRIC_GAUGE,
		    "Jobs in the queue, by type and state.");
		rc = job_count(api_db(req), add_job_count, &kept);
		counted_at = rc == PB_OK ? clock_mono_ms() : 0;
	}
	if (rc == PB_OK)
		buf_append(out, kept.data, kept.len);
	else
		log_warn(req->id, "metrics.jobs_failed", "rc=%s",
		    pb_rc_name(rc));
	pthread_mutex_unlock(&lock);
}

void
api_metrics(struct http_req *req, struct http_resp *resp)
{
	struct buf out;
	size_t len;
	char *text;

	buf_init(&out, 16 * 1024 * 1024);
	metrics_render(&out);
	render_job_counts(req, &out);
	text = buf_detach(&out, &len);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	resp->body = text;
	resp->len = len;
}
