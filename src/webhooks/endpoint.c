/* Webhook endpoints: checks, storage, sealed secrets, JSON (see webhook.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "crypto/vault.h"
#include "db/db.h"
#include "events/event.h"
#include "net/net.h"
#include "webhooks/webhook.h"

static const char SQL_INSERT[] =
    "INSERT INTO webhook_endpoints (id, workspace_id, url, description,"
    " enabled, secret_enc, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
static const char SQL_INSERT_SUB[] =
    "INSERT INTO webhook_subscriptions (endpoint_id, event_type)"
    " VALUES ($1, $2) ON CONFLICT DO NOTHING";
static const char SQL_DELETE_SUBS[] =
    "DELETE FROM webhook_subscriptions WHERE endpoint_id = $1";
static const char SQL_UPDATE[] =
    "UPDATE webhook_endpoints SET"
    " url = COALESCE($3, url),"
    " description = COALESCE($4, description),"
    " enabled = COALESCE($5, enabled),"
    " disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason"
    "  ELSE NULL END,"
    " updated_at = $6"
    " WHERE id = $1 AND workspace_id = $2";
static const char SQL_SECRET[] =
    "SELECT secret_enc FROM webhook_endpoints WHERE id = $1"
    " AND workspace_id = $2";
static const char SQL_ROTATE[] =
    "UPDATE webhook_endpoints SET secret_enc = $3, previous_secret_enc = $4,"
    " previous_secret_expires_at = $5, updated_at = $6"
    " WHERE id = $1 AND workspace_id = $2";
static const char SQL_COUNT_ENABLED[] =
    "SELECT COUNT(*) FROM webhook_endpoints WHERE workspace_id = $1"
    " AND enabled = 1";
static const char SQL_DISABLE[] =
    "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = $2,"
    " updated_at = $3 WHERE id = $1";
static const char SQL_DELETE[] =
    "DELETE FROM webhook_endpoints WHERE id = $1 AND workspace_id = $2";
static const char SQL_DETACH_DELIVERIES[] =
    "UPDATE deliveries SET endpoint_id = NULL WHERE endpoint_id = $1";
/* The columns row_json() reads, in its order. */
#define ENDPOINT_COLUMNS                                                       \
	"SELECT id, url, description, enabled, disabled_reason, secret_enc,"   \
	" previous_secret_enc, previous_secret_expires_at, created_at,"        \
	" updated_at FROM webhook_endpoints"
static const char SQL_GET[] =
    ENDPOINT_COLUMNS " WHERE id = $1 AND workspace_id = $2";
static const char SQL_LIST[] = ENDPOINT_COLUMNS
    " WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3";
static const char SQL_EVENTS[] =
    "SELECT event_type FROM webhook_subscriptions WHERE endpoint_id = $1"
    " ORDER BY event_type";

static void
parse_url(const cJSON *item, struct webhook_input *in, cJSON *fields)
{
	const char *why;

	if (!cJSON_IsString(item)) {
		json_field_error(fields, "url", "must be a string");
		return;
	}
	if (net_url_check(item->valuestring, WEBHOOK_URL_MAX,
		config_get()->allow_private_targets, &why) != PB_OK) {
		json_field_error(fields, "url", why);
		return;
	}
	in->url = item->valuestring;
}

static bool
already_listed(const struct webhook_input *in, const char *name)
{
	for (int i = 0; i < in->nevents; i++)
		if (strcmp(in->events[i], name) == 0)
			return true;
	return false;
}

static void
parse_events(const cJSON *item, struct webhook_input *in, cJSON *fields)
{
	const struct event_type *type;
	const cJSON *e;
	char msg[160], *name;

	if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0 ||
	    cJSON_GetArraySize(item) > WEBHOOK_EVENTS_MAX) {
		json_field_error(fields, "events",
		    "must list 1 to 16 event types");
		return;
	}
	in->nevents = 0;
	cJSON_ArrayForEach(e, item)
	{
		if (!cJSON_IsString(e)) {
			json_field_error(fields, "events", "must hold strings");
			return;
		}
		type = event_type_find(e->valuestring);
		if (type == NULL || type->state != EVENT_SHIPPED) {
			name = utf8_sanitize(e->valuestring,
			    strlen(e->valuestring), 64);
			snprintf(msg, sizeof(msg), "%s %s", name,
			    type ? "is not available yet"
				 : "is not a known event type");
			free(name);
			json_field_error(fields, "events", msg);
			return;
		}
		if (!already_listed(in, type->name))
			in->events[in->nevents++] = type->name;
	}
}

