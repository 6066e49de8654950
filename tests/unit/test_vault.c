/* The vault: sealing bound to a row, key ids, the key file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "crypto/secret.h"
#include "crypto/vault.h"
#include "unit.h"

#define KEY_A "ka:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B "kb:HxweHRwbGhkYFxYVFBMSERAPDg0MCwoJCAcGBQQDAgE="

static void
expect_plain(const char *sealed, const char *ad, const char *want)
{
	char *plain;
	size_t n;

	assert_int_equal(vault_open(sealed, ad, &plain, &n), 0);
	assert_int_equal(n, strlen(want));
	assert_string_equal(plain, want);
	secret_free(plain);
}

static void
test_round_trip(void **state)
{
	char err[256], *sealed, *again;

	(void)state;
	assert_int_equal(vault_init(KEY_A, NULL, err, sizeof(err)), 0);
	sealed = vault_seal("whsec_x", 7, "t:ws_1:whk_1:secret");
	assert_memory_equal(sealed, "pbv1.ka.", 8);
	assert_null(strstr(sealed, "whsec_x"));
	expect_plain(sealed, "t:ws_1:whk_1:secret", "whsec_x");
	/* A random nonce: the same secret never seals the same way. */
	again = vault_seal("whsec_x", 7, "t:ws_1:whk_1:secret");
	assert_string_not_equal(sealed, again);
	assert_true(vault_is_current(sealed));
	free(sealed);
	free(again);
}

/* A value copied into another row, altered, or unknown does not open. */
static void
test_refusals(void **state)
{
	char err[256], *sealed, *plain;
	size_t n;

	(void)state;
	assert_int_equal(vault_init(KEY_A, NULL, err, sizeof(err)), 0);
	sealed = vault_seal("token", 5, "t:ws_1:conn_1:access");
	assert_int_not_equal(
	    vault_open(sealed, "t:ws_2:conn_1:access", &plain, &n), 0);
	sealed[strlen(sealed) - 3] ^= 1;
	assert_int_not_equal(
	    vault_open(sealed, "t:ws_1:conn_1:access", &plain, &n), 0);
	assert_null(plain);
	assert_int_not_equal(vault_open("pbv1.zz.AAAA", "x", &plain, &n), 0);
	assert_int_not_equal(vault_open("plain text", "x", &plain, &n), 0);
	free(sealed);
}

/* Old values open under an older key; new ones seal with the first. */
static void
test_key_rotation(void **state)
{
	char err[256], *old, *fresh;

	(void)state;
	assert_int_equal(vault_init(KEY_A, NULL, err, sizeof(err)), 0);
	old = vault_seal("v", 1, "ad");
	assert_int_equal(vault_init(KEY_B "," KEY_A, NULL, err, sizeof(err)),
	    0);
	expect_plain(old, "ad", "v");
	assert_false(vault_is_current(old));
	fresh = vault_seal("v", 1, "ad");
	assert_memory_equal(fresh, "pbv1.kb.", 8);
	assert_int_equal(vault_init(KEY_B, NULL, err, sizeof(err)), 0);
	assert_int_not_equal(
	    vault_open(old, "ad", &(char *){NULL}, &(size_t){0}), 0);
	free(old);
	free(fresh);
}

static void
test_bad_keys(void **state)
{
	char err[256];

	(void)state;
	assert_int_not_equal(vault_init("nokid", NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "PITCHBAR_SECRET_KEYS"));
	assert_int_not_equal(vault_init("k:c2hvcnQ=", NULL, err, sizeof(err)),
	    0);
	assert_int_not_equal(vault_init("bad.kid:AAECAwQFBgcICQoLDA0ODxAREh"
					"MUFRYXGBkaGxwdHh8=",
				 NULL, err, sizeof(err)),
	    0);
}

static void
test_key_file(void **state)
{
	char *dir = unit_temp_dir("vault"), err[256], *sealed;
	char *path = xasprintf("%s/sub/pitchbar.key", dir);
	struct stat sb;

	(void)state;
	assert_int_equal(vault_init("", path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	sealed = vault_seal("s", 1, "ad");
	/* A second start reads the same key back. */
	assert_int_equal(vault_init(NULL, path, err, sizeof(err)), 0);
	expect_plain(sealed, "ad", "s");
	free(sealed);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_key_rotation),
	    cmocka_unit_test(test_bad_keys),
	    cmocka_unit_test(test_key_file),
	};
	int rc;

	assert_int_equal(secret_init(), 0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	vault_release();
	return rc;
}
