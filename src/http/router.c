/* Route matching: literal segments and {name} captures (see http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "http/http.h"

/* Keys sit early in a path; segments past this many are never hidden. */
#define REDACT_SEGMENTS_MAX 8

static void
clear_params(struct http_req *req)
{
	for (int i = 0; i < req->nparams; i++)
		FREE_AND_NULL(req->params[i]);
	req->nparams = 0;
}

/* Whether path fits pattern; captures go into req->params. */
static bool
path_matches(const char *pattern, const char *path, struct http_req *req)
{
	clear_params(req);
	while (*pattern && *path) {
		if (*pattern == '{') {
			size_t seg = strcspn(path, "/");

			if (seg == 0 || req->nparams == HTTP_PARAMS_MAX)
				return false;
			req->params[req->nparams++] = xstrndup(path, seg);
			path += seg;
			pattern = strchr(pattern, '}');
			if (pattern == NULL)
				return false;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return false;
	}
	return *pattern == '\0' && *path == '\0';
}

/* HEAD asks what GET would answer, without the body (which MHD drops). */
static bool
method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

const struct http_route *
http_route_match(const struct http_route *routes, size_t n, const char *method,
    const char *path, struct http_req *req, bool *path_known)
{
	const struct http_route *found = NULL;

	*path_known = false;
	for (size_t i = 0; i < n && found == NULL; i++) {
		if (!path_matches(routes[i].pattern, path, req))
			continue;
		*path_known = true;
		if (method_matches(routes[i].method, method))
			found = &routes[i];
	}
	if (found == NULL)
		clear_params(req);
	return found;
}

void
http_route_methods(const struct http_route *routes, size_t n, const char *path,
    struct http_req *req, char *out, size_t outlen)
{
	size_t len = 0;

	*out = '\0';
	for (size_t i = 0; i < n && len < outlen; i++) {
		if (!path_matches(routes[i].pattern, path, req) ||
		    strstr(out, routes[i].method) != NULL)
			continue;
		len += (size_t)snprintf(out + len, outlen - len, "%s%s%s",
		    len ? ", " : "", routes[i].method,
		    strcmp(routes[i].method, "GET") == 0 ? ", HEAD" : "");
	}
	clear_params(req);
}

/* The next segment of *path after any slashes; its length, 0 at the end. */
static size_t
next_segment(const char **path, const char **seg)
{
	*path += strspn(*path, "/");
	*seg = *path;
	*path += strcspn(*path, "/");
	return (size_t)(*path - *seg);
}

/*
 * Marks in names[] the segments of path that stand where pattern has a
 * capture, for as long as the literal segments agree.
 */
static void
mark_captures(const char *pattern, const char *path, const char **names)
{
	const char *want, *seg;
	size_t wlen, len;

	for (int i = 0; i < REDACT_SEGMENTS_MAX; i++) {
		wlen = next_segment(&pattern, &want);
		len = next_segment(&path, &seg);
		if (wlen == 0 || len == 0)
			return;
		if (*want == '{')
			names[i] = want;
		else if (wlen != len || strncasecmp(want, seg, len) != 0)
			return;
	}
}

/* Appends n bytes of s to out, as many as fit. */
static void
put(char *out, size_t outlen, size_t *len, const char *s, size_t n)
{
	if (n > outlen - 1 - *len)
		n = outlen - 1 - *len;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

void
http_route_redact(const struct http_route *routes, size_t n, const char *path,
    char *out, size_t outlen)
{
	const char *names[REDACT_SEGMENTS_MAX] = {NULL};
	const char *p = path, *start, *seg;
	size_t len = 0, seglen;

	for (size_t i = 0; i < n; i++)
		if (routes[i].flags & HTTP_KEY_IN_PATH)
			mark_captures(routes[i].pattern, path, names);
	*out = '\0';
	for (int i = 0; *p; i++) {
		start = p;
		seglen = next_segment(&p, &seg);
		put(out, outlen, &len, start, (size_t)(seg - start));
		if (i < REDACT_SEGMENTS_MAX && names[i])
			put(out, outlen, &len, names[i],
			    strcspn(names[i], "/"));
		else
			put(out, outlen, &len, seg, seglen);
	}
}
