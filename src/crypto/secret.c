/* Random secrets, digests and password hashing (see secret.h). */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/config.h"
#include "core/rc.h"
#include "crypto/secret.h"

int
secret_init(void)
{
	return sodium_init() < 0 ? PB_ERR_INTERNAL : PB_OK;
}

static char *
random_base64(const char *prefix, size_t nbytes, int variant)
{
	size_t plen = strlen(prefix);
	size_t b64len = sodium_base64_ENCODED_LEN(nbytes, variant);
	unsigned char *raw = xmalloc(nbytes);
	char *out = xmalloc(plen + b64len);

	randombytes_buf(raw, nbytes);
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, b64len, raw, nbytes, variant);
	sodium_memzero(raw, nbytes);
	free(raw);
	return out;
}

char *
secret_webhook_new(void)
{
	return random_base64("whsec_", 32, sodium_base64_VARIANT_ORIGINAL);
}

char *
secret_token_new(const char *prefix, size_t nbytes)
{
	return random_base64(prefix, nbytes,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
secret_digest(const void *p, size_t n, char out[SECRET_DIGEST_SIZE])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, SECRET_DIGEST_SIZE, h, sizeof(h));
}

void
secret_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

int
password_hash(const char *password, bool interactive, char **out)
{
	char *h = xmalloc(crypto_pwhash_STRBYTES);
	unsigned long long ops = interactive
	    ? crypto_pwhash_OPSLIMIT_INTERACTIVE
	    : crypto_pwhash_OPSLIMIT_MODERATE;
	size_t mem = interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
				 : crypto_pwhash_MEMLIMIT_MODERATE;

	if (crypto_pwhash_str_alg(h, password, strlen(password), ops, mem,
		crypto_pwhash_ALG_ARGON2ID13) != 0) {
		free(h);
		*out = NULL;
		return PB_ERR_INTERNAL;
	}
	*out = h;
	return PB_OK;
}

static char decoy[crypto_pwhash_STRBYTES];
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

/* A hash at the configured cost that no password given matches. */
static void
make_decoy(void)
{
	bool fast = config_get()->password_cost == CONFIG_COST_INTERACTIVE;
	unsigned char raw[32];
	char *h, pw[65];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
	if (password_hash(pw, fast, &h) == PB_OK) {
		memcpy(decoy, h, strlen(h) + 1);
		free(h);
	}
	sodium_memzero(pw, sizeof(pw));
}

bool
password_verify(const char *hash, const char *password)
{
	bool known = hash != NULL;

	if (!known) {
		pthread_once(&decoy_once, make_decoy);
		hash = decoy;
	}
	return crypto_pwhash_str_verify(hash, password, strlen(password)) ==
	    0 &&
	    known;
}

bool
secret_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
