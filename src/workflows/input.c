/* Reading a workflow request, and the step type registry (see workflow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/rc.h"
#include "events/event.h"
#include "workflows/workflow.h"

/* Every step type the API knows; implementations fill in at start. */
static struct {
	const char *name;
	const struct workflow_step_type *impl;
} step_types[] = {
    {"webhook", NULL},
    {"slack", NULL},
};

#define NTYPES (sizeof(step_types) / sizeof(step_types[0]))

void
workflow_step_type_add(const struct workflow_step_type *type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(step_types[i].name, type->name) == 0)
			step_types[i].impl = type;
}

const struct workflow_step_type *
workflow_step_type_find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(step_types[i].name, name) == 0)
			return step_types[i].impl;
	return NULL;
}

static bool
type_known(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(step_types[i].name, name) == 0)
			return true;
	return false;
}

static void
parse_name(const cJSON *item, struct workflow_input *in, cJSON *fields)
{
	size_t n;

	if (!cJSON_IsString(item)) {
		json_field_error(fields, "name", "must be a string");
		return;
	}
	n = utf8_chars(item->valuestring, strlen(item->valuestring));
	if (n == 0 || n > WORKFLOW_NAME_MAX) {
		json_field_error(fields, "name", "must be 1 to 100 characters");
		return;
	}
	if (item->valuestring[strspn(item->valuestring, " \t\r\n")] == '\0') {
		json_field_error(fields, "name", "must not be blank");
		return;
	}
	in->name = item->valuestring;
}

static void
parse_trigger(const cJSON *item, struct workflow_input *in, cJSON *fields)
{
	const struct event_type *type;

	if (!cJSON_IsString(item)) {
		json_field_error(fields, "trigger", "must be a string");
		return;
	}
	type = event_type_find(item->valuestring);
	if (type == NULL)
		json_field_error(fields, "trigger",
		    "is not a known event type");
	else if (type->state != EVENT_SHIPPED)
		json_field_error(fields, "trigger", "is not available yet");
	else
		in->trigger = type->name;
}

/* The step's type, or NULL with the reason in *why. */
static const struct workflow_step_type *
step_type(const cJSON *step, const char **why)
{
	const char *name = json_str(step, "type");
	const struct workflow_step_type *type;

	if (name == NULL) {
		*why = "needs a \"type\"";
		return NULL;
	}
	if ((type = workflow_step_type_find(name)) == NULL)
		*why = type_known(name) ? "this type of step is not available "
					  "yet"
					: "is not a known type of step";
	return type;
}

/* A step's own id, when it keeps an existing step. */
static const char *
step_id(const cJSON *step, const char **why)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(step, "id");

	if (id == NULL || cJSON_IsNull(id))
		return NULL;
	if (!cJSON_IsString(id) || !id_valid(id->valuestring, "wfs_")) {
		*why = "has an \"id\" that is not a step's";
		return NULL;
	}
	return id->valuestring;
}

static const char *
parse_step(const cJSON *item, struct workflow_step_input *out)
{
	const char *why = NULL;

	if (!cJSON_IsObject(item))
		return "must be an object";
	out->id = step_id(item, &why);
	if (why)
		return why;
	if ((out->type = step_type(item, &why)) == NULL)
		return why;
	return out->type->check(item, &out->config);
}

static void
parse_steps(const cJSON *item, struct workflow_input *in, cJSON *fields)
{
	const cJSON *step;
	const char *why;
	char key[32];
	int i = 0;

	if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0 ||
	    cJSON_GetArraySize(item) > WORKFLOW_STEPS_MAX) {
		json_field_error(fields, "steps", "must list 1 to 10 steps");
		return;
	}
	cJSON_ArrayForEach(step, item)
	{
		if ((why = parse_step(step, &in->steps[i])) != NULL) {
			snprintf(key, sizeof(key), "steps[%d]", i);
			json_field_error(fields, key, why);
		}
		in->nsteps = ++i;
	}
}

static void
parse_member(const cJSON *item, struct workflow_input *in, cJSON *fields)
{
	if (strcmp(item->string, "name") == 0)
		parse_name(item, in, fields);
	else if (strcmp(item->string, "trigger") == 0)
		parse_trigger(item, in, fields);
	else if (strcmp(item->string, "steps") == 0)
		parse_steps(item, in, fields);
	else if (strcmp(item->string, "enabled") != 0)
		json_field_error(fields, item->string,
		    "is not a field that can be set");
	else if (cJSON_IsBool(item))
		in->enabled = cJSON_IsTrue(item);
	else
		json_field_error(fields, "enabled", "must be true or false");
}

int
workflow_input_parse(const cJSON *body, bool create, struct workflow_input *in,
    cJSON **fields)
{
	const cJSON *item;

	memset(in, 0, sizeof(*in));
	in->enabled = in->nsteps = -1;
	*fields = cJSON_CreateObject();
	cJSON_ArrayForEach(item, body)
	{
		parse_member(item, in, *fields);
	}
	if (create && in->name == NULL)
		json_field_error(*fields, "name", "is required");
	if (create && in->trigger == NULL)
		json_field_error(*fields, "trigger", "is required");
	if (create && in->nsteps < 0)
		json_field_error(*fields, "steps", "is required");
	for (int i = 0; create && i < in->nsteps; i++)
		if (in->steps[i].id)
			json_field_error(*fields, "steps",
			    "a new workflow's steps have no \"id\"");
	return cJSON_GetArraySize(*fields) ? PB_ERR_INVALID : PB_OK;
}

void
workflow_input_release(struct workflow_input *in)
{
	for (int i = 0; i < in->nsteps; i++)
		free(in->steps[i].config);
	in->nsteps = -1;
}
