/* Credentials at rest: XChaCha20-Poly1305 with key ids (see vault.h). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/rc.h"
#include "crypto/vault.h"

#define VAULT_KEYS_MAX 16
#define VAULT_KID_MAX 32
#define VAULT_PREFIX "pbv1."
#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

struct vault_key {
	char kid[VAULT_KID_MAX + 1];
	unsigned char *key; /* sodium_malloc'd, KEY_LEN bytes */
};

static struct vault_key keys[VAULT_KEYS_MAX];
static int nkeys;

static bool
kid_valid(const char *kid, size_t n)
{
	if (n == 0 || n > VAULT_KID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = kid[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Adds one "kid:base64key" entry of n bytes. */
static int
add_key(const char *entry, size_t n, const char *origin, char *err,
    size_t errlen)
{
	const char *colon = memchr(entry, ':', n);
	struct vault_key *k = &keys[nkeys];
	size_t kidlen, keylen = 0;

	if (colon == NULL || nkeys == VAULT_KEYS_MAX)
		goto bad;
	kidlen = (size_t)(colon - entry);
	if (!kid_valid(entry, kidlen))
		goto bad;
	k->key = sodium_malloc(KEY_LEN);
	if (k->key == NULL ||
	    sodium_base642bin(k->key, KEY_LEN, colon + 1, n - kidlen - 1, NULL,
		&keylen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    keylen != KEY_LEN) {
		sodium_free(k->key);
		k->key = NULL;
		goto bad;
	}
	memcpy(k->kid, entry, kidlen);
	k->kid[kidlen] = '\0';
	nkeys++;
	return PB_OK;
bad:
	snprintf(err, errlen,
	    "%s: expects kid:base64key entries (a kid of "
	    "letters, digits, '_' or '-'; a key of 32 bytes)",
	    origin);
	return PB_ERR_INVALID;
}

static int
parse_keys(const char *list, const char *sep, const char *origin, char *err,
    size_t errlen)
{
	const char *p = list;
	int rc;

	while (*p) {
		size_t n = strcspn(p, sep);

		if (n > 0 && (rc = add_key(p, n, origin, err, errlen)))
			return rc;
		p += n;
		p += strspn(p, sep);
	}
	if (nkeys == 0) {
		snprintf(err, errlen, "%s: holds no key", origin);
		return PB_ERR_INVALID;
	}
	return PB_OK;
}

/* Writes the whole line to a new file at path, mode 0600, synced. */
static bool
write_new_file(const char *path, const char *line, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	bool ok;

	ok = fd >= 0 && write(fd, line, n) == (ssize_t)n && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * Makes the key file with one fresh key.  The key is written to a
 * temporary file first and linked into place, so that processes starting
 * together never read a half-written file: one link wins, the others find
 * the file there.
 */
static int
create_key_file(const char *path, char *err, size_t errlen)
{
	unsigned char key[KEY_LEN], kidraw[4];
	char b64[sodium_base64_ENCODED_LEN(KEY_LEN,
	    sodium_base64_VARIANT_ORIGINAL)];
	char kid[16], line[128], *tmp;
	bool ok, linked = false;
	int n;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(kidraw, sizeof(kidraw));
	sodium_bin2hex(kid + 1, sizeof(kid) - 1, kidraw, sizeof(kidraw));
	kid[0] = 'k';
	sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(line, sizeof(line), "%s:%s\n", kid, b64);
	fs_make_parent(path);
	tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	ok = write_new_file(tmp, line, (size_t)n) &&
	    ((linked = link(tmp, path) == 0) || errno == EEXIST);
	unlink(tmp);
	free(tmp);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(line, sizeof(line));
	if (!ok) {
		snprintf(err, errlen,
		    "PITCHBAR_SECRET_KEY_FILE: cannot create "
		    "%s: %s",
		    path, strerror(errno));
		return PB_ERR_IO;
	}
	if (linked)
		log_info(NULL, "vault.key_file_created", "kid=%s", kid);
	return PB_OK;
}

static int
load_key_file(const char *path, char *err, size_t errlen)
{
	char text[4096];
	struct stat sb;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		if ((rc = create_key_file(path, err, errlen)) != PB_OK)
			return rc;
		fd = open(path, O_RDONLY);
	}
	if (fd < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errlen,
		    "PITCHBAR_SECRET_KEY_FILE: cannot read "
		    "%s: %s",
		    path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return PB_ERR_IO;
	}
	if (sb.st_mode & 077)
		log_warn(NULL, "vault.key_file_mode",
		    "mode=%03o "
		    "advice=\"chmod 600\"",
		    (unsigned)(sb.st_mode & 0777));
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n < 0 ? 0 : n] = '\0';
	rc = parse_keys(text, "\r\n", "PITCHBAR_SECRET_KEY_FILE", err, errlen);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int
vault_init(const char *list, const char *key_file, char *err, size_t errlen)
{
	int rc;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium: cannot initialise");
		return PB_ERR_INTERNAL;
	}
	vault_release();
	if (list && *list)
		rc = parse_keys(list, ",", "PITCHBAR_SECRET_KEYS", err, errlen);
	else
		rc = load_key_file(key_file, err, errlen);
	if (rc != PB_OK)
		vault_release();
	return rc;
}

void
vault_release(void)
{
	for (int i = 0; i < nkeys; i++)
		sodium_free(keys[i].key);
	memset(keys, 0, sizeof(keys));
	nkeys = 0;
}

char *
vault_seal(const char *plain, size_t n, const char *ad)
{
	size_t ctlen = NONCE_LEN + n + TAG_LEN, b64len, headlen;
	unsigned char *ct = xmalloc(ctlen);
	char *out;

	if (nkeys == 0)
		abort(); /* vault_init() is part of every start */
	randombytes_buf(ct, NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct + NONCE_LEN, NULL,
	    (const unsigned char *)plain, n, (const unsigned char *)ad,
	    strlen(ad), NULL, ct, keys[0].key);
	b64len =
	    sodium_base64_ENCODED_LEN(ctlen, sodium_base64_VARIANT_ORIGINAL);
	headlen = strlen(VAULT_PREFIX) + strlen(keys[0].kid) + 1;
	out = xmalloc(headlen + b64len);
	snprintf(out, headlen + 1, "%s%s.", VAULT_PREFIX, keys[0].kid);
	sodium_bin2base64(out + headlen, b64len, ct, ctlen,
	    sodium_base64_VARIANT_ORIGINAL);
	free(ct);
	return out;
}

static const struct vault_key *
key_of(const char *sealed, const char **b64)
{
	const char *kid = sealed + strlen(VAULT_PREFIX), *dot;

	if (strncmp(sealed, VAULT_PREFIX, strlen(VAULT_PREFIX)) != 0)
		return NULL;
	if ((dot = strchr(kid, '.')) == NULL)
		return NULL;
	*b64 = dot + 1;
	for (int i = 0; i < nkeys; i++)
		if (strlen(keys[i].kid) == (size_t)(dot - kid) &&
		    memcmp(keys[i].kid, kid, (size_t)(dot - kid)) == 0)
			return &keys[i];
	return NULL;
}

int
vault_open(const char *sealed, const char *ad, char **plain, size_t *n)
{
	const struct vault_key *k;
	unsigned char *ct;
	size_t ctlen, cap;
	const char *b64;
	char *out;
	int bad;

	*plain = NULL;
	if (sealed == NULL || (k = key_of(sealed, &b64)) == NULL)
		return PB_ERR_INVALID;
	cap = strlen(b64);
	ct = xmalloc(cap + 1);
	if (sodium_base642bin(ct, cap, b64, cap, NULL, &ctlen, NULL,
		sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    ctlen < NONCE_LEN + TAG_LEN) {
		free(ct);
		return PB_ERR_INVALID;
	}
	out = xmalloc(ctlen - NONCE_LEN - TAG_LEN + 1);
	bad = crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out,
	    NULL, NULL, ct + NONCE_LEN, ctlen - NONCE_LEN,
	    (const unsigned char *)ad, strlen(ad), ct, k->key);
	free(ct);
	if (bad) {
		free(out);
		return PB_ERR_INVALID;
	}
	*n = ctlen - NONCE_LEN - TAG_LEN;
	out[*n] = '\0';
	*plain = out;
	return PB_OK;
}

bool
vault_is_current(const char *sealed)
{
	const char *b64;

	return nkeys > 0 && key_of(sealed, &b64) == &keys[0];
}
