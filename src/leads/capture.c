/*
 * Capturing a lead: one transaction stores or updates the lead, writes its
 * lead.captured event (whose subscribers write the deliveries), and keeps
 * the answer under the request's idempotency key (see lead.h).  Captures
 * arriving together share that transaction's commit (db_write()).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "events/event.h"
#include "leads/lead.h"

#define IDEM_TTL_MS (24LL * 3600 * 1000)
#define IN_FLIGHT_MAX 512

static const char SQL_IDEM_GET[] =
    "SELECT request_hash, status, body, created_at FROM idempotency_keys"
    " WHERE agent_id = $1 AND idem_key = $2";
static const char SQL_IDEM_DELETE[] =
    "DELETE FROM idempotency_keys WHERE agent_id = $1 AND idem_key = $2";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency_keys (agent_id, idem_key, request_hash,"
    " status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_FIND_LEAD[] =
    "SELECT id, fields FROM leads WHERE agent_id = $1 AND email = $2";
static const char SQL_INSERT_LEAD[] =
    "INSERT INTO leads (id, workspace_id, agent_id, email, name, phone,"
    " company, message, page_url, conversation_id, fields, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
    " $12, $12)";
static const char SQL_UPDATE_LEAD[] =
    "UPDATE leads SET name = COALESCE($2, name),"
    " phone = COALESCE($3, phone), company = COALESCE($4, company),"
    " message = COALESCE($5, message), page_url = COALESCE($6, page_url),"
    " conversation_id = COALESCE($7, conversation_id), fields = $8,"
    " updated_at = $9 WHERE id = $1";

/* Keys whose first request is still being handled in this process. */
static pthread_mutex_t in_flight_lock = PTHREAD_MUTEX_INITIALIZER;
static char *in_flight[IN_FLIGHT_MAX];

/* Marks name in flight; false when it already is (or the table is full). */
static bool
in_flight_enter(const char *name)
{
	int free_slot = -1;
	bool ok = true;

	pthread_mutex_lock(&in_flight_lock);
	for (int i = 0; i < IN_FLIGHT_MAX && ok; i++) {
		if (in_flight[i] == NULL && free_slot < 0)
			free_slot = i;
		else if (in_flight[i] && strcmp(in_flight[i], name) == 0)
			ok = false;
	}
	if (ok && free_slot >= 0)
		in_flight[free_slot] = xstrdup(name);
	pthread_mutex_unlock(&in_flight_lock);
	return ok && free_slot >= 0;
}

static void
in_flight_leave(const char *name)
{
	pthread_mutex_lock(&in_flight_lock);
	for (int i = 0; i < IN_FLIGHT_MAX; i++) {
		if (in_flight[i] && strcmp(in_flight[i], name) == 0) {
			FREE_AND_NULL(in_flight[i]);
			break;
		}
	}
	pthread_mutex_unlock(&in_flight_lock);
}

static char *
answer_body(const char *lead_id, const char *status)
{
	return xasprintf("{\"id\":\"%s\",\"status\":\"%s\"}", lead_id, status);
}

static char *
conflict_body(void)
{
	return xstrdup("{\"error\":{\"code\":\"idempotency_key_reused\","
		       "\"message\":\"This Idempotency-Key was used with "
		       "another request.\"}}");
}

/*
 * Looks for an earlier answer under the key.  *found is true when out
 * holds the answer to give (the same one again, or 409).
 */
static int
idem_lookup(struct db *db, const char *agent_id, const char *key,
    const char *hash, struct lead_answer *out, bool *found)
{
	struct db_stmt *st = db_query(db, SQL_IDEM_GET, "ss", agent_id, key);
	int rc = db_first(st);

	*found = false;
	if (rc != PB_OK)
		return rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
	*found = db_col_i64(st, 3) >= clock_now_ms() - IDEM_TTL_MS;
	if (*found && strcmp(db_col_text(st, 0), hash) == 0) {
		out->status = (int)db_col_i64(st, 1);
		out->body = db_col_dup(st, 2);
	} else if (*found) {
		out->status = 409;
		out->body = conflict_body();
	}
	db_reset(st);
	/* An expired key is forgotten, and this request takes it. */
	return *found ? PB_OK
		      : db_run(db, SQL_IDEM_DELETE, "ss", agent_id, key);
}

static cJSON *
event_data(const struct lead_agent *agent, const char *lead_id,
    const struct lead_input *in)
{
	cJSON *data = cJSON_CreateObject();

	cJSON_AddStringToObject(data, "lead_id", lead_id);
	cJSON_AddStringToObject(data, "agent_id", agent->id);
	json_add_str(data, "conversation_id", in->conversation_id);
	json_add_str(data, "name", in->name);
	cJSON_AddStringToObject(data, "email", in->email);
	json_add_str(data, "phone", in->phone);
	json_add_str(data, "company", in->company);
	json_add_str(data, "message", in->message);
	json_add_str(data, "page_url", in->page_url);
	cJSON_AddItemToObject(data, "fields", cJSON_Duplicate(in->fields, 1));
	return data;
}

/*
 * One capture, as handed to db_write().  What a new lead needs (its id,
 * its custom fields as text, its event with the body the webhooks will
 * carry) is made before the transaction, outside the writers' queue.
 */
