/* Lead validation: every field's rule and limit, counted in characters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "leads/lead.h"
#include "unit.h"

/* Parses a JSON text; returns the rc and leaves errors in *fields. */
static int
parse(const char *json, struct lead_input *in, cJSON **fields)
{
	cJSON *body = cJSON_Parse(json);
	int rc;

	assert_non_null(body);
	rc = lead_input_parse(body, in, fields);
	/* The input points into body: keep what the test reads. */
	cJSON_Delete(body);
	return rc;
}

static void
expect_error(const char *json, const char *field)
{
	struct lead_input in;
	cJSON *fields;

	assert_int_not_equal(parse(json, &in, &fields), 0);
	if (!cJSON_HasObjectItem(fields, field))
		fail_msg("no error for %s in %s", field, cJSON_Print(fields));
	cJSON_Delete(fields);
	lead_input_release(&in);
}

static void
expect_ok(const char *json)
{
	struct lead_input in;
	cJSON *fields;

	if (parse(json, &in, &fields) != 0)
		fail_msg("refused %s: %s", json, cJSON_Print(fields));
	cJSON_Delete(fields);
	lead_input_release(&in);
}

static void
expect_message(const char *json, const char *field, const char *message)
{
	struct lead_input in;
	cJSON *fields, *got;

	assert_int_not_equal(parse(json, &in, &fields), 0);
	got = cJSON_GetObjectItemCaseSensitive(fields, field);
	if (!cJSON_IsString(got) || strcmp(got->valuestring, message) != 0)
		fail_msg("%s: want %s: \"%s\", got %s", json, field, message,
		    cJSON_PrintUnformatted(fields));
	cJSON_Delete(fields);
	lead_input_release(&in);
}

/* {"email": "a@b.co", "<field>": "<n copies of unit>"} */
static char *
with_repeat(const char *field, const char *unit, size_t n)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_printf(&b, "{\"email\":\"a@b.co\",\"%s\":\"", field);
	for (size_t i = 0; i < n; i++)
		buf_puts(&b, unit);
	buf_puts(&b, "\"}");
	return buf_detach(&b, NULL);
}

static void
check_limit(const char *field, size_t max)
{
	char *ok = with_repeat(field, "\xc3\xa9", max); /* "é": 2 bytes */
	char *over = with_repeat(field, "x", max + 1);

	expect_ok(ok);
	expect_error(over, field);
	free(ok);
	free(over);
}

static void
test_full_lead(void **state)
{
	struct lead_input in;
	cJSON *fields, *body;

	(void)state;
	body =
	    cJSON_Parse("{\"email\":\"  Dana@Example.COM \",\"name\":"
			"\"Dana <&>\",\"phone\":\"+1 555\",\"company\":\"A\","
			"\"message\":\"Hi\\nthere\",\"page_url\":"
			"\"https://a.example/p\",\"fields\":{\"budget\":\"5k\","
			"\"seats\":20,\"trial\":true}}");
	assert_int_equal(lead_input_parse(body, &in, &fields), 0);
	assert_string_equal(in.email, "dana@example.com");
	assert_string_equal(in.name, "Dana <&>");
	assert_string_equal(in.message, "Hi\nthere");
	assert_string_equal(
	    cJSON_GetObjectItem(in.fields, "budget")->valuestring, "5k");
	assert_string_equal(
	    cJSON_GetObjectItem(in.fields, "seats")->valuestring, "20");
	assert_string_equal(
	    cJSON_GetObjectItem(in.fields, "trial")->valuestring, "true");
	assert_null(in.conversation_id);
	cJSON_Delete(fields);
	lead_input_release(&in);
	cJSON_Delete(body);
}

static void
test_email_rules(void **state)
{
	(void)state;
	expect_error("{}", "email");
	expect_error("{\"name\":\"x\"}", "email");
	expect_error("{\"email\":\"\"}", "email");
	expect_error("{\"email\":\"no-at-sign\"}", "email");
	expect_error("{\"email\":\"a@b\"}", "email");
	expect_error("{\"email\":\"a@@b.co\"}", "email");
	expect_error("{\"email\":\"a b@c.co\"}", "email");
	expect_error("{\"email\":\"a@.co\"}", "email");
	expect_error("{\"email\":42}", "email");
	expect_ok("{\"email\":\"z\xc3\xb6\xc3\xab@example.com\"}");
}

static void
test_email_length(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	buf_puts(&b, "{\"email\":\"a@");
	for (int i = 0; i < 60; i++)
		buf_puts(&b, "abcd.");
	buf_puts(&b, "com\"}");
	expect_error(b.data, "email"); /* 2 + 300 + 3 characters */
	buf_release(&b);
}

static void
test_text_limits(void **state)
{
	(void)state;
	check_limit("name", LEAD_NAME_MAX);
	check_limit("company", LEAD_COMPANY_MAX);
	check_limit("phone", LEAD_PHONE_MAX);
	check_limit("message", LEAD_MESSAGE_MAX);
	check_limit("page_url", LEAD_PAGE_URL_MAX);
	check_limit("conversation_id", LEAD_CONVERSATION_MAX);
}

