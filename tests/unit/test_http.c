/*
 * The HTTP layer's pure parts: form bodies, route matching, percent
 * decoding and the path a log line shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rc.h"
#include "http/http.h"
#include "unit.h"

static void
handler(struct http_req *req, struct http_resp *resp)
{
	(void)req;
	(void)resp;
}

static const struct http_route routes[] = {
    {"GET", "/api/v1/webhooks", 1, handler, 0, 0, NULL},
    {"POST", "/api/v1/webhooks", 2, handler, 0, 0, NULL},
    {"GET", "/api/v1/webhooks/{id}", 1, handler, 0, 0, NULL},
    {"GET", "/api/v1/webhooks/{id}/deliveries", 1, handler, 0, 0, NULL},
    {"POST", "/widget/v1/{key}/leads", 0, handler, 0,
	HTTP_CORS | HTTP_KEY_IN_PATH, NULL},
    {"GET", "/demo/{key}", 0, handler, 0, HTTP_KEY_IN_PATH, NULL},
};

static void
free_params(struct http_req *req)
{
	for (int i = 0; i < req->nparams; i++)
		free(req->params[i]);
	req->nparams = 0;
}

static const struct http_route *
match(const char *method, const char *path, struct http_req *req, bool *known)
{
	return http_route_match(routes, sizeof(routes) / sizeof(routes[0]),
	    method, path, req, known);
}

static void
test_routes(void **state)
{
	struct http_req req = {0};
	const struct http_route *r;
	bool known;

	(void)state;
	r = match("GET", "/api/v1/webhooks/whk_1/deliveries", &req, &known);
	assert_ptr_equal(r, &routes[3]);
	assert_int_equal(req.nparams, 1);
	assert_string_equal(req.params[0], "whk_1");
	free_params(&req);

	r = match("POST", "/api/v1/webhooks", &req, &known);
	assert_ptr_equal(r, &routes[1]);
	assert_int_equal(req.nparams, 0);

	/* A known path with another method: 405, not 404. */
	assert_null(match("DELETE", "/api/v1/webhooks", &req, &known));
	assert_true(known);
	assert_null(match("GET", "/api/v1/nothing", &req, &known));
	assert_false(known);
	assert_null(match("GET", "/api/v1/webhooks/", &req, &known));
	assert_null(match("GET", "/api/v1/webhooks/a/b", &req, &known));
	assert_null(match("GET", "/api/v1/webhooks//deliveries", &req, &known));
	assert_int_equal(req.nparams, 0);
}

static void
test_form(void **state)
{
	const char body[] = "email=Dana%40Example.com&name=Dana+E%C3%89&"
			    "fields%5Bbudget%5D=5k&&empty=&flag&pct=100%25";
	struct http_form form;

	(void)state;
	assert_int_equal(http_form_parse(body, strlen(body), 10, &form), 0);
	assert_int_equal(form.n, 6);
	assert_string_equal(form.pairs[0].key, "email");
	assert_string_equal(form.pairs[0].value, "Dana@Example.com");
	assert_string_equal(form.pairs[1].value, "Dana E\xc3\x89");
	assert_string_equal(form.pairs[2].key, "fields[budget]");
	assert_string_equal(form.pairs[3].value, "");
	assert_string_equal(form.pairs[4].key, "flag");
	assert_string_equal(form.pairs[5].value, "100%");
	http_form_release(&form);
}

static void
test_form_limits(void **state)
{
	const char many[] = "a=1&b=2&c=3";
	const char nul_value[] = "a=x%00y";
	const char nul_key[] = "a%00b=1";
	struct http_form form;

	(void)state;
	assert_int_equal(http_form_parse(many, strlen(many), 2, &form),
	    PB_ERR_TOO_LARGE);
	assert_int_equal(form.n, 0);
	assert_int_equal(
	    http_form_parse(nul_value, strlen(nul_value), 4, &form), 0);
	assert_int_equal(form.pairs[0].value_len, 3);
	assert_int_equal(strlen(form.pairs[0].value), 1);
	http_form_release(&form);
	assert_int_equal(http_form_parse(nul_key, strlen(nul_key), 4, &form),
	    PB_ERR_INVALID);
}

static void
check_unescape(const char *in, const char *want, size_t want_len)
{
	char s[64];

	snprintf(s, sizeof(s), "%s", in);
	assert_int_equal(http_unescape(s), want_len);
	assert_memory_equal(s, want, want_len + 1);
}

static void
test_unescape(void **state)
{
	(void)state;
	check_unescape("/a%2Fb%20c", "/a/b c", 6);
	check_unescape("%e2%82%AC+", "\xe2\x82\xac+", 4);
	check_unescape("100%", "100%", 4);
	check_unescape("%zz%4%", "%zz%4%", 6);
	check_unescape("%01%7f", "\x01\x7f", 2);
	/* %00 stays as text: the path or argument is not cut short. */
	check_unescape("whk_1%00junk", "whk_1%00junk", 12);
	check_unescape("%00%41", "%00A", 4);
	check_unescape("%2500", "%00", 3);
}

static void
check_redact(const char *path, const char *want)
{
	char out[64];

	http_route_redact(routes, sizeof(routes) / sizeof(routes[0]), path, out,
	    sizeof(out));
	assert_string_equal(out, want);
}

static void
test_redact(void **state)
{
	char out[8];

	(void)state;
	check_redact("/widget/v1/wk_1/leads", "/widget/v1/{key}/leads");
	check_redact("/widget/v1/wk_1", "/widget/v1/{key}");
	check_redact("/widget/v1/wk_1/", "/widget/v1/{key}/");
	check_redact("/widget/v1/wk_1/leads/x", "/widget/v1/{key}/leads/x");
	check_redact("/demo/wk_1", "/demo/{key}");
	/* Near misses: doubled slashes, another case. */
	check_redact("//widget/v1//wk_1/leads", "//widget/v1//{key}/leads");
	check_redact("/Widget/V1/wk_1", "/Widget/V1/{key}");
	/* Paths of routes without a key, or of none, show as they are. */
	check_redact("/api/v1/webhooks/whk_1", "/api/v1/webhooks/whk_1");
	check_redact("/widget/v2/wk_1", "/widget/v2/wk_1");
	check_redact("/demo", "/demo");
	check_redact("/", "/");
	check_redact("", "");
	/* Cut to fit. */
	http_route_redact(routes, sizeof(routes) / sizeof(routes[0]),
	    "/demo/wk_1", out, sizeof(out));
	assert_string_equal(out, "/demo/{");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_form),
	    cmocka_unit_test(test_form_limits),
	    cmocka_unit_test(test_unescape),
	    cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
