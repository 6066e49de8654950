/*
 * Allocation wrappers.  They never return NULL: running out of memory
 * aborts the process with a log line, as a half-done request would be
 * worse than a restart.
 */
#ifndef CORE_ALLOC_H
#define CORE_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* A NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);
/* A string built from a printf format; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Free *pp and set it to NULL. */
#define FREE_AND_NULL(pp)                                                      \
	do {                                                                   \
		free(pp);                                                      \
		(pp) = NULL;                                                   \
	} while (0)

#endif
