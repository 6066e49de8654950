/* Outbound HTTP through one reusable curl handle (see net.h). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/num.h"
#include "core/rc.h"
#include "net/net.h"

struct net_client {
	CURL *curl;
	bool allow_private; /* for the request in progress */
	bool blocked; /* the guard refused a connection */
	bool truncated; /* the body passed its limit */
	struct net_response *resp;
};

int
net_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK
	    ? PB_OK
	    : PB_ERR_INTERNAL;
}

void
net_global_cleanup(void)
{
	curl_global_cleanup();
}

struct net_client *
net_client_new(void)
{
	struct net_client *client = xcalloc(1, sizeof(*client));

	if ((client->curl = curl_easy_init()) == NULL) {
		free(client);
		return NULL;
	}
	return client;
}

void
net_client_free(struct net_client *client)
{
	if (client == NULL)
		return;
	curl_easy_cleanup(client->curl);
	free(client);
}

static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct net_client *client = clientp;

	(void)purpose;
	if (!client->allow_private && !net_addr_is_public(&addr->addr)) {
		client->blocked = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static size_t
on_body(char *data, size_t size, size_t n, void *clientp)
{
	struct net_client *client = clientp;
	struct buf *body = &client->resp->body;
	size_t len = size * n, room = body->max - body->len;

	if (len > room) {
		buf_append(body, data, room);
		client->truncated = true;
		return 0; /* enough kept: stop reading */
	}
	buf_append(body, data, len);
	return len;
}

static size_t
on_header(char *data, size_t size, size_t n, void *clientp)
{
	struct net_client *client = clientp;
	struct buf *headers = &client->resp->headers;
	size_t len = size * n;

	/* A new status line starts the headers of a new answer (after 100). */
	if (len > 5 && memcmp(data, "HTTP/", 5) == 0) {
		buf_clear(headers);
		return len;
	}
	if (len > 2)
		buf_append(headers, data, len); /* past the limit: dropped */
	return len;
}

static struct curl_slist *
set_options(struct net_client *client, const struct net_request *req)
{
	CURL *c = client->curl;
	struct curl_slist *list = NULL;

	for (const char *const *h = req->headers; h && *h; h++)
		list = curl_slist_append(list, *h);
	list = curl_slist_append(list, "Expect:");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* No proxy from the environment: the guard must see the target. */
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, client);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, client);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, client);
	return list;
}

static enum net_error
classify(CURLcode code, bool blocked)
{
	if (blocked)
		return NET_BLOCKED;
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return NET_DNS;
	case CURLE_OPERATION_TIMEDOUT:
		return NET_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return NET_TLS;
	default:
		return NET_CONNECT;
	}
}

/*
 * Retry-After of the final answer: delay-seconds or an HTTP date; -1 when
 * absent or unreadable.
 */
static int64_t
retry_after_s(CURL *curl)
{
	struct curl_header *h;
	int64_t n;
	time_t at;

	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return -1;
	if (num_parse_i64(h->value, 0, INT64_MAX, &n) == PB_OK)
		return n;
	if ((at = curl_getdate(h->value, NULL)) == -1)
		return -1;
	return at > time(NULL) ? (int64_t)(at - time(NULL)) : 0;
}

int
net_perform(struct net_client *client, const struct net_request *req,
    struct net_response *resp)
{
	struct curl_slist *list;
	curl_off_t total_us = 0;
	CURLcode code;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->headers, req->max_headers);
	buf_init(&resp->body, req->max_body);
	client->resp = resp;
	client->allow_private = req->allow_private;
	client->blocked = client->truncated = false;

	list = set_options(client, req);
	code = curl_easy_perform(client->curl);
	curl_slist_free_all(list);
	curl_easy_getinfo(client->curl, CURLINFO_TOTAL_TIME_T, &total_us);
	resp->duration_ms = (int64_t)total_us / 1000;
	client->resp = NULL;
	if (code == CURLE_WRITE_ERROR && client->truncated)
		code = CURLE_OK;
	if (code == CURLE_OK) {
		curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE,
		    &resp->status);
		resp->retry_after_s = retry_after_s(client->curl);
		return PB_OK;
	}
	resp->retry_after_s = -1;
	resp->error = classify(code, client->blocked);
	snprintf(resp->detail, sizeof(resp->detail), "%s",
	    client->blocked ? "the address is not public"
			    : curl_easy_strerror(code));
	return PB_ERR_IO;
}

void
net_response_release(struct net_response *resp)
{
	buf_release(&resp->headers);
	buf_release(&resp->body);
}

const char *
net_error_name(enum net_error error)
{
	static const char *const names[] = {NULL, "dns", "blocked_target",
	    "connect", "tls", "timeout"};

	return names[error];
}