struct capture {
	const struct lead_agent *agent;
	const struct lead_input *in;
	const char *key;
	const char *hash;
	struct lead_answer *out;
	char lead_id[ID_SIZE];
	char *fields;
	struct event ev;
};

static int
insert_lead(struct db *db, struct capture *c)
{
	const struct lead_input *in = c->in;
	int rc;

	rc = db_run(db, SQL_INSERT_LEAD, "sssssssssssi", c->lead_id,
	    c->agent->workspace_id, c->agent->id, in->email, in->name,
	    in->phone, in->company, in->message, in->page_url,
	    in->conversation_id, c->fields, clock_now_ms());
	return rc == PB_OK ? event_publish(db, &c->ev) : rc;
}

/*
 * Merges the new custom fields into the stored ones: new keys win, and
 * past LEAD_FIELDS_MAX the oldest keys make room.
 */
static char *
merge_fields(const char *stored, const cJSON *fresh)
{
	cJSON *merged = NULL, *item;
	char *s;

	if (json_parse(stored, strlen(stored), &merged) != PB_OK ||
	    !cJSON_IsObject(merged)) {
		cJSON_Delete(merged);
		merged = cJSON_CreateObject();
	}
	cJSON_ArrayForEach(item, fresh)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(merged, item->string);
		cJSON_AddItemToObject(merged, item->string,
		    cJSON_Duplicate(item, 1));
	}
	while (cJSON_GetArraySize(merged) > LEAD_FIELDS_MAX)
		cJSON_DeleteItemFromArray(merged, 0);
	s = json_print(merged);
	cJSON_Delete(merged);
	return s;
}

static int
update_lead(struct db *db, const char *id, const char *stored_fields,
    const struct lead_input *in)
{
	char *fields = merge_fields(stored_fields, in->fields);
	int rc;

	rc = db_run(db, SQL_UPDATE_LEAD, "ssssssssi", id, in->name, in->phone,
	    in->company, in->message, in->page_url, in->conversation_id, fields,
	    clock_now_ms());
	free(fields);
	return rc;
}

/* Stores or updates the lead; id and *created tell which. */
static int
upsert_lead(struct db *db, struct capture *c, char id[ID_SIZE], bool *created)
{
	struct db_stmt *st =
	    db_query(db, SQL_FIND_LEAD, "ss", c->agent->id, c->in->email);
	char *stored = NULL;
	int rc = db_first(st);

	if (rc == PB_OK) {
		db_col_copy(st, 0, id, ID_SIZE);
		stored = db_col_dup(st, 1);
		db_reset(st);
	} else if (rc != PB_ERR_NOT_FOUND) {
		return rc;
	}
	*created = stored == NULL;
	if (*created) {
		memcpy(id, c->lead_id, ID_SIZE);
		rc = insert_lead(db, c);
	} else {
		rc = update_lead(db, id, stored, c->in);
	}
	free(stored);
	return rc;
}

static int
capture_in_txn(struct db *db, void *arg)
{
	struct capture *c = arg;
	char id[ID_SIZE];
	bool found, created = false;
	int rc;

	if (c->key) {
		rc = idem_lookup(db, c->agent->id, c->key, c->hash, c->out,
		    &found);
		if (rc != PB_OK || found)
			return rc;
	}
	if ((rc = upsert_lead(db, c, id, &created)) != PB_OK)
		return rc;
	c->out->status = created ? 201 : 200;
	c->out->body = answer_body(id, created ? "captured" : "updated");
	if (c->key)
		rc = db_run(db, SQL_IDEM_PUT, "sssisi", c->agent->id, c->key,
		    c->hash, (int64_t)c->out->status, c->out->body,
		    clock_now_ms());
	return rc;
}

/* Shares a transaction and its commit with concurrent captures. */
static int
capture_once(struct db *db, struct capture *c)
{
	int rc = db_write(db, capture_in_txn, c);

	if (rc != PB_OK)
		FREE_AND_NULL(c->out->body);
	return rc;
}

static void
answer_in_progress(struct lead_answer *out)
{
	out->status = 409;
	out->retry_later = true;
	out->body = xstrdup("{\"error\":{\"code\":\"in_progress\","
			    "\"message\":\"A request with this Idempotency-Key "
			    "is still being handled.\"}}");
}

int
lead_capture(struct db *db, const struct lead_agent *agent,
    const struct lead_input *in, const char *idem_key, const char *request_hash,
    struct lead_answer *out)
{
	struct capture c = {.agent = agent,
	    .in = in,
	    .key = idem_key,
	    .hash = request_hash,
	    .out = out};
	char *name = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (idem_key) {
		name = xasprintf("%s\n%s", agent->id, idem_key);
		if (!in_flight_enter(name)) {
			free(name);
			answer_in_progress(out);
			return PB_OK;
		}
	}
	id_new("lead_", c.lead_id);
	c.fields = json_print(in->fields);
	event_build(&c.ev, "lead.captured", agent->workspace_id,
	    event_data(agent, c.lead_id, in), false);
	rc = capture_once(db, &c);
	/* Another node may have stored the same e-mail first: once more. */
	if (rc == PB_ERR_CONFLICT)
		rc = capture_once(db, &c);
	event_release(&c.ev);
	free(c.fields);
	if (name) {
		in_flight_leave(name);
		free(name);
	}
	return rc;
}
