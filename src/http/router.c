/* Route matching: literal segments and {name} captures (see http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "http/http.h"

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
		if (strcmp(routes[i].method, method) == 0)
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
		len += (size_t)snprintf(out + len, outlen - len, "%s%s",
		    len ? ", " : "", routes[i].method);
	}
	clear_params(req);
}
