/* Webhook signatures: Pitchbar's and Standard Webhooks' (see sign.h). */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rc.h"
#include "crypto/sign.h"

#define WHSEC_PREFIX "whsec_"
#define WHSEC_KEY_MAX 128

/* HMAC-SHA256 of the parts, one after the other, keyed with key. */
static void
hmac_parts(const unsigned char *key, size_t keylen, const char *const *parts,
    const size_t *lens, int nparts, unsigned char mac[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	for (int i = 0; i < nparts; i++)
		crypto_auth_hmacsha256_update(&st,
		    (const unsigned char *)parts[i], lens[i]);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

char *
sign_pitchbar(const char *const *secrets, int nsecrets, int64_t t,
    const char *body, size_t len)
{
	char ts[24], hex[65];
	unsigned char mac[32];
	struct buf out;

	snprintf(ts, sizeof(ts), "%" PRId64 ".", t);
	buf_init(&out, 1024);
	buf_printf(&out, "t=%" PRId64, t);
	for (int i = 0; i < nsecrets; i++) {
		const char *parts[] = {ts, body};
		size_t lens[] = {strlen(ts), len};

		hmac_parts((const unsigned char *)secrets[i],
		    strlen(secrets[i]), parts, lens, 2, mac);
		sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
		buf_printf(&out, ",v1=%s", hex);
	}
	return buf_detach(&out, NULL);
}

/* The HMAC key of a "whsec_..." secret: the base64 after the prefix. */
static int
whsec_key(const char *secret, unsigned char *key, size_t *keylen)
{
	const char *b64 = secret;

	if (strncmp(b64, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0)
		b64 += strlen(WHSEC_PREFIX);
	if (sodium_base642bin(key, WHSEC_KEY_MAX, b64, strlen(b64), NULL,
		keylen, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	    *keylen > 0)
		return PB_OK;
	if (sodium_base642bin(key, WHSEC_KEY_MAX, b64, strlen(b64), NULL,
		keylen, NULL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0 &&
	    *keylen > 0)
		return PB_OK;
	return PB_ERR_INVALID;
}

int
sign_standard(const char *const *secrets, int nsecrets, const char *msg_id,
    int64_t t, const char *body, size_t len, char **out)
{
	unsigned char key[WHSEC_KEY_MAX], mac[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	char head[128];
	size_t keylen;
	struct buf sig;

	*out = NULL;
	snprintf(head, sizeof(head), "%s.%" PRId64 ".", msg_id, t);
	buf_init(&sig, 1024);
	for (int i = 0; i < nsecrets; i++) {
		const char *parts[] = {head, body};
		size_t lens[] = {strlen(head), len};

		if (whsec_key(secrets[i], key, &keylen) != PB_OK) {
			buf_release(&sig);
			return PB_ERR_INVALID;
		}
		hmac_parts(key, keylen, parts, lens, 2, mac);
		sodium_memzero(key, sizeof(key));
		sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac),
		    sodium_base64_VARIANT_ORIGINAL);
		buf_printf(&sig, "%sv1,%s", i ? " " : "", b64);
	}
	*out = buf_detach(&sig, NULL);
	return PB_OK;
}