static void
parse_description(const cJSON *item, struct webhook_input *in, cJSON *fields)
{
	if (!cJSON_IsString(item)) {
		json_field_error(fields, "description", "must be a string");
		return;
	}
	if (utf8_chars(item->valuestring, strlen(item->valuestring)) >
	    WEBHOOK_DESCRIPTION_MAX) {
		json_field_error(fields, "description",
		    "must be at most 500 characters");
		return;
	}
	in->description = item->valuestring;
}

int
webhook_input_parse(const cJSON *body, bool create, struct webhook_input *in,
    cJSON **fields)
{
	const cJSON *item;

	memset(in, 0, sizeof(*in));
	in->nevents = in->enabled = -1;
	*fields = cJSON_CreateObject();
	cJSON_ArrayForEach(item, body)
	{
		if (strcmp(item->string, "url") == 0)
			parse_url(item, in, *fields);
		else if (strcmp(item->string, "events") == 0)
			parse_events(item, in, *fields);
		else if (strcmp(item->string, "description") == 0)
			parse_description(item, in, *fields);
		else if (strcmp(item->string, "enabled") != 0)
			json_field_error(*fields, item->string,
			    "is not a field that can be set");
		else if (cJSON_IsBool(item))
			in->enabled = cJSON_IsTrue(item);
		else
			json_field_error(*fields, "enabled",
			    "must be true or false");
	}
	if (create && in->url == NULL)
		json_field_error(*fields, "url", "is required");
	if (create && in->nevents < 0)
		json_field_error(*fields, "events", "is required");
	return cJSON_GetArraySize(*fields) ? PB_ERR_INVALID : PB_OK;
}

/*
 * The associated data that binds a sealed secret to its row: an endpoint's
 * or, told by the id's prefix, a workflow step's.
 */
static char *
secret_ad(const char *workspace_id, const char *id, const char *field)
{
	const char *table = strncmp(id, "wfs_", 4) == 0 ? "workflow_steps"
							: "webhook_endpoints";

	return xasprintf("%s:%s:%s:%s", table, workspace_id, id, field);
}

static int
set_events(struct db *db, const char *id, const struct webhook_input *in)
{
	int rc = db_run(db, SQL_DELETE_SUBS, "s", id);

	for (int i = 0; rc == PB_OK && i < in->nevents; i++)
		rc = db_run(db, SQL_INSERT_SUB, "ss", id, in->events[i]);
	return rc;
}

/* A change to one endpoint, as handed to db_write(). */
struct change {
	const struct principal *who;
	const char *id;
	const struct webhook_input *in;
	const char *sealed; /* create: the sealed secret */
};

/* The fields a create or update gave, for the audit log. */
static cJSON *
input_details(const struct webhook_input *in)
{
	cJSON *d = cJSON_CreateObject();

	if (in->url)
		cJSON_AddStringToObject(d, "url", in->url);
	if (in->description)
		cJSON_AddStringToObject(d, "description", in->description);
	if (in->nevents >= 0)
		cJSON_AddItemToObject(d, "events",
		    cJSON_CreateStringArray(in->events, in->nevents));
	if (in->enabled >= 0)
		cJSON_AddBoolToObject(d, "enabled", in->enabled);
	return d;
}

static int
create_in_txn(struct db *db, void *arg)
{
	const struct change *c = arg;
	int64_t enabled = c->in->enabled < 0 ? 1 : c->in->enabled;
	int rc;

	rc = db_run(db, SQL_INSERT, "ssssisi", c->id, c->who->workspace_id,
	    c->in->url, c->in->description ? c->in->description : "", enabled,
	    c->sealed, clock_now_ms());
	if (rc == PB_OK)
		rc = set_events(db, c->id, c->in);
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "webhook.created", "webhook",
		    c->id, input_details(c->in));
	return rc;
}

