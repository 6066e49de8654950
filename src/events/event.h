/*
 * Events: the registry of event types, and the outbox.  An event is stored
 * in the same transaction as its cause, with its envelope serialised once
 * (those bytes are what every delivery sends and signs), and fanned out in
 * that transaction to the subscribers the application registered at start:
 * each writes the deliveries or runs its recipients need, so recipients
 * are fixed at capture.
 */
#ifndef EVENTS_EVENT_H
#define EVENTS_EVENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/id.h"

struct db;

enum event_state {
	EVENT_SHIPPED, /* emitted and subscribable */
	EVENT_RESERVED, /* on the roadmap; refused until wired */
};

struct event_type {
	const char *name;
	enum event_state state;
};

/* The registered type called name, or NULL. */
const struct event_type *event_type_find(const char *name);

struct event {
	char id[ID_SIZE];
	char workspace_id[ID_SIZE];
	const char *type;
	bool test;
	int64_t occurred_at;
	char *payload; /* the envelope, exactly as sent */
	size_t len;
};

/* One event's fan-out, shared by its subscribers. */
struct event_fanout {
	const struct event *event;
	char run_id[ID_SIZE]; /* the dispatch run, made with its first step */
	int steps;
};

typedef int (*event_subscriber)(struct db *db, struct event_fanout *fanout);

/* Adds a subscriber; at start, before any event is published. */
void event_subscribe(event_subscriber fn);

/*
 * Builds the envelope {"id", "event", "occurred_at", "workspace_id",
 * "test", "data"} around data (which it takes over) into ev.
 */
void event_build(struct event *ev, const char *type, const char *workspace_id,
    cJSON *data, bool test);
/* Stores ev and fans it out, in the caller's transaction. */
int event_publish(struct db *db, struct event *ev);
/* Stores ev without fan-out (a test event meant for one endpoint). */
int event_store(struct db *db, const struct event *ev);
void event_release(struct event *ev);

#endif
