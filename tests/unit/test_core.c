/* core/: ids, time, numbers, buffers, UTF-8, e-mail, log escaping. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/email.h"
#include "core/id.h"
#include "core/json.h"
#include "core/log.h"
#include "core/num.h"
#include "unit.h"

#define IDS_PER_THREAD 20000

static void
test_id_shape(void **state)
{
	char id[ID_SIZE];

	(void)state;
	id_new("lead_", id);
	assert_int_equal(strlen(id), 5 + ID_BODY_LEN);
	assert_true(id_valid(id, "lead_"));
	assert_false(id_valid(id, "evt_"));
	assert_false(id_valid("lead_short", "lead_"));
	assert_false(id_valid("lead_01M8YH1GPVR9SE4HN7BMB3GP6!", "lead_"));
	assert_false(id_valid("lead_01M8YH1GPVR9SE4HN7BMB3GP6IL", "lead_"));
	assert_false(id_valid(NULL, "lead_"));
}

/* Ids made one after the other sort in that order, even within a ms. */
static void
test_id_order(void **state)
{
	char prev[ID_SIZE], next[ID_SIZE];

	(void)state;
	id_new("x_", prev);
	for (int i = 0; i < 10000; i++) {
		id_new("x_", next);
		assert_true(strcmp(prev, next) < 0);
		memcpy(prev, next, sizeof(prev));
	}
}

/* The first 10 characters are the time, so ids sort by creation time. */
static void
test_id_time_prefix(void **state)
{
	char a[ID_SIZE], b[ID_SIZE];
	struct timespec pause = {0, 3 * 1000000};

	(void)state;
	id_new("", a);
	nanosleep(&pause, NULL);
	id_new("", b);
	assert_true(memcmp(a, b, 10) < 0);
}

static void *
make_ids(void *arg)
{
	char(*out)[ID_SIZE] = arg;

	for (int i = 0; i < IDS_PER_THREAD; i++)
		id_new("t_", out[i]);
	return NULL;
}

static int
cmp_ids(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_id_unique_across_threads(void **state)
{
	char(*ids)[ID_SIZE] = calloc(2 * IDS_PER_THREAD, ID_SIZE);
	pthread_t t1, t2;

	(void)state;
	pthread_create(&t1, NULL, make_ids, ids);
	pthread_create(&t2, NULL, make_ids, ids + IDS_PER_THREAD);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	qsort(ids, 2 * IDS_PER_THREAD, ID_SIZE, cmp_ids);
	for (int i = 1; i < 2 * IDS_PER_THREAD; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

static void
test_clock(void **state)
{
	char ts[CLOCK_RFC3339_SIZE];
	int64_t ms;

	(void)state;
	assert_string_equal(clock_format(1764777022123LL, ts),
	    "2025-12-03T15:50:22.123Z");
	assert_int_equal(clock_parse("2025-12-03T15:50:22.123Z", &ms), 0);
	assert_int_equal(ms, 1764777022123LL);
	assert_int_equal(clock_parse("2025-12-03T16:50:22+01:00", &ms), 0);
	assert_int_equal(ms, 1764777022000LL);
	assert_int_not_equal(clock_parse("2025-13-03T15:50:22Z", &ms), 0);
	assert_int_not_equal(clock_parse("yesterday", &ms), 0);
	assert_int_not_equal(clock_parse("2025-12-03T15:50:22", &ms), 0);
}

static void
test_numbers(void **state)
{
	int64_t v;
	double d;

	(void)state;
	assert_int_equal(num_parse_i64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_not_equal(num_parse_i64("101", 0, 100, &v), 0);
	assert_int_not_equal(num_parse_i64("4x", 0, 100, &v), 0);
	assert_int_not_equal(num_parse_i64("", 0, 100, &v), 0);
	assert_int_not_equal(num_parse_i64(" 4", 0, 100, &v), 0);
	assert_int_not_equal(
	    num_parse_i64("99999999999999999999", 0, INT64_MAX, &v), 0);
	assert_int_equal(num_parse_double("0.25", 0, 1, &d), 0);
	assert_int_not_equal(num_parse_double("nan", 0, 1, &d), 0);
}

static void
test_buf_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_not_equal(buf_putc(&b, '9'), 0);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");
	buf_release(&b);
}

static void
test_utf8(void **state)
{
	char *s;

	(void)state;
	assert_true(utf8_valid("z\xc3\xa9 \xf0\x9f\x98\x80", 8));
	assert_false(utf8_valid("\xc3\x28", 2));
	assert_false(utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
	assert_int_equal(utf8_chars("z\xc3\xa9\xf0\x9f\x98\x80", 7), 3);
	s = utf8_sanitize("ok\xff!", 4, 100);
	assert_string_equal(s, "ok\xef\xbf\xbd!");
	free(s);
	/* A character cut by the limit is dropped, not split. */
	s = utf8_sanitize("ab\xc3\xa9", 4, 3);
	assert_string_equal(s, "ab");
	free(s);
	/* An empty body (an answer without one) is an empty string. */
	s = utf8_sanitize("", 0, 100);
	assert_string_equal(s, "");
	free(s);
}

static void
check_email(const char *in, const char *want)
{
	const char *why;
	char *out;

	assert_int_equal(email_normalize(in, strlen(in), &out, &why), 0);
	assert_string_equal(out, want);
	free(out);
}

static void
test_email(void **state)
{
	const char *why;
	char *out;

	(void)state;
	check_email("  Dana@Example.COM\n", "dana@example.com");
	check_email("\xc3\x89lise@exemple.fr", "\xc3\xa9lise@exemple.fr");
	assert_int_not_equal(email_normalize("a@b\0.co", 7, &out, &why), 0);
	assert_int_not_equal(email_normalize("\xff@b.co", 6, &out, &why), 0);
	assert_int_not_equal(email_normalize("a@-b.co", 7, &out, &why), 0);
	assert_int_not_equal(email_normalize("<a@b.co>", 8, &out, &why), 0);
}

static void
test_log_escape(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_esc(out, sizeof(out), "plain"), "plain");
	assert_string_equal(log_esc(out, sizeof(out), "a b"), "\"a b\"");
	assert_string_equal(log_esc(out, sizeof(out), "x=1\n"), "\"x=1\\x0a\"");
	assert_string_equal(log_esc(out, sizeof(out), "say \"hi\""),
	    "\"say \\\"hi\\\"\"");
	assert_true(strlen(log_esc(out, 16, "0123456789abcdefghijkl")) < 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_shape),
	    cmocka_unit_test(test_id_order),
	    cmocka_unit_test(test_id_time_prefix),
	    cmocka_unit_test(test_id_unique_across_threads),
	    cmocka_unit_test(test_clock),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_buf_limit),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_email),
	    cmocka_unit_test(test_log_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
