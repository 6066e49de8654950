/*
 * /api/v1/integrations: one row per integration with its status.  Notion,
 * Google Docs and Slack are "not_configured" until this server has their
 * OAuth client credentials; webhooks are "active" while an endpoint is
 * enabled; HubSpot and Salesforce are coming.
 */
#include <string.h>

#include "api/api.h"
#include "core/config.h"
#include "core/rc.h"
#include "webhooks/webhook.h"

static cJSON *
row(cJSON *list, const char *provider, const char *status)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "provider", provider);
	cJSON_AddStringToObject(r, "status", status);
	cJSON_AddNullToObject(r, "account");
	cJSON_AddNullToObject(r, "connected_by");
	cJSON_AddNullToObject(r, "connected_at");
	cJSON_AddNullToObject(r, "settings");
	cJSON_AddNullToObject(r, "last_error");
	cJSON_AddItemToArray(list, r);
	return r;
}

/* An OAuth provider's row: configured once its client id is set. */
static void
provider_row(cJSON *list, const char *provider, const char *client_id)
{
	row(list, provider, *client_id ? "not_connected" : "not_configured");
}

void
api_integrations_list(struct http_req *req, struct http_resp *resp)
{
	const struct config *cfg = config_get();
	cJSON *out, *list, *hooks, *settings;
	int64_t enabled;
	int rc;

	rc = webhook_count_enabled(api_db(req), api_who(req)->workspace_id,
	    &enabled);
	if (rc != PB_OK) {
		api_fail(resp, rc);
		return;
	}
	out = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(out, "data");
	provider_row(list, "notion", cfg->notion_client_id);
	provider_row(list, "google", cfg->google_client_id);
	provider_row(list, "slack", cfg->slack_client_id);
	hooks = row(list, "webhooks", enabled ? "active" : "not_connected");
	settings = cJSON_CreateObject();
	cJSON_AddNumberToObject(settings, "endpoints", (double)enabled);
	cJSON_ReplaceItemInObjectCaseSensitive(hooks, "settings", settings);
	row(list, "hubspot", "coming_soon");
	row(list, "salesforce", "coming_soon");
	http_resp_json(resp, 200, out);
}