char *
webhook_secret_new(const char *workspace_id, const char *id)
{
	char *secret = secret_webhook_new();
	char *ad = secret_ad(workspace_id, id, "secret");
	char *sealed = vault_seal(secret, strlen(secret), ad);

	secret_free(secret);
	free(ad);
	return sealed;
}

int
webhook_create(struct db *db, const struct principal *who,
    const struct webhook_input *in, char id[ID_SIZE])
{
	struct change c = {who, id, in, NULL};
	int rc;

	id_new("whk_", id);
	c.sealed = webhook_secret_new(who->workspace_id, id);
	rc = db_write(db, create_in_txn, &c);
	free((char *)c.sealed);
	return rc;
}

static int
update_in_txn(struct db *db, void *arg)
{
	const struct change *c = arg;
	const char *ws = c->who->workspace_id;
	int64_t now = clock_now_ms();
	int rc;

	if (c->in->enabled >= 0)
		rc = db_run(db, SQL_UPDATE, "ssssii", c->id, ws, c->in->url,
		    c->in->description, (int64_t)c->in->enabled, now);
	else
		rc = db_run(db, SQL_UPDATE, "ssssni", c->id, ws, c->in->url,
		    c->in->description, now);
	if (rc == PB_OK && db_changes(db) == 0)
		rc = PB_ERR_NOT_FOUND;
	if (rc == PB_OK && c->in->nevents >= 0)
		rc = set_events(db, c->id, c->in);
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "webhook.updated", "webhook",
		    c->id, input_details(c->in));
	return rc;
}

int
webhook_update(struct db *db, const struct principal *who, const char *id,
    const struct webhook_input *in)
{
	struct change c = {who, id, in, NULL};

	return db_write(db, update_in_txn, &c);
}

static int
delete_in_txn(struct db *db, void *arg)
{
	const struct change *c = arg;
	int rc;

	/* The deliveries stay in the log, no longer tied to the endpoint. */
	rc = db_run(db, SQL_DETACH_DELIVERIES, "s", c->id);
	if (rc == PB_OK)
		rc = db_run(db, SQL_DELETE, "ss", c->id, c->who->workspace_id);
	if (rc == PB_OK && db_changes(db) == 0)
		rc = PB_ERR_NOT_FOUND;
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "webhook.deleted", "webhook",
		    c->id, NULL);
	return rc;
}

int
webhook_delete(struct db *db, const struct principal *who, const char *id)
{
	struct change c = {who, id, NULL, NULL};

	return db_write(db, delete_in_txn, &c);
}

/*
 * The current secret, sealed again as the previous one (its associated
 * data names the field), or NULL when it cannot be opened.
 */
static char *
reseal_as_previous(const char *workspace_id, const char *id, const char *sealed)
{
	char *ad = secret_ad(workspace_id, id, "secret"), *plain, *out = NULL;
	size_t n;

	if (vault_open(sealed, ad, &plain, &n) == PB_OK) {
		free(ad);
		ad = secret_ad(workspace_id, id, "previous_secret");
		out = vault_seal(plain, n, ad);
		secret_free(plain);
	}
	free(ad);
	return out;
}

static int
rotate_in_txn(struct db *db, void *arg)
{
	const struct change *c = arg;
	const char *ws = c->who->workspace_id;
	struct db_stmt *st = db_query(db, SQL_SECRET, "ss", c->id, ws);
	char *previous = NULL, *fresh;
	int64_t now = clock_now_ms();
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	previous = reseal_as_previous(ws, c->id, db_col_text(st, 0));
	db_reset(st);
	if (previous == NULL)
		return PB_ERR_INTERNAL;
	fresh = webhook_secret_new(ws, c->id);
	rc = db_run(db, SQL_ROTATE, "ssssii", c->id, ws, fresh, previous,
	    now + WEBHOOK_PREVIOUS_SECRET_MS, now);
	free(fresh);
	free(previous);
	if (rc == PB_OK)
		rc = audit_record(db, c->who, "webhook.secret_rotated",
		    "webhook", c->id, NULL);
	return rc;
}

int
webhook_rotate_secret(struct db *db, const struct principal *who,
    const char *id)
{
	struct change c = {who, id, NULL, NULL};

	return db_write(db, rotate_in_txn, &c);
}

