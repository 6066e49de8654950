/* core/json: what json_parse() refuses that cJSON alone would take. */
#include <string.h>

#include "core/json.h"
#include "core/rc.h"
#include "unit.h"

/* json_parse() of the C string text; the parsed value is dropped. */
static int
parse(const char *text)
{
	cJSON *item;
	int rc = json_parse(text, strlen(text), &item);

	cJSON_Delete(item);
	return rc;
}

static void
test_parse(void **state)
{
	cJSON *item;

	(void)state;
	assert_int_equal(json_parse("{\"a\":\"\xc3\xa9\"}", 10, &item), PB_OK);
	assert_string_equal(json_str(item, "a"), "\xc3\xa9");
	cJSON_Delete(item);
	assert_int_equal(parse("{\"a\":1} x"), PB_ERR_INVALID);
	assert_int_equal(parse("{\"a\":\"\xff\"}"), PB_ERR_INVALID);
	/* A raw NUL inside the text, before the one that ends it. */
	assert_int_equal(json_parse("{\"a\":\"x\0y\"}", 11, &item),
	    PB_ERR_INVALID);
	assert_null(item);
}

/*
 * cJSON decodes \u0000 into a C string, which ends there: "Na\u0000me"
 * would be stored as "Na".  Refused wherever it stands.
 */
static void
test_escaped_nul(void **state)
{
	(void)state;
	assert_int_equal(parse("{\"name\":\"Na\\u0000me\"}"), PB_ERR_INVALID);
	assert_int_equal(parse("{\"k\\u0000ey\":1}"), PB_ERR_INVALID);
	assert_int_equal(parse("[\"\\u0000\"]"), PB_ERR_INVALID);
	/* After an escaped backslash, the backslash before u counts. */
	assert_int_equal(parse("\"\\\\\\u0000\""), PB_ERR_INVALID);
	assert_int_equal(parse("{\"s\":\"\\\\\\\\\\u0000\"}"), PB_ERR_INVALID);
}

/* Text that only looks like the escape, and escapes near it, still parse. */
static void
test_escaped_nul_lookalikes(void **state)
{
	const char *path = "{\"p\":\"C:\\\\u0000\"}";
	cJSON *item;

	(void)state;
	/* An escaped backslash, then the text u0000. */
	assert_int_equal(json_parse(path, strlen(path), &item), PB_OK);
	assert_string_equal(json_str(item, "p"), "C:\\u0000");
	cJSON_Delete(item);
	assert_int_equal(parse("{\"s\":\"\\\\\\\\u0000\"}"), PB_OK);
	assert_int_equal(parse("{\"s\":\"\\u0001\\u0100\\u00000\"}"),
	    PB_ERR_INVALID);
	assert_int_equal(parse("{\"s\":\"\\u0001\\u0100\\u1000\"}"), PB_OK);
	assert_int_equal(parse("{\"s\":\"u0000 \\\"\\u00e9\"}"), PB_OK);
	/* A backslash that ends the text is bad JSON, not a crash. */
	assert_int_equal(parse("\"\\"), PB_ERR_INVALID);
	assert_int_equal(parse("\"\\u000"), PB_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_escaped_nul),
	    cmocka_unit_test(test_escaped_nul_lookalikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