static void
test_types_and_unknown_keys(void **state)
{
	(void)state;
	expect_error("{\"email\":\"a@b.co\",\"name\":7}", "name");
	expect_error("{\"email\":\"a@b.co\",\"phone\":[]}", "phone");
	expect_error("{\"email\":\"a@b.co\",\"budget\":\"5k\"}", "budget");
	expect_error("{\"email\":\"a@b.co\",\"fields\":[]}", "fields");
	expect_error("{\"email\":\"a@b.co\",\"fields\":{\"a\":{}}}", "fields");
	expect_error("{\"email\":\"a@b.co\",\"fields\":{\"a\":null}}",
	    "fields");
	expect_ok("{\"email\":\"a@b.co\",\"name\":null,\"fields\":null}");
}

static void
test_empty_text_is_absent(void **state)
{
	struct lead_input in;
	cJSON *fields;

	(void)state;
	assert_int_equal(
	    parse("{\"email\":\"a@b.co\",\"name\":\"\"}", &in, &fields), 0);
	assert_null(in.name);
	cJSON_Delete(fields);
	lead_input_release(&in);
}

static char *
with_custom(int count, size_t keylen, size_t valuelen)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"email\":\"a@b.co\",\"fields\":{");
	for (int i = 0; i < count; i++) {
		buf_printf(&b, "%s\"%0*d\":\"", i ? "," : "", (int)keylen, i);
		for (size_t j = 0; j < valuelen; j++)
			buf_putc(&b, 'v');
		buf_putc(&b, '"');
	}
	buf_puts(&b, "}}");
	return buf_detach(&b, NULL);
}

static void
test_custom_field_limits(void **state)
{
	char *cases[6];

	(void)state;
	cases[0] = with_custom(LEAD_FIELDS_MAX, 4, 4);
	cases[1] = with_custom(LEAD_FIELDS_MAX + 1, 4, 4);
	cases[2] = with_custom(1, LEAD_FIELD_KEY_MAX, 1);
	cases[3] = with_custom(1, LEAD_FIELD_KEY_MAX + 1, 1);
	cases[4] = with_custom(1, 4, LEAD_FIELD_VALUE_MAX);
	cases[5] = with_custom(1, 4, LEAD_FIELD_VALUE_MAX + 1);
	for (int i = 0; i < 6; i++) {
		if (i % 2 == 0)
			expect_ok(cases[i]);
		else
			expect_error(cases[i], "fields");
		free(cases[i]);
	}
	expect_error("{\"email\":\"a@b.co\",\"fields\":{\"\":\"x\"}}",
	    "fields");
}

/* The text a custom field's number is kept as. */
static void
expect_number_text(const char *number, const char *text)
{
	char *json =
	    xasprintf("{\"email\":\"a@b.co\",\"fields\":{\"n\":%s}}", number);
	struct lead_input in;
	cJSON *fields;

	if (parse(json, &in, &fields) != 0)
		fail_msg("refused %s: %s", json, cJSON_Print(fields));
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(in.fields, "n")->valuestring,
	    text);
	cJSON_Delete(fields);
	lead_input_release(&in);
	free(json);
}

/*
 * Numbers are kept as text with every digit they carry; those whose
 * digits a double may have lost already are refused, to come as strings.
 */
static void
test_number_fields(void **state)
{
	static const char *refused[] = {"1e400", "-1e400", "9007199254740993",
	    "9007199254740992", "12345678901234567890", "1e21"};
	char json[128];

	(void)state;
	expect_number_text("42", "42");
	expect_number_text("-7", "-7");
	expect_number_text("1000000000000000", "1000000000000000");
	expect_number_text("9007199254740991", "9007199254740991");
	expect_number_text("0.1", "0.1");
	expect_number_text("3.25e-7", "3.25e-07");
	expect_number_text("2.5", "2.5");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(json, sizeof(json),
		    "{\"email\":\"a@b.co\",\"fields\":{\"n\":%s}}", refused[i]);
		expect_message(json, "fields",
		    "numbers past 2^53 or out of range must be sent as "
		    "strings");
	}
}

/* An e-mail of blanks is a missing one. */
static void
test_blank_email(void **state)
{
	(void)state;
	expect_message("{\"email\":\"\"}", "email", "is required");
	expect_message("{\"email\":\"  \\t \"}", "email", "is required");
	expect_message("{\"email\":\" a \"}", "email", "needs exactly one @");
}

static void
test_idempotency_keys(void **state)
{
	char long_key[LEAD_IDEM_KEY_MAX + 2];

	(void)state;
	assert_true(lead_idem_key_valid("retry-1"));
	assert_false(lead_idem_key_valid(""));
	assert_false(lead_idem_key_valid("has space"));
	assert_false(lead_idem_key_valid("caf\xc3\xa9"));
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_false(lead_idem_key_valid(long_key));
	long_key[LEAD_IDEM_KEY_MAX] = '\0';
	assert_true(lead_idem_key_valid(long_key));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_lead),
	    cmocka_unit_test(test_email_rules),
	    cmocka_unit_test(test_email_length),
	    cmocka_unit_test(test_text_limits),
	    cmocka_unit_test(test_types_and_unknown_keys),
	    cmocka_unit_test(test_empty_text_is_absent),
	    cmocka_unit_test(test_custom_field_limits),
	    cmocka_unit_test(test_number_fields),
	    cmocka_unit_test(test_blank_email),
	    cmocka_unit_test(test_idempotency_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
