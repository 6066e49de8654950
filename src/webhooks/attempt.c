/*
 * One signed attempt, shared by a lead's single-attempt deliveries and a
 * workflow's retried webhook steps: the body stored with the event,
 * signed both ways with a fresh timestamp, sent with no redirects, and
 * its outcome counted and logged (see delivery.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/rc.h"
#include "core/version.h"
#include "crypto/sign.h"
#include "net/net.h"
#include "webhooks/delivery.h"
#include "webhooks/webhook.h"

#define HEADERS_KEPT_MAX 8192
/* The request headers of an attempt (DESIGN section 4), and a NULL. */
#define REQUEST_HEADERS 8

/* The request headers, signed now; PB_ERR_INTERNAL if a secret is lost. */
static int
build_headers(struct webhook_attempt *a, char *headers[REQUEST_HEADERS + 1])
{
	char *secrets[2], *pitchbar, *standard = NULL;
	int64_t t = clock_now_ms() / 1000;
	int n, rc;

	n = webhook_open_secrets(a->workspace_id, a->signer_id, a->sealed,
	    a->sealed_previous, a->previous_expires_at, secrets);
	if (n <= 0)
		return PB_ERR_INTERNAL;
	pitchbar = sign_pitchbar((const char *const *)secrets, n, t, a->payload,
	    strlen(a->payload));
	rc = sign_standard((const char *const *)secrets, n, a->message_id, t,
	    a->payload, strlen(a->payload), &standard);
	webhook_secrets_free(secrets, n);
	if (rc != PB_OK) {
		free(pitchbar);
		return rc;
	}
	headers[0] = xstrdup("Content-Type: application/json");
	headers[1] = xstrdup("User-Agent: Pitchbar-Webhooks/" PITCHBAR_VERSION);
	headers[2] = xasprintf("X-Pitchbar-Event: %s", a->type);
	headers[3] = xasprintf("X-Pitchbar-Webhook-Id: %s", a->delivery_id);
	headers[4] = xasprintf("X-Pitchbar-Signature: %s", pitchbar);
	headers[5] = xasprintf("webhook-id: %s", a->message_id);
	headers[6] = xasprintf("webhook-timestamp: %" PRId64, t);
	headers[7] = xasprintf("webhook-signature: %s", standard);
	headers[REQUEST_HEADERS] = NULL;
	free(pitchbar);
	free(standard);
	return PB_OK;
}

void
webhook_attempt_send(struct net_client *client, struct webhook_attempt *a)
{
	struct delivery_result *res = &a->result;
	struct net_response resp;
	char *headers[REQUEST_HEADERS + 1] = {0};
	struct net_request req = {
	    .method = "POST",
	    .url = a->url,
	    .headers = (const char *const *)headers,
	    .body = a->payload,
	    .body_len = strlen(a->payload),
	    .timeout_ms = (long)config_get()->webhook_timeout_ms,
	    .allow_private = config_get()->allow_private_targets,
	    .max_body = WEBHOOK_RESPONSE_MAX,
	    .max_headers = HEADERS_KEPT_MAX,
	};

	res->url = a->url;
	res->attempted_at = clock_now_ms();
	res->retry_after_s = -1;
	if (build_headers(a, headers) != PB_OK) {
		res->status = "failed";
		res->error = "secret_unavailable";
		return;
	}
	res->request_headers = delivery_headers_json(headers);
	net_perform(client, &req, &resp);
	delivery_result_take(res, &resp);
	net_response_release(&resp);
	for (int i = 0; headers[i]; i++)
		free(headers[i]);
}

const char *
webhook_skip_reason(const struct webhook_attempt *a)
{
	if (a->in_workflow)
		return a->signer_id[0] ? "workflow_disabled"
				       : "workflow_step_deleted";
	return a->endpoint_id[0] ? "endpoint_disabled" : "endpoint_deleted";
}

void
webhook_attempt_log(const char *job_id, const struct webhook_attempt *a)
{
	const struct delivery_result *res = &a->result;
	char labels[96], code[24];

	snprintf(labels, sizeof(labels), "outcome=\"%s\",error=\"%s\"",
	    res->status, res->error ? res->error : "");
	metrics_add("pitchbar_webhook_deliveries_total", labels, 1);
	snprintf(code, sizeof(code), "%ld", res->status_code);
	log_info(job_id, "webhook.attempt",
	    "delivery=%s target=%s outcome=%s code=%s error=%s ms=%lld",
	    a->delivery_id, a->signer_id[0] ? a->signer_id : "-", res->status,
	    res->status_code ? code : "-", res->error ? res->error : "-",
	    (long long)res->duration_ms);
}

void
webhook_attempt_release(struct webhook_attempt *a)
{
	free(a->type);
	free(a->payload);
	free(a->url);
	free(a->sealed);
	free(a->sealed_previous);
	free(a->captured_url);
	delivery_result_release(&a->result);
}
