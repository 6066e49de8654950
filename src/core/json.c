/* cJSON with UTF-8 checks and aborting allocation (see json.h). */
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"

static void *
json_malloc(size_t n)
{
	return xmalloc(n);
}

__attribute__((constructor)) static void
json_install_hooks(void)
{
	cJSON_Hooks hooks = {json_malloc, free};

	cJSON_InitHooks(&hooks);
}

bool
utf8_valid(const char *s, size_t n)
{
	return u8_check((const uint8_t *)s, n) == NULL;
}

size_t
utf8_chars(const char *s, size_t n)
{
	return u8_mbsnlen((const uint8_t *)s, n);
}

char *
utf8_sanitize(const char *s, size_t n, size_t max)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	struct buf out;
	ucs4_t uc;

	buf_init(&out, max);
	while (p < end) {
		int len = u8_mbtoucr(&uc, p, (size_t)(end - p));

		if (len == -2)
			break; /* a character cut at the end */
		if (len < 0) {
			if (buf_append(&out, replacement, 3) != PB_OK)
				break;
			p++;
			continue;
		}
		if (buf_append(&out, p, (size_t)len) != PB_OK)
			break;
		p += len;
	}
	return buf_detach(&out, NULL);
}

/*
 * Whether the n bytes at text hold the escape \u0000, which cJSON would
 * decode into a C string, silently cutting it there.  Each backslash
 * takes the next character with it, so "\\u0000" (an escaped backslash,
 * then text) is not one.
 */
static bool
has_escaped_nul(const char *text, size_t n)
{
	const char *end = text + n;

	for (const char *p = text; p < end; p += 2) {
		if ((p = memchr(p, '\\', (size_t)(end - p))) == NULL)
			return false;
		if (end - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
			return true;
	}
	return false;
}

int
json_parse(const char *text, size_t n, cJSON **out)
{
	*out = NULL;
	if (!utf8_valid(text, n) || memchr(text, '\0', n) || text[n] != '\0' ||
	    has_escaped_nul(text, n))
		return PB_ERR_INVALID;
	/* Counting the NUL makes cJSON refuse anything after the value. */
	*out = cJSON_ParseWithLengthOpts(text, n + 1, NULL, true);
	return *out ? PB_OK : PB_ERR_INVALID;
}

const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

void
json_add_str(cJSON *obj, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(obj, key, s);
	else
		cJSON_AddNullToObject(obj, key);
}

void
json_add_time(cJSON *obj, const char *key, int64_t ms)
{
	char ts[CLOCK_RFC3339_SIZE];

	json_add_str(obj, key, ms < 0 ? NULL : clock_format(ms, ts));
}

void
json_field_error(cJSON *fields, const char *field, const char *message)
{
	if (cJSON_GetArraySize(fields) < JSON_FIELD_ERRORS_MAX &&
	    !cJSON_HasObjectItem(fields, field))
		cJSON_AddStringToObject(fields, field, message);
}

char *
json_print(const cJSON *item)
{
	char *s = cJSON_PrintUnformatted(item);

	if (s == NULL)
		abort();
	return s;
}
