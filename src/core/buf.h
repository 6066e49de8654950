/*
 * Growable byte buffers with a hard maximum, for anything that grows from
 * outside input.  data is always NUL-terminated (the NUL is not counted in
 * len), so a buffer of text can be used as a C string.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* appends that would pass this fail */
};

/* Starts an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Frees the buffer's memory; it may be initialised again. */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_clear(struct buf *b);
/* PB_ERR_TOO_LARGE (and nothing appended) when max would be passed. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (who frees it); the buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);

#endif
