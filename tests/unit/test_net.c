/*
 * The outbound client: which addresses are public, the save-time URL
 * check, and real requests to a local peer: answers kept to their limit,
 * time-outs, refused connections and the guard at connect time.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/rc.h"
#include "net/net.h"
#include "unit.h"

static bool
v4_public(const char *addr)
{
	struct sockaddr_in in = {.sin_family = AF_INET};

	assert_int_equal(inet_pton(AF_INET, addr, &in.sin_addr), 1);
	return net_addr_is_public((struct sockaddr *)&in);
}

static bool
v6_public(const char *addr)
{
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

	assert_int_equal(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1);
	return net_addr_is_public((struct sockaddr *)&in6);
}

static void
test_public_addresses(void **state)
{
	static const char *const v4_private[] = {"0.1.2.3", "10.0.0.1",
	    "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.169.254",
	    "172.16.0.1", "172.31.255.255", "192.168.1.1", "224.0.0.1",
	    "255.255.255.255", "192.0.2.1", "198.18.0.1"};
	static const char *const v6_private[] = {"::1", "::", "fc00::1",
	    "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
	    "::ffff:10.1.2.3", "::127.0.0.1", "2001:db8::1", "64:ff9b::a00:1"};

	(void)state;
	for (size_t i = 0; i < sizeof(v4_private) / sizeof(*v4_private); i++)
		if (v4_public(v4_private[i]))
			fail_msg("%s counted as public", v4_private[i]);
	for (size_t i = 0; i < sizeof(v6_private) / sizeof(*v6_private); i++)
		if (v6_public(v6_private[i]))
			fail_msg("%s counted as public", v6_private[i]);
	assert_true(v4_public("93.184.216.34"));
	assert_true(v4_public("100.128.0.1"));
	assert_true(v4_public("172.32.0.1"));
	assert_true(v6_public("2606:2800:220:1::1"));
	assert_true(v6_public("::ffff:93.184.216.34"));
	assert_true(v6_public("2002:5db8:d822::1"));
}

static void
expect_refused(const char *url, bool allow)
{
	const char *why;

	if (net_url_check(url, 2048, allow, &why) == PB_OK)
		fail_msg("%s accepted", url);
	assert_non_null(why);
}

static void
test_url_check(void **state)
{
	const char *why;
	char long_url[3000];

	(void)state;
	assert_int_equal(
	    net_url_check("https://hooks.example.com/x?y=1", 2048, false, &why),
	    0);
	assert_int_equal(
	    net_url_check("http://127.0.0.1:9/x", 2048, true, &why), 0);
	expect_refused("ftp://example.com/x", true);
	expect_refused("example.com/x", true);
	expect_refused("javascript:alert(1)", true);
	expect_refused("http://", true);
	expect_refused("http://127.0.0.1/x", false);
	expect_refused("http://localhost:8080/x", false);
	expect_refused("http://localhost./x", false);
	expect_refused("http://LOCALHOST/x", false);
	expect_refused("https://user:secret@example.com/x", true);
	expect_refused("https://user@example.com/x", true);
	expect_refused("http://a.localhost/x", false);
	expect_refused("http://[::1]/x", false);
	expect_refused("http://10.0.0.5/x", false);
	expect_refused("http://169.254.169.254/latest", false);
	expect_refused("http://192.168.1.1./x", false);
	expect_refused("http://[::1]./x", false);
	expect_refused("http:///x", true);
	expect_refused("http://./x", false);
	expect_refused("http://..//x", false);
	expect_refused("http://a..example/x", true);
	expect_refused("http://:80/x", true);
	memcpy(long_url, "https://e.com/", 14);
	memset(long_url + 14, 'a', sizeof(long_url) - 15);
	long_url[sizeof(long_url) - 1] = '\0';
	expect_refused(long_url, true);
}

/* A one-connection peer: reads a request, then answers with reply. */
struct peer {
	int fd;
	int port;
	const char *reply;
	int delay_ms;
};

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	char req[8192];
	int c = accept(p->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	if (read(c, req, sizeof(req)) > 0) {
		usleep((useconds_t)p->delay_ms * 1000);
		if (write(c, p->reply, strlen(p->reply)) < 0)
			perror("peer write");
	}
	close(c);
	return NULL;
}

