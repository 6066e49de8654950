/* Growable byte buffers with a maximum size (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/rc.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int
buf_reserve(struct buf *b, size_t extra)
{
	size_t want, cap;

	if (extra > b->max || b->len > b->max - extra)
		return PB_ERR_TOO_LARGE;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return PB_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
	return PB_OK;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = buf_reserve(b, n)) != PB_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return PB_OK;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return PB_ERR_INTERNAL;
	if ((rc = buf_reserve(b, (size_t)n)) != PB_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return PB_OK;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->data == NULL) {
		buf_reserve(b, 0);
		b->data[0] = '\0';
	}
	p = b->data;
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}
