/*
 * Both webhook signatures against the published test vectors and against
 * golden cases computed independently with openssl:
 *
 *   printf '%s' "1700000000.$BODY" |
 *       openssl dgst -sha256 -hmac whsec_golden_secret_for_tests
 *   printf '%s' "msg_golden.1700000000.$BODY" | openssl dgst -sha256 \
 *       -mac HMAC -macopt hexkey:<hex of the decoded key> -binary | base64
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "crypto/secret.h"
#include "crypto/sign.h"
#include "unit.h"

#define VECTORS "tests/fixtures/webhooks/"
#define GOLDEN_BODY                                                            \
	"{\"id\":\"evt_golden\",\"event\":\"lead.captured\","                  \
	"\"data\":{\"name\":\"Zo\xc3\xab \xe2\x9c\x93\"}}"

static const char *
str(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItem(obj, key);

	assert_true(cJSON_IsString(item));
	return item->valuestring;
}

static void
check_standard(const char *secret, const char *id, int64_t t, const char *body,
    size_t len, const char *want)
{
	const char *secrets[] = {secret};
	char *got;

	assert_int_equal(sign_standard(secrets, 1, id, t, body, len, &got), 0);
	assert_string_equal(got, want);
	free(got);
}

static void
test_pitchbar_vectors(void **state)
{
	cJSON *doc = unit_read_json(VECTORS "pitchbar.vectors.DERIVED.json");
	const cJSON *c;

	(void)state;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases"))
	{
		const char *secrets[] = {str(c, "secret")};
		const char *body = str(c, "body_utf8");
		int64_t t =
		    (int64_t)cJSON_GetObjectItem(c, "timestamp")->valuedouble;
		char *got = sign_pitchbar(secrets, 1, t, body, strlen(body));

		assert_string_equal(got, str(c, "x_pitchbar_signature"));
		free(got);
		check_standard(str(c, "secret"), str(c, "webhook_id"), t, body,
		    strlen(body), str(c, "webhook_signature"));
	}
	cJSON_Delete(doc);
}

/* The payload of a vector: given, or "a" repeated as the generator says. */
static char *
vector_payload(const cJSON *v, size_t *len)
{
	const cJSON *gen = cJSON_GetObjectItem(v, "payload_generator");
	char *p;

	if (gen == NULL) {
		p = xstrdup(str(v, "payload"));
		*len = strlen(p);
		return p;
	}
	*len = (size_t)cJSON_GetObjectItem(gen, "repeat")->valuedouble;
	p = xmalloc(*len + 1);
	memset(p, str(gen, "char")[0], *len);
	p[*len] = '\0';
	return p;
}

static void
test_standard_webhooks_vectors(void **state)
{
	cJSON *doc = unit_read_json(VECTORS "standard-webhooks.vectors.json");
	const cJSON *v;
	int n = 0;

	(void)state;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "vectors"))
	{
		size_t len;
		char *payload = vector_payload(v, &len);
		int64_t t =
		    (int64_t)cJSON_GetObjectItem(v, "timestamp")->valuedouble;

		check_standard(str(v, "secret"), str(v, "msg_id"), t, payload,
		    len, str(v, "expected_signature"));
		free(payload);
		n++;
	}
	assert_true(n >= 5);
	cJSON_Delete(doc);
}

/* X-Pitchbar-Signature is Stripe's scheme: its vectors must hold too. */
static void
test_stripe_vectors(void **state)
{
	cJSON *doc = unit_read_json(VECTORS "stripe.vectors.DERIVED.json");
	const cJSON *v;

	(void)state;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(doc, "vectors"))
	{
		const char *secrets[] = {str(v, "secret")};
		const char *payload = str(v, "payload");
		const char *want = str(v, "expected_header");
		int64_t t =
		    (int64_t)cJSON_GetObjectItem(v, "timestamp")->valuedouble;
		char *got =
		    sign_pitchbar(secrets, 1, t, payload, strlen(payload));

		assert_string_equal(got, want + strlen("Stripe-Signature: "));
		free(got);
	}
	cJSON_Delete(doc);
}

static void
test_golden_openssl(void **state)
{
	const char *secrets[] = {"whsec_golden_secret_for_tests"};
	char *got;

	(void)state;
	got = sign_pitchbar(secrets, 1, 1700000000, GOLDEN_BODY,
	    strlen(GOLDEN_BODY));
	assert_string_equal(got,
	    "t=1700000000,v1=2265027d45b2736a3acd8326c7c6"
	    "55a4998bc19d37984905079c054f41fa1ea0");
	free(got);
	check_standard("whsec_cGl0Y2hiYXItZ29sZGVuLWtleS0zMi1ieXRlcy1vayE=",
	    "msg_golden", 1700000000, GOLDEN_BODY, strlen(GOLDEN_BODY),
	    "v1,26roOGHx3qSBRqtiFWkCmBaVlni2d1SPioNhkt89cv8=");
}

/* During a rotation both secrets sign: new first, then old. */
static void
test_two_secrets(void **state)
{
	const char *both[] = {
	    "whsec_cGl0Y2hiYXItZ29sZGVuLWtleS0zMi1ieXRlcy1vayE=",
	    "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="};
	const char *old[] = {both[1]};
	char *pair, *one, *std_pair, *std_one;

	(void)state;
	pair = sign_pitchbar(both, 2, 1764777022, "{}", 2);
	one = sign_pitchbar(old, 1, 1764777022, "{}", 2);
	assert_ptr_not_equal(strstr(pair, ",v1="), strrchr(pair, ','));
	assert_memory_equal(strrchr(pair, ','), ",v1=", 4);
	assert_string_equal(strrchr(pair, ','), strrchr(one, ','));
	assert_int_equal(sign_standard(both, 2, "msg_1", 1, "{}", 2, &std_pair),
	    0);
	assert_int_equal(sign_standard(old, 1, "msg_1", 1, "{}", 2, &std_one),
	    0);
	assert_non_null(strchr(std_pair, ' '));
	assert_string_equal(strchr(std_pair, ' ') + 1, std_one);
	free(pair);
	free(one);
	free(std_pair);
	free(std_one);
}

static void
test_bad_secret(void **state)
{
	const char *secrets[] = {"whsec_***not base64***"};
	char *out;

	(void)state;
	assert_int_not_equal(
	    sign_standard(secrets, 1, "msg_1", 1, "{}", 2, &out), 0);
	assert_null(out);
}

static void
test_new_secret_shape(void **state)
{
	char *s = secret_webhook_new(), *t = secret_webhook_new();
	const char *outer[] = {s};
	char *sig;

	(void)state;
	/* "whsec_" and 44 characters of padded base64 of 32 bytes. */
	assert_int_equal(strlen(s), 6 + 44);
	assert_memory_equal(s, "whsec_", 6);
	assert_string_not_equal(s, t);
	assert_int_equal(sign_standard(outer, 1, "msg_1", 1, "{}", 2, &sig), 0);
	free(sig);
	secret_free(s);
	secret_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pitchbar_vectors),
	    cmocka_unit_test(test_standard_webhooks_vectors),
	    cmocka_unit_test(test_stripe_vectors),
	    cmocka_unit_test(test_golden_openssl),
	    cmocka_unit_test(test_two_secrets),
	    cmocka_unit_test(test_bad_secret),
	    cmocka_unit_test(test_new_secret_shape),
	};

	assert_int_equal(secret_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
