/* Checking a widget submission field by field (see lead.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/email.h"
#include "core/json.h"
#include "core/rc.h"
#include "leads/lead.h"

struct text_field {
	const char *name;
	size_t max; /* characters */
	size_t offset;
};

#define FIELD(f, max)                                                          \
	{                                                                      \
#f, max, offsetof(struct lead_input, f)                        \
	}

static const struct text_field text_fields[] = {
    FIELD(name, LEAD_NAME_MAX),
    FIELD(phone, LEAD_PHONE_MAX),
    FIELD(company, LEAD_COMPANY_MAX),
    FIELD(message, LEAD_MESSAGE_MAX),
    FIELD(page_url, LEAD_PAGE_URL_MAX),
    FIELD(conversation_id, LEAD_CONVERSATION_MAX),
};

/* Members of a body past which it is refused without a closer look. */
#define LEAD_MEMBERS_MAX (16 + LEAD_FIELDS_MAX)

static void
too_long(cJSON *fields, const char *name, size_t max)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "must be at most %zu characters", max);
	json_field_error(fields, name, msg);
}

/* A text field: a string within its limit; "" counts as not given. */
static void
take_text(const cJSON *item, const struct text_field *f, struct lead_input *in,
    cJSON *fields)
{
	const char **slot = (const char **)((char *)in + f->offset);
	size_t n;

	if (cJSON_IsNull(item))
		return;
	if (!cJSON_IsString(item)) {
		json_field_error(fields, f->name, "must be a string");
		return;
	}
	n = strlen(item->valuestring);
	if (utf8_chars(item->valuestring, n) > f->max) {
		too_long(fields, f->name, f->max);
		return;
	}
	if (n > 0)
		*slot = item->valuestring;
}

static void
take_email(const cJSON *item, struct lead_input *in, cJSON *fields)
{
	const char *why;
	char msg[96];

	if (!cJSON_IsString(item)) {
		json_field_error(fields, "email", "must be a string");
		return;
	}
	if (item->valuestring[strspn(item->valuestring, " \t\r\n")] == '\0')
		return; /* blank: "is required" follows */
	if (email_normalize(item->valuestring, strlen(item->valuestring),
		&in->email, &why) != PB_OK) {
		snprintf(msg, sizeof(msg), "%s", why);
		json_field_error(fields, "email", msg);
	}
}

/* From here on a number may have lost digits on its way to a double. */
#define EXACT_INTEGER_MAX 9007199254740992.0 /* 2^53 */

/*
 * A number as text: a whole one with all its digits, another as the
 * shortest text that reads back as the same double.  False when digits may
 * be lost already: out of range, or past 2^53 (long ids, card-like
 * numbers), which must come as text.
 */
static bool
number_text(double d, char *buf, size_t size)
{
	if (!isfinite(d) || fabs(d) >= EXACT_INTEGER_MAX)
		return false;
	if (d == trunc(d)) {
		snprintf(buf, size, "%.0f", d);
		return true;
	}
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return true;
}

/* A custom field's value as a string, or NULL with *why. */
static cJSON *
field_value(const cJSON *v, const char **why)
{
	char num[32];

	if (cJSON_IsString(v))
		return cJSON_CreateString(v->valuestring);
	if (cJSON_IsBool(v))
		return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v) && number_text(v->valuedouble, num, sizeof(num)))
		return cJSON_CreateString(num);
	*why = cJSON_IsNumber(v)
	    ? "numbers past 2^53 or out of range must be sent as strings"
	    : "values must be strings, numbers or booleans";
	return NULL;
}

static const char *
check_custom(const cJSON *v, cJSON **value)
{
	size_t klen = strlen(v->string);
	const char *why = NULL;

	*value = NULL;
	if (klen == 0 || utf8_chars(v->string, klen) > LEAD_FIELD_KEY_MAX)
		return "keys must be 1 to 64 characters";
	if ((*value = field_value(v, &why)) == NULL)
		return why;
	if (utf8_chars((*value)->valuestring, strlen((*value)->valuestring)) >
	    LEAD_FIELD_VALUE_MAX) {
		cJSON_Delete(*value);
		*value = NULL;
		return "values must be at most 1000 characters";
	}
	return NULL;
}

static void
take_custom(const cJSON *item, struct lead_input *in, cJSON *fields)
{
	const char *why = NULL;
	const cJSON *v;
	cJSON *value;

	if (cJSON_IsNull(item))
		return;
	if (!cJSON_IsObject(item)) {
		json_field_error(fields, "fields", "must be an object");
		return;
	}
	if (cJSON_GetArraySize(item) > LEAD_FIELDS_MAX) {
		json_field_error(fields, "fields",
		    "must hold at most 50 custom fields");
		return;
	}
	cJSON_ArrayForEach(v, item)
	{
		if ((why = check_custom(v, &value)) != NULL)
			break;
		cJSON_AddItemToObject(in->fields, v->string, value);
	}
	if (why)
		json_field_error(fields, "fields", why);
}

static void
take_member(const cJSON *item, struct lead_input *in, cJSON *fields)
{
	for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]);
	     i++) {
		if (strcmp(item->string, text_fields[i].name) == 0) {
			take_text(item, &text_fields[i], in, fields);
			return;
		}
	}
	if (strcmp(item->string, "email") == 0)
		take_email(item, in, fields);
	else if (strcmp(item->string, "fields") == 0)
		take_custom(item, in, fields);
	else
		json_field_error(fields, item->string,
		    "is not a lead field (custom ones go under \"fields\")");
}

int
lead_input_parse(const cJSON *body, struct lead_input *in, cJSON **fields)
{
	const cJSON *item;

	memset(in, 0, sizeof(*in));
	in->fields = cJSON_CreateObject();
	*fields = cJSON_CreateObject();
	if (cJSON_GetArraySize(body) > LEAD_MEMBERS_MAX) {
		json_field_error(*fields, "fields",
		    "the lead holds far too many fields");
		return PB_ERR_INVALID;
	}
	cJSON_ArrayForEach(item, body)
	{
		take_member(item, in, *fields);
	}
	if (in->email == NULL)
		json_field_error(*fields, "email", "is required");
	return cJSON_GetArraySize(*fields) ? PB_ERR_INVALID : PB_OK;
}

void
lead_input_release(struct lead_input *in)
{
	free(in->email);
	cJSON_Delete(in->fields);
	memset(in, 0, sizeof(*in));
}

bool
lead_idem_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > LEAD_IDEM_KEY_MAX)
		return false;
	for (; *key; key++)
		if (*key < 0x21 || *key > 0x7e)
			return false;
	return true;
}
