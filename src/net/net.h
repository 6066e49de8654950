/*
 * Outbound HTTP through libcurl: one attempt, a time-out, no redirects,
 * http and https only, the response kept up to a limit, and the target
 * guard, which refuses non-public addresses at connect time, on the
 * address actually connected to, so that DNS rebinding cannot get around
 * it.  A client is used by one thread at a time and keeps its connections
 * alive between requests.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/buf.h"

/* How an attempt failed short of an HTTP answer. */
enum net_error {
	NET_OK,
	NET_DNS,
	NET_BLOCKED, /* the target is not a public address */
	NET_CONNECT,
	NET_TLS,
	NET_TIMEOUT,
};

struct net_request {
	const char *method;
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;
	size_t body_len;
	long timeout_ms;
	bool allow_private;
	size_t max_body; /* bytes of the response body kept */
	size_t max_headers; /* bytes of response headers kept */
};

struct net_response {
	long status; /* 0 when there was no HTTP answer */
	struct buf headers; /* "Name: value\r\n" lines of the final answer */
	struct buf body;
	int64_t duration_ms;
	/* What Retry-After asked for, in seconds from now, or -1 without one.
	 */
	int64_t retry_after_s;
	enum net_error error;
	char detail[256]; /* the library's words, for the operator */
};

struct net_client;

/* Initialises libcurl; once at start, before any thread uses it. */
int net_global_init(void);
void net_global_cleanup(void);
struct net_client *net_client_new(void);
void net_client_free(struct net_client *client);
/*
 * Sends req and fills resp (which the caller releases with
 * net_response_release).  Returns PB_OK when an HTTP answer arrived,
 * whatever its status, else PB_ERR_IO with resp->error set.
 */
int net_perform(struct net_client *client, const struct net_request *req,
    struct net_response *resp);
void net_response_release(struct net_response *resp);
/* "dns", "blocked_target", "connect", "tls", "timeout", or NULL. */
const char *net_error_name(enum net_error error);

/* Whether a socket address is public (not loopback, private, ...). */
bool net_addr_is_public(const struct sockaddr *sa);
/*
 * Checks a URL a user wants to save: http or https, a host, at most
 * max_len bytes, and no literal non-public address or localhost name
 * unless allow_private.  PB_ERR_INVALID with the reason in why.
 */
int net_url_check(const char *url, size_t max_len, bool allow_private,
    const char **why);

#endif