static pthread_t
peer_start(struct peer *p)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	pthread_t t;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(p->fd, 1), 0);
	getsockname(p->fd, (struct sockaddr *)&sa, &len);
	p->port = ntohs(sa.sin_port);
	pthread_create(&t, NULL, peer_main, p);
	return t;
}

static int
send_to(struct peer *p, bool allow, long timeout_ms, struct net_response *resp)
{
	static const char *const headers[] = {"Content-Type: text/plain", NULL};
	char url[64];
	struct net_client *client = net_client_new();
	struct net_request req = {
	    .method = "POST",
	    .url = url,
	    .headers = headers,
	    .body = "hello",
	    .body_len = 5,
	    .timeout_ms = timeout_ms,
	    .allow_private = allow,
	    .max_body = 16,
	    .max_headers = 1024,
	};
	int rc;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", p->port);
	rc = net_perform(client, &req, resp);
	net_client_free(client);
	return rc;
}

static void
test_answer_kept_to_limit(void **state)
{
	struct peer p = {.reply = "HTTP/1.1 503 Busy\r\nRetry-After: 2\r\n"
				  "Content-Length: 40\r\nConnection: close"
				  "\r\n\r\n0123456789abcdef0123456789abcdefXXXX"
				  "XXXX"};
	pthread_t t = peer_start(&p);
	struct net_response resp;

	(void)state;
	assert_int_equal(send_to(&p, true, 5000, &resp), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.body.len, 16);
	assert_memory_equal(resp.body.data, "0123456789abcdef", 16);
	assert_non_null(strstr(resp.headers.data, "Retry-After: 2"));
	net_response_release(&resp);
	pthread_join(t, NULL);
	close(p.fd);
}

static void
test_timeout(void **state)
{
	struct peer p = {.reply = "HTTP/1.1 200 OK\r\n\r\n", .delay_ms = 1500};
	pthread_t t = peer_start(&p);
	struct net_response resp;

	(void)state;
	assert_int_equal(send_to(&p, true, 300, &resp), PB_ERR_IO);
	assert_int_equal(resp.error, NET_TIMEOUT);
	assert_string_equal(net_error_name(resp.error), "timeout");
	assert_int_equal(resp.status, 0);
	net_response_release(&resp);
	pthread_join(t, NULL);
	close(p.fd);
}

/* Loopback is refused at connect time unless private targets are allowed. */
static void
test_guard_at_connect(void **state)
{
	struct peer p = {.reply = "HTTP/1.1 200 OK\r\n\r\n"};
	pthread_t t = peer_start(&p);
	struct net_response resp;

	(void)state;
	assert_int_equal(send_to(&p, false, 2000, &resp), PB_ERR_IO);
	assert_int_equal(resp.error, NET_BLOCKED);
	assert_string_equal(net_error_name(resp.error), "blocked_target");
	net_response_release(&resp);
	/* The peer still waits for a connection: let this one through. */
	assert_int_equal(send_to(&p, true, 2000, &resp), 0);
	assert_int_equal(resp.status, 200);
	net_response_release(&resp);
	pthread_join(t, NULL);
	close(p.fd);
}

/* A port nobody listens on: a connect error, not a time-out. */
static void
test_connection_refused(void **state)
{
	struct peer p = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct net_response resp;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	p.port = ntohs(sa.sin_port);
	close(fd); /* bound, then closed: nothing listens there now */
	assert_int_equal(send_to(&p, true, 2000, &resp), PB_ERR_IO);
	assert_int_equal(resp.error, NET_CONNECT);
	net_response_release(&resp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_public_addresses),
	    cmocka_unit_test(test_url_check),
	    cmocka_unit_test(test_answer_kept_to_limit),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_guard_at_connect),
	    cmocka_unit_test(test_connection_refused),
	};

	assert_int_equal(net_global_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
