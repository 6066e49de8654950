/* The outbox: events stored with their cause, fanned out (see event.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"
#include "events/event.h"

#define SUBSCRIBERS_MAX 8

static const char SQL_INSERT_EVENT[] =
    "INSERT INTO events (id, workspace_id, type, test, payload, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

static event_subscriber subscribers[SUBSCRIBERS_MAX];
static int nsubscribers;

void
event_subscribe(event_subscriber fn)
{
	if (nsubscribers < SUBSCRIBERS_MAX)
		subscribers[nsubscribers++] = fn;
}

void
event_build(struct event *ev, const char *type, const char *workspace_id,
    cJSON *data, bool test)
{
	cJSON *root = cJSON_CreateObject();

	memset(ev, 0, sizeof(*ev));
	id_new("evt_", ev->id);
	snprintf(ev->workspace_id, sizeof(ev->workspace_id), "%s",
	    workspace_id);
	ev->type = type;
	ev->test = test;
	ev->occurred_at = clock_now_ms();
	cJSON_AddStringToObject(root, "id", ev->id);
	cJSON_AddStringToObject(root, "event", type);
	json_add_time(root, "occurred_at", ev->occurred_at);
	cJSON_AddStringToObject(root, "workspace_id", workspace_id);
	cJSON_AddBoolToObject(root, "test", test);
	cJSON_AddItemToObject(root, "data", data);
	ev->payload = json_print(root);
	ev->len = strlen(ev->payload);
	cJSON_Delete(root);
}

int
event_store(struct db *db, const struct event *ev)
{
	return db_run(db, SQL_INSERT_EVENT, "sssisi", ev->id, ev->workspace_id,
	    ev->type, (int64_t)ev->test, ev->payload, ev->occurred_at);
}

int
event_publish(struct db *db, struct event *ev)
{
	struct event_fanout fanout = {.event = ev};
	int rc;

	if ((rc = event_store(db, ev)) != PB_OK)
		return rc;
	for (int i = 0; i < nsubscribers; i++) {
		if ((rc = subscribers[i](db, &fanout)) != PB_OK) {
			log_error(ev->id, "event.fanout_failed", "rc=%s",
			    pb_rc_name(rc));
			return rc;
		}
	}
	return PB_OK;
}

void
event_release(struct event *ev)
{
	free(ev->payload);
	ev->payload = NULL;
}
