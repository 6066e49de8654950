/*
 * Widget keys to agents.  Every lead starts with this lookup; on SQLite a
 * read right after another connection's write costs several times a warm
 * one, so answers are kept in process for a few seconds.  A key unknown
 * to the database is not kept, so a new agent works at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"
#include "leads/lead.h"

#define AGENT_CACHE_SLOTS 256
#define AGENT_CACHE_TTL_MS 5000
#define WIDGET_KEY_MAX 64

static const char SQL_AGENT[] =
    "SELECT id, workspace_id FROM agents WHERE widget_key = $1";
static const char SQL_LIST[] =
    "SELECT id, name, widget_key, created_at FROM agents"
    " WHERE workspace_id = $1 ORDER BY created_at, id";

struct agent_slot {
	char key[WIDGET_KEY_MAX + 1];
	struct lead_agent agent;
	int64_t expires_at;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct agent_slot cache[AGENT_CACHE_SLOTS];

static struct agent_slot *
slot_of(const char *key)
{
	uint32_t h = 2166136261u;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &cache[h % AGENT_CACHE_SLOTS];
}

static bool
cached(const char *key, struct lead_agent *agent)
{
	struct agent_slot *slot = slot_of(key);
	bool hit;

	pthread_mutex_lock(&cache_lock);
	hit = slot->expires_at > clock_mono_ms() && strcmp(slot->key, key) == 0;
	if (hit)
		*agent = slot->agent;
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void
remember(const char *key, const struct lead_agent *agent)
{
	struct agent_slot *slot = slot_of(key);

	pthread_mutex_lock(&cache_lock);
	memcpy(slot->key, key, strlen(key) + 1);
	slot->agent = *agent;
	slot->expires_at = clock_mono_ms() + AGENT_CACHE_TTL_MS;
	pthread_mutex_unlock(&cache_lock);
}

int
lead_find_agent(struct db *db, const char *widget_key, struct lead_agent *agent)
{
	struct db_stmt *st;
	int rc;

	if (strlen(widget_key) > WIDGET_KEY_MAX)
		return PB_ERR_NOT_FOUND;
	if (cached(widget_key, agent))
		return PB_OK;
	st = db_query(db, SQL_AGENT, "s", widget_key);
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, agent->id, ID_SIZE);
	db_col_copy(st, 1, agent->workspace_id, ID_SIZE);
	db_reset(st);
	remember(widget_key, agent);
	return PB_OK;
}

static cJSON *
agent_json(struct db_stmt *st, void *arg)
{
	cJSON *a = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(a, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(a, "name", db_col_text(st, 1));
	cJSON_AddStringToObject(a, "widget_key", db_col_text(st, 2));
	json_add_time(a, "created_at", db_col_i64(st, 3));
	return a;
}

int
lead_agents_json(struct db *db, const char *workspace_id, cJSON **out)
{
	int rc;

	*out = cJSON_CreateObject();
	rc = db_rows_json(db_query(db, SQL_LIST, "s", workspace_id),
	    cJSON_AddArrayToObject(*out, "data"), agent_json, NULL);
	if (rc != PB_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
