/* The event registry and the envelope every delivery sends. */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/id.h"
#include "events/event.h"
#include "unit.h"

static void
test_registry(void **state)
{
	(void)state;
	assert_int_equal(event_type_find("lead.captured")->state,
	    EVENT_SHIPPED);
	assert_int_equal(event_type_find("lead.updated")->state,
	    EVENT_RESERVED);
	assert_int_equal(event_type_find("conversation.started")->state,
	    EVENT_RESERVED);
	assert_int_equal(event_type_find("conversation.message")->state,
	    EVENT_RESERVED);
	assert_int_equal(event_type_find("conversation.routed")->state,
	    EVENT_RESERVED);
	assert_null(event_type_find("lead.deleted"));
	assert_null(event_type_find(""));
}

static void
test_envelope(void **state)
{
	static const char *const order[] = {"id", "event", "occurred_at",
	    "workspace_id", "test", "data"};
	cJSON *data = cJSON_CreateObject(), *doc, *item;
	struct event ev;
	int64_t ms;
	int i = 0;

	(void)state;
	cJSON_AddStringToObject(data, "name",
	    "Zo\xc3\xab \xf0\x9f\x98\x80 <&>");
	event_build(&ev, "lead.captured", "ws_1", data, false);
	assert_true(id_valid(ev.id, "evt_"));
	assert_int_equal(ev.len, strlen(ev.payload));

	/* Non-ASCII is sent as UTF-8, never as \u escapes. */
	assert_null(strstr(ev.payload, "\\u"));
	assert_non_null(strstr(ev.payload, "Zo\xc3\xab \xf0\x9f\x98\x80 <&>"));

	doc = cJSON_Parse(ev.payload);
	cJSON_ArrayForEach(item, doc)
	    assert_string_equal(item->string, order[i++]);
	assert_int_equal(i, 6);
	assert_string_equal(cJSON_GetObjectItem(doc, "id")->valuestring, ev.id);
	assert_string_equal(cJSON_GetObjectItem(doc, "event")->valuestring,
	    "lead.captured");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "test")));
	assert_int_equal(
	    clock_parse(cJSON_GetObjectItem(doc, "occurred_at")->valuestring,
		&ms),
	    0);
	assert_int_equal(ms, ev.occurred_at);
	assert_int_equal(
	    strlen(cJSON_GetObjectItem(doc, "occurred_at")->valuestring), 24);
	cJSON_Delete(doc);
	event_release(&ev);
}

static void
test_test_flag(void **state)
{
	struct event ev;
	cJSON *doc;

	(void)state;
	event_build(&ev, "lead.captured", "ws_1", cJSON_CreateObject(), true);
	doc = cJSON_Parse(ev.payload);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "test")));
	cJSON_Delete(doc);
	event_release(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry),
	    cmocka_unit_test(test_envelope),
	    cmocka_unit_test(test_test_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
