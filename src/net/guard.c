/*
 * The target guard: which addresses count as public, and the save-time
 * check of a URL (see net.h).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "core/rc.h"
#include "net/net.h"

#define HOST_MAX 253 /* the longest DNS name */

struct v4_range {
	uint32_t net;
	int bits;
};

/* IPv4 ranges that are not public unicast. */
static const struct v4_range v4_blocked[] = {
    {0x00000000, 8}, /* "this" network */
    {0x0a000000, 8}, /* RFC 1918 */
    {0x64400000, 10}, /* shared address space */
    {0x7f000000, 8}, /* loopback */
    {0xa9fe0000, 16}, /* link-local */
    {0xac100000, 12}, /* RFC 1918 */
    {0xc0000000, 24}, /* IETF protocol assignments */
    {0xc0000200, 24}, /* documentation */
    {0xc0a80000, 16}, /* RFC 1918 */
    {0xc6120000, 15}, /* benchmarking */
    {0xc6336400, 24}, /* documentation */
    {0xcb007100, 24}, /* documentation */
    {0xe0000000, 4}, /* multicast */
    {0xf0000000, 4}, /* reserved and broadcast */
};

static bool
v4_is_public(uint32_t a)
{
	for (size_t i = 0; i < sizeof(v4_blocked) / sizeof(v4_blocked[0]);
	     i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_blocked[i].bits);

		if ((a & mask) == v4_blocked[i].net)
			return false;
	}
	return true;
}

static uint32_t
v4_from(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static bool
v6_is_public(const unsigned char *b)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff};
	static const unsigned char zeros[12] = {0};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};

	/* IPv4-mapped, IPv4-compatible and NAT64 forms carry an IPv4. */
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return v4_is_public(v4_from(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_is_public(v4_from(b + 2)); /* 6to4 2002::/16 */
	if (memcmp(b, nat64, 4) == 0 && b[4] == 0 && b[5] == 1)
		return false; /* local-use NAT64 64:ff9b:1::/48 */
	if (memcmp(b, zeros, 12) == 0)
		return false; /* ::, ::1 and the deprecated compatible form */
	if ((b[0] & 0xfe) == 0xfc)
		return false; /* unique local fc00::/7 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return false; /* link-local fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return false; /* site-local fec0::/10 */
	if (b[0] == 0xff)
		return false; /* multicast */
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return false; /* documentation 2001:db8::/32 */
	if (b[0] == 0x01 && b[1] == 0 && memcmp(b + 2, zeros, 6) == 0)
		return false; /* discard-only 100::/64 */
	return true;
}

bool
net_addr_is_public(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		return v4_is_public(ntohl(in->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		return v6_is_public(in6->sin6_addr.s6_addr);
	}
	return false;
}

/* Whether a name is localhost or under it. */
static bool
is_localhost(const char *host)
{
	size_t n = strlen(host);

	if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
		return true;
	return n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0;
}

/*
 * Whether host (as in a URL, IPv6 in brackets, at most HOST_MAX bytes) is
 * a non-public literal.  A final dot names the same host: it goes first.
 */
static bool
host_is_private(const char *name)
{
	struct sockaddr_in in = {.sin_family = AF_INET};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
	char host[HOST_MAX + 1], v6[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	memcpy(host, name, n);
	host[n] = '\0';
	if (is_localhost(host))
		return true;
	if (inet_pton(AF_INET, host, &in.sin_addr) == 1)
		return !net_addr_is_public((struct sockaddr *)&in);
	if (host[0] == '[' && n < sizeof(v6) && host[n - 1] == ']') {
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		if (inet_pton(AF_INET6, v6, &in6.sin6_addr) == 1)
			return !net_addr_is_public((struct sockaddr *)&in6);
	}
	return false;
}

int
net_url_check(const char *url, size_t max_len, bool allow_private,
    const char **why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = PB_ERR_INVALID;

	*why = "must be an http or https URL";
	if (strlen(url) > max_len) {
		*why = "is too long";
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		goto out;
	/* curl reads "http:///x" as host x: the URL must say so itself. */
	if (strncmp(url + strlen(scheme), "://", 3) != 0 ||
	    url[strlen(scheme) + 3] == '/' || *host == '\0' || *host == '.' ||
	    strstr(host, "..") || strlen(host) > HOST_MAX) {
		*why = "must name a host of at most 253 characters";
		goto out;
	}
	/* Members see the URL: it must not carry a password. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		*why = "must not hold a user name or password (the signature "
		       "authenticates each request)";
		goto out;
	}
	if (!allow_private && host_is_private(host)) {
		*why = "points to a private or loopback address";
		goto out;
	}
	*why = NULL;
	rc = PB_OK;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}
