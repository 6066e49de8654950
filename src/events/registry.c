/*
 * The event types.  Adding an event is adding its entry here and the code
 * that emits it; reserved names are refused by the API until then.
 */
#include <string.h>

#include "events/event.h"

static const struct event_type event_types[] = {
    {"lead.captured", EVENT_SHIPPED},
    {"lead.updated", EVENT_RESERVED},
    {"conversation.started", EVENT_RESERVED},
    {"conversation.message", EVENT_RESERVED},
    {"conversation.routed", EVENT_RESERVED},
};

const struct event_type *
event_type_find(const char *name)
{
	for (size_t i = 0; i < sizeof(event_types) / sizeof(event_types[0]);
	     i++)
		if (strcmp(event_types[i].name, name) == 0)
			return &event_types[i];
	return NULL;
}