int
webhook_count_enabled(struct db *db, const char *workspace_id, int64_t *n)
{
	struct db_stmt *st = db_query(db, SQL_COUNT_ENABLED, "s", workspace_id);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*n = db_col_i64(st, 0);
	db_reset(st);
	return PB_OK;
}

int
webhook_disable(struct db *db, const char *id, const char *reason)
{
	return db_run(db, SQL_DISABLE, "ssi", id, reason, clock_now_ms());
}

int
webhook_open_secrets(const char *workspace_id, const char *id,
    const char *sealed, const char *sealed_previous,
    int64_t previous_expires_at, char *secrets[2])
{
	char *ad = secret_ad(workspace_id, id, "secret");
	size_t len;
	int n = 0;

	if (vault_open(sealed, ad, &secrets[0], &len) == PB_OK)
		n = 1;
	free(ad);
	if (n == 0)
		return -1;
	if (sealed_previous && previous_expires_at > clock_now_ms()) {
		ad = secret_ad(workspace_id, id, "previous_secret");
		if (vault_open(sealed_previous, ad, &secrets[1], &len) == PB_OK)
			n = 2;
		free(ad);
	}
	return n;
}

void
webhook_secrets_free(char *secrets[2], int n)
{
	for (int i = 0; i < n; i++)
		secret_free(secrets[i]);
}

static cJSON *
event_name_json(struct db_stmt *st, void *arg)
{
	(void)arg;
	return cJSON_CreateString(db_col_text(st, 0));
}

static int
add_events(struct db *db, const char *id, cJSON *obj)
{
	return db_rows_json(db_query(db, SQL_EVENTS, "s", id),
	    cJSON_AddArrayToObject(obj, "events"), event_name_json, NULL);
}

static void
add_secret(const char *workspace_id, struct db_stmt *st, cJSON *obj)
{
	char *secrets[2];
	int n;

	n = webhook_open_secrets(workspace_id, db_col_text(st, 0),
	    db_col_text(st, 5), NULL, 0, secrets);
	json_add_str(obj, "secret", n > 0 ? secrets[0] : NULL);
	webhook_secrets_free(secrets, n);
}

/* An endpoint row of SQL_GET or SQL_LIST as JSON, without its events. */
struct row_opts {
	const char *workspace_id;
	bool with_secret;
};

static cJSON *
row_json(struct db_stmt *st, void *arg)
{
	const struct row_opts *opts = arg;
	cJSON *obj = cJSON_CreateObject();
	bool previous =
	    !db_col_null(st, 7) && db_col_i64(st, 7) > clock_now_ms();

	cJSON_AddStringToObject(obj, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(obj, "url", db_col_text(st, 1));
	cJSON_AddStringToObject(obj, "description", db_col_text(st, 2));
	cJSON_AddBoolToObject(obj, "enabled", db_col_i64(st, 3) != 0);
	json_add_str(obj, "disabled_reason", db_col_text(st, 4));
	if (opts->with_secret)
		add_secret(opts->workspace_id, st, obj);
	json_add_time(obj, "previous_secret_expires_at",
	    previous ? db_col_i64(st, 7) : -1);
	json_add_time(obj, "created_at", db_col_i64(st, 8));
	json_add_time(obj, "updated_at", db_col_i64(st, 9));
	return obj;
}

int
webhook_get_json(struct db *db, const char *workspace_id, const char *id,
    bool with_secret, cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_GET, "ss", id, workspace_id);
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*out = row_json(st, &(struct row_opts){workspace_id, with_secret});
	db_reset(st);
	if ((rc = add_events(db, id, *out)) != PB_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
webhook_list_json(struct db *db, const char *workspace_id,
    const struct webhook_page *page, bool with_secret, cJSON **out)
{
	struct row_opts opts = {workspace_id, with_secret};
	struct db_stmt *st;
	cJSON *item;
	int rc;

	st = db_query(db, SQL_LIST, "ssi", workspace_id,
	    page->cursor ? page->cursor : "", (int64_t)page->limit + 1);
	if (st == NULL)
		return PB_ERR_DB;
	if ((rc = db_page_json(st, page->limit, row_json, &opts, out)))
		return rc;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(*out, "data"))
	{
		if ((rc = add_events(db, json_str(item, "id"), item))) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
	}
	return PB_OK;
}
